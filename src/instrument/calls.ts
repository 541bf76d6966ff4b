// Hooks at calls: acquire and release (in function bodies and #define bodies), routine registrations, other uses.
import type { LockForm } from '../model/lock-api.js';
import { LOCK_FORM_BY_NAME } from '../model/lock-api.js';
import type { Collector, View } from './collector.js';
import { LOCK_API } from './collector.js';
import { hook } from './emit.js';
import { findMacroCalls } from './macros.js';
import type { CParser, SyntaxNode } from './parse.js';
import { CANCEL_REGISTRARS } from './roles.js';
import type { Span } from './spin-hooks.js';
import { isSpinHooked, isSpinSite, lockText, spinWraps } from './spin-hooks.js';
import { ancestry, argumentsOf, assignedValue, brokenWith, enclosingFunction, functionName, insideBlock, isBroken } from './syntax.js';

/** Acquire and release calls inside function bodies; registrations of routines. */
export function collectCalls(parser: CParser, view: View, c: Collector): void {
  const names = new Map<number, string | null>();
  const nameOf = (fn: SyntaxNode): string | null => {
    if (!names.has(fn.id)) names.set(fn.id, functionName(fn));
    return names.get(fn.id) ?? null;
  };
  for (const match of parser.queries.calls.matches(view.root)) {
    const call = match.captures.find((x) => x.name === 'call')?.node;
    const callee = match.captures.find((x) => x.name === 'callee')?.node;
    const argList = match.captures.find((x) => x.name === 'args')?.node;
    if (!call || !callee || !argList || !view.keep(call)) continue;
    const name = callee.text;
    const around = ancestry(call);
    const fn = around.fn;
    const fnName = fn ? nameOf(fn) : null;
    if (fnName && LOCK_API.has(fnName)) continue;
    const args = argumentsOf(argList);
    const form = LOCK_FORM_BY_NAME.get(name);
    if (form) {
      if (!hookedForm(form)) continue;
      if (!fn || around.fnInBlock) c.skip(call, name, 'call outside a function body');
      else if (view.fallback && fn.hasError) c.skip(call, name, 'parse error in the enclosing function');
      else if (brokenWith(call, around)) c.skip(call, name, 'parse error around the call');
      else if (args.length !== form.arity) c.skip(call, name, `called with ${args.length} arguments`);
      else if (!c.sameBranch(call.startIndex, call.endIndex)) c.skip(call, name, 'the call spans a preprocessor conditional');
      else {
        const span = { form, start: call.startIndex, end: call.endIndex, args: args.map((a) => ({ start: a.start, end: a.end })) };
        lockSite(c, span, { function: fnName }, call);
      }
      continue;
    }
    const registrar = CANCEL_REGISTRARS[name];
    const target = registrar ? args[registrar.arg] : undefined;
    if (fn && target?.type === 'identifier' && !brokenWith(call, around)) {
      registration(c, target, 'cancel', fnName, call);
    }
  }
  for (const match of parser.queries.majorFunction.matches(view.root)) {
    const store = match.captures.find((x) => x.name === 'store')?.node;
    const value = match.captures.find((x) => x.name === 'value')?.node;
    if (!store || !value || !view.keep(store) || (store.parent && store.parent.type === 'assignment_expression')) continue;
    const target = assignedValue(value);
    const around = ancestry(store);
    if (around.fn && target.type === 'identifier' && !brokenWith(store, around)) {
      registration(c, { start: target.startIndex, end: target.endIndex }, 'dispatch', nameOf(around.fn), target);
    }
  }
}

/** Where a lock call and its arguments are, in the original text. */
interface CallSpan extends Span {
  form: LockForm;
  args: Span[];
}

function hookedForm(form: LockForm): boolean {
  return form.family === 'cancel' || isSpinHooked(form);
}

/** Hooks one lock call: the cancel lock's acquire checks before and records after the real call, its release
 *  checks before; every other form as spin-hooks.ts derives from the table. */
