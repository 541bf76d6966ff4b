// Hooks at calls: acquire and release (in function bodies and #define bodies), routine registrations, other uses.
import type { Collector, View } from './collector.js';
import { LOCK_API } from './collector.js';
import { hook } from './emit.js';
import { findMacroCalls } from './macros.js';
import type { CParser, SyntaxNode } from './parse.js';
import { CANCEL_REGISTRARS } from './roles.js';
import { assignedValue, enclosingFunction, functionName, insideBlock, isBroken } from './syntax.js';

function argumentsOf(args: SyntaxNode): SyntaxNode[] {
  return args.namedChildren.filter((n) => n.type !== 'comment');
}

/** Acquire and release calls inside function bodies; registrations of routines. */
export function collectCalls(parser: CParser, view: View, c: Collector): void {
  for (const match of parser.queries.calls.matches(view.root)) {
    const call = match.captures.find((x) => x.name === 'call')?.node;
    const callee = match.captures.find((x) => x.name === 'callee')?.node;
    const argList = match.captures.find((x) => x.name === 'args')?.node;
    if (!call || !callee || !argList || !view.keep(call)) continue;
    const name = callee.text;
    const fn = enclosingFunction(call);
    const fnName = fn ? functionName(fn) : null;
    if (fnName && LOCK_API.has(fnName)) continue;
    const args = argumentsOf(argList);
    if (LOCK_API.has(name)) {
      if (!fn || insideBlock(fn)) c.skip(call, name, 'call outside a function body');
      else if (view.fallback && fn.hasError) c.skip(call, name, 'parse error in the enclosing function');
      else if (isBroken(call)) c.skip(call, name, 'parse error around the call');
      else if (args.length !== 1) c.skip(call, name, `called with ${args.length} arguments`);
      else if (!c.sameBranch(call.startIndex, call.endIndex)) c.skip(call, name, 'the call spans a preprocessor conditional');
      else {
        const arg = args[0] as SyntaxNode;
        const span = { name, start: call.startIndex, end: call.endIndex, argStart: arg.startIndex, argEnd: arg.endIndex };
        lockSite(c, span, { function: fnName }, call);
      }
      continue;
    }
    const registrar = CANCEL_REGISTRARS[name];
    const target = registrar ? args[registrar.arg] : undefined;
    if (fn && target?.type === 'identifier' && !isBroken(call)) {
      registration(c, target, 'cancel', fnName);
    }
  }
  for (const match of parser.queries.majorFunction.matches(view.root)) {
    const store = match.captures.find((x) => x.name === 'store')?.node;
    const value = match.captures.find((x) => x.name === 'value')?.node;
    if (!store || !value || !view.keep(store) || (store.parent && store.parent.type === 'assignment_expression')) continue;
    const target = assignedValue(value);
    const fn = enclosingFunction(store);
    if (fn && target.type === 'identifier' && !isBroken(store)) {
      registration(c, target, 'dispatch', functionName(fn));
    }
  }
}

/** Where a lock call and its single argument are, in the original text. */
interface CallSpan {
  name: string;
  start: number;
  end: number;
  argStart: number;
  argEnd: number;
}

/** Hooks one acquire or release call: the acquire checks before and records after the real call. */
function lockSite(c: Collector, span: CallSpan, where: { function: string | null; macro?: string }, node: SyntaxNode): void {
  const acquire = span.name === 'IoAcquireCancelSpinLock';
  c.hooked.push(node);
  c.pending.push({
    site: { kind: acquire ? 'acquire' : 'release', ...c.pos(span.start), ...where },
    at: span.start,
    order: 0,
    apply: (i) => {
      if (acquire) {
        c.rewriter.before(span.start, '(');
        c.rewriter.before(span.argStart, hook.acquireArg(i));
        c.rewriter.after(span.argEnd, ')');
        c.rewriter.after(span.end, hook.acquireAfter(i));
      } else {
        c.rewriter.before(span.argStart, hook.releaseArg(i));
        c.rewriter.after(span.argEnd, ')');
      }
    },
  });
}

/** Lock calls found by scanning text (macro bodies, branches the parse blanked); those it cannot read are listed. */
function textCalls(c: Collector, from: number, to: number, where: { function: string | null; macro?: string }, node: SyntaxNode): void {
  for (const found of findMacroCalls(c.text, from, to, LOCK_API)) {
    const { start, end, argStart, argEnd } = found;
    if (argStart === undefined || argEnd === undefined || !c.sameBranch(start, end)) {
      c.unchecked.push({ ...c.pos(start), name: found.name, reason: found.reason ?? 'the call spans a preprocessor conditional' });
      continue;
    }
    lockSite(c, { name: found.name, start, end, argStart, argEnd }, where, node);
  }
}

function registration(c: Collector, target: SyntaxNode, role: 'dispatch' | 'cancel', fnName: string | null): void {
  c.hooked.push(target);
  c.pending.push({
    site: { kind: 'registration', ...c.pos(target.startIndex), function: fnName, role },
    at: target.startIndex,
    order: 0,
    apply: (i) => {
      c.rewriter.before(target.startIndex, hook.register(i, role));
      c.rewriter.after(target.endIndex, ')');
    },
  });
}

/** Calls written inside #define bodies (tree-sitter leaves macro bodies unparsed). */
export function collectMacroCalls(parser: CParser, view: View, c: Collector): void {
  for (const match of parser.queries.macros.matches(view.root)) {
    const name = match.captures.find((x) => x.name === 'name')?.node;
    const body = match.captures.find((x) => x.name === 'body')?.node;
    if (!name || !body || !view.keep(body) || isBroken(body)) continue;
    textCalls(c, body.startIndex, body.endIndex, { function: null, macro: name.text }, body);
  }
}

/** Calls in the #else/#elif branches a first-branch parse did not see, inside the functions it took over. */
export function collectBranchCalls(view: View, ranges: ReadonlyArray<readonly [number, number]>, c: Collector): void {
  for (const [from, to] of ranges) {
    const node = view.root.descendantForIndex(from, from);
    if (!view.keep(node)) continue;
    const fn = enclosingFunction(node) ?? (node.type === 'function_definition' ? node : null);
    if (!fn || fn.hasError || insideBlock(fn)) {
      for (const found of findMacroCalls(c.text, from, to, LOCK_API)) {
        c.unchecked.push({ ...c.pos(found.start), name: found.name, reason: 'in a preprocessor branch spincheck could not parse' });
      }
      continue;
    }
    textCalls(c, from, to, { function: functionName(fn) }, fn);
  }
}

/** Uses of the API names that are neither calls nor declarations (e.g. taking the address). */
export function collectOtherUses(parser: CParser, view: View, c: Collector): void {
  for (const capture of parser.queries.names.captures(view.root)) {
    const node = capture.node;
    const parent = node.parent;
    if (!parent || !view.keep(node)) continue;
    if (parent.type === 'call_expression' && parent.childForFieldName('function')?.id === node.id) continue;
    if (/declarator$/.test(parent.type) || parent.type === 'declaration') continue;
    if (parent.type === 'preproc_function_def' || parent.type === 'preproc_def') continue;
    c.skip(node, node.text, 'used without being called (address taken?)');
  }
}