function lockSite(c: Collector, span: CallSpan, where: { function: string | null; macro?: string }, node: SyntaxNode): void {
  const { form } = span;
  if (form.family !== 'cancel') {
    spinSite(c, span, where, node);
    return;
  }
  const acquire = form.op === 'acquire';
  const arg = span.args[0] as Span;
  c.hooked.push(node);
  c.pending.push({
    site: { kind: acquire ? 'acquire' : 'release', ...c.pos(span.start), ...where },
    at: span.start,
    order: 0,
    apply: (i) => {
      if (acquire) {
        c.rewriter.before(span.start, '(');
        c.rewriter.before(arg.start, hook.acquireArg(i));
        c.rewriter.after(arg.end, ')');
        c.rewriter.after(span.end, hook.acquireAfter(i));
      } else {
        c.rewriter.before(arg.start, hook.releaseArg(i));
        c.rewriter.after(arg.end, ')');
      }
    },
  });
}

function spinSite(c: Collector, span: CallSpan, where: { function: string | null; macro?: string }, node: SyntaxNode): void {
  const { form } = span;
  const apply = (i: number) => {
    for (const w of spinWraps(form, span, span.args, i, c.text, where.macro !== undefined)) {
      c.rewriter.before(w.span.start, w.open);
      c.rewriter.after(w.span.end, w.close);
    }
  };
  c.hooked.push(node);
  if (!isSpinSite(form)) {
    c.siteless.push(() => apply(-1));
    return;
  }
  const lock = lockText(c.text, form, span.args);
  c.pending.push({
    site: { kind: form.op === 'release' ? 'release' : 'acquire', ...c.pos(span.start), ...where, api: form.name, ...(lock ? { lock } : {}) },
    at: span.start,
    order: 0,
    apply,
  });
}

/** Lock calls found by scanning text (macro bodies, branches the parse blanked); those it cannot read are listed. */
function textCalls(c: Collector, from: number, to: number, where: { function: string | null; macro?: string }, node: SyntaxNode): void {
  for (const found of findMacroCalls(c.text, from, to, LOCK_API)) {
    const form = LOCK_FORM_BY_NAME.get(found.name) as LockForm;
    if (!hookedForm(form)) continue;
    const { start, end, args } = found;
    const reason = found.reason ??
      (!args || args.length !== form.arity ? `macro call with ${args?.length ?? 0} arguments` : undefined) ??
      (!c.sameBranch(start, end) ? 'the call spans a preprocessor conditional' : undefined);
    if (reason || !args) {
      c.unchecked.push({ ...c.pos(start), name: found.name, reason: reason ?? 'unreadable call' });
      continue;
    }
    lockSite(c, { form, start, end, args: args.map(([a, b]) => ({ start: a, end: b })) }, where, node);
  }
}

/** Hooks the routine named at `target`; `node` holds it (the prelude goes before the top-level item holding it). */
function registration(c: Collector, target: Span, role: 'dispatch' | 'cancel', fnName: string | null, node: SyntaxNode): void {
  c.hooked.push(node);
  c.pending.push({
    site: { kind: 'registration', ...c.pos(target.start), function: fnName, role },
    at: target.start,
    order: 0,
    apply: (i) => {
      c.rewriter.before(target.start, hook.register(i, role));
      c.rewriter.after(target.end, ')');
    },
  });
}

/** Calls written inside #define bodies (tree-sitter leaves macro bodies unparsed). */
export function collectMacroCalls(parser: CParser, view: View, c: Collector): void {
  for (const match of parser.queries.macros.matches(view.root)) {
    const name = match.captures.find((x) => x.name === 'name')?.node;
    const body = match.captures.find((x) => x.name === 'body')?.node;
    if (!name || !body || !view.keep(body) || isBroken(body) || LOCK_API.has(name.text)) continue;
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

