// instrument(): C source text in, rewritten text + sites out. Pure: no file system, no process state.
import type { Role, RoleSource, Routine, Site, Unchecked } from '../model/index.js';
import { blankAnnotations } from './annotations.js';
import { INSTRUMENTED_MARKER, hook, preludeBlock, trailer } from './emit.js';
import { cParser } from './parse.js';
import type { CParser, SyntaxNode } from './parse.js';
import { LineMap } from './positions.js';
import { InsertOnlyRewriter } from './rewriter.js';
import { mentionsRelevantName } from './scan.js';
import { CANCEL_REGISTRARS, collectRoles, configuredRole } from './roles.js';
import type { RoleInfo, RoleTable } from './roles.js';
import { findMacroCalls } from './macros.js';
import { candidateIrp, isCandidateShape } from './shape.js';
import { assignedValue, enclosingFunction, functionName, isBroken, topLevel } from './syntax.js';
import type { InstrumentOptions, InstrumentResult, RoleConfig } from './types.js';

export type { Dialect, InstrumentOptions, InstrumentResult, ResolvedInclude, RoleConfig } from './types.js';
export { INSTRUMENTED_MARKER } from './emit.js';
export { mentionsRelevantName } from './scan.js';

import { InstrumentError } from './errors.js';

export { InstrumentError };

const LOCK_API = new Set(['IoAcquireCancelSpinLock', 'IoReleaseCancelSpinLock']);
/** A site found before indices are given, with where its hooks go. */
interface Pending {
  site: Omit<Site, 'index'>;
  at: number;
  order: number;
  apply: (index: number) => void;
  /** Other sites whose indices this one's hooks need (routine entry: its exits). */
  group?: Pending[];
}

class Collector {
  readonly pending: Pending[] = [];
  readonly unchecked: Unchecked[] = [];
  readonly routines: Array<Omit<Routine, 'entrySite'> & { entry: Pending }> = [];
  readonly diagnostics: string[] = [];
  readonly hooked: SyntaxNode[] = [];

  constructor(
    readonly text: string,
    readonly lines: LineMap,
    readonly rewriter: InsertOnlyRewriter,
  ) {}

  pos(index: number): { line: number; column: number } {
    return { line: this.lines.line(index), column: this.lines.column(index) };
  }

  skip(node: SyntaxNode, name: string, reason: string): void {
    this.unchecked.push({ ...this.pos(node.startIndex), name, reason });
  }
}

function argumentsOf(args: SyntaxNode): SyntaxNode[] {
  return args.namedChildren.filter((n) => n.type !== 'comment');
}

/** Acquire and release calls inside function bodies; registrations of routines. */
function collectCalls(parser: CParser, root: SyntaxNode, c: Collector): void {
  for (const match of parser.queries.calls.matches(root)) {
    const call = match.captures.find((x) => x.name === 'call')?.node;
    const callee = match.captures.find((x) => x.name === 'callee')?.node;
    const argList = match.captures.find((x) => x.name === 'args')?.node;
    if (!call || !callee || !argList) continue;
    const name = callee.text;
    const fn = enclosingFunction(call);
    const fnName = fn ? functionName(fn) : null;
    if (fnName && LOCK_API.has(fnName)) continue;
    const args = argumentsOf(argList);
    if (LOCK_API.has(name)) {
      if (!fn) c.skip(call, name, 'call outside a function body');
      else if (isBroken(call)) c.skip(call, name, 'parse error around the call');
      else if (args.length !== 1) c.skip(call, name, `called with ${args.length} arguments`);
      else lockCall(c, call, args[0] as SyntaxNode, name, fnName);
      continue;
    }
    const registrar = CANCEL_REGISTRARS[name];
    const target = registrar ? args[registrar.arg] : undefined;
    if (fn && target?.type === 'identifier' && !isBroken(call)) {
      registration(c, target, 'cancel', fnName);
    }
  }
  for (const match of parser.queries.majorFunction.matches(root)) {
    const store = match.captures.find((x) => x.name === 'store')?.node;
    const value = match.captures.find((x) => x.name === 'value')?.node;
    if (!store || !value || (store.parent && store.parent.type === 'assignment_expression')) continue;
    const target = assignedValue(value);
    const fn = enclosingFunction(store);
    if (fn && target.type === 'identifier' && !isBroken(store)) {
      registration(c, target, 'dispatch', functionName(fn));
    }
  }
}

function lockCall(c: Collector, call: SyntaxNode, arg: SyntaxNode, name: string, fnName: string | null): void {
  const acquire = name === 'IoAcquireCancelSpinLock';
  c.hooked.push(call);
  c.pending.push({
    site: { kind: acquire ? 'acquire' : 'release', ...c.pos(call.startIndex), function: fnName },
    at: call.startIndex,
    order: 0,
    apply: (i) => {
      if (acquire) {
        c.rewriter.before(call.startIndex, '(');
        c.rewriter.before(arg.startIndex, hook.acquireArg(i));
        c.rewriter.after(arg.endIndex, ')');
        c.rewriter.after(call.endIndex, hook.acquireAfter(i));
      } else {
        c.rewriter.before(arg.startIndex, hook.releaseArg(i));
        c.rewriter.after(arg.endIndex, ')');
      }
    },
  });
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
function collectMacroCalls(parser: CParser, root: SyntaxNode, c: Collector): void {
  for (const match of parser.queries.macros.matches(root)) {
    const name = match.captures.find((x) => x.name === 'name')?.node;
    const body = match.captures.find((x) => x.name === 'body')?.node;
    if (!name || !body || isBroken(body)) continue;
    for (const found of findMacroCalls(c.text, body.startIndex, body.endIndex, LOCK_API)) {
      if (found.argStart === undefined || found.argEnd === undefined) {
        c.unchecked.push({ ...c.pos(found.start), name: found.name, reason: found.reason ?? 'unreadable macro call' });
        continue;
      }
      const { start, end, argStart, argEnd } = found;
      const acquire = found.name === 'IoAcquireCancelSpinLock';
      c.hooked.push(body);
      c.pending.push({
        site: { kind: acquire ? 'acquire' : 'release', ...c.pos(start), function: null, macro: name.text },
        at: start,
        order: 0,
        apply: (i) => {
          if (acquire) {
            c.rewriter.before(start, '(');
            c.rewriter.before(argStart, hook.acquireArg(i));
            c.rewriter.after(argEnd, ')');
            c.rewriter.after(end, hook.acquireAfter(i));
          } else {
            c.rewriter.before(argStart, hook.releaseArg(i));
            c.rewriter.after(argEnd, ')');
          }
        },
      });
    }
  }
}

/** Uses of the API names that are neither calls nor declarations (e.g. taking the address). */
function collectOtherUses(parser: CParser, root: SyntaxNode, c: Collector): void {
  for (const capture of parser.queries.names.captures(root)) {
    const node = capture.node;
    const parent = node.parent;
    if (!parent) continue;
    if (parent.type === 'call_expression' && parent.childForFieldName('function')?.id === node.id) continue;
    if (/declarator$/.test(parent.type) || parent.type === 'declaration') continue;
    if (parent.type === 'preproc_function_def' || parent.type === 'preproc_def') continue;
    c.skip(node, node.text, 'used without being called (address taken?)');
  }
}

function roleFor(name: string, fn: SyntaxNode, table: RoleTable, config: RoleConfig | undefined): RoleInfo | undefined {
  const explicit = configuredRole(name, config && { dispatch: config.dispatch, cancel: config.cancel });
  if (explicit) return explicit;
  const known = table.get(name);
  if (known) return known;
  if (config?.allFunctions) return { role: 'dispatch', source: 'all-functions' };
  if (isCandidateShape(fn)) return { role: 'candidate', source: 'shape' };
  return undefined;
}

/** Entry and exit hooks for every routine with a role. */
function collectRoutines(
  parser: CParser,
  root: SyntaxNode,
  table: RoleTable,
  options: InstrumentOptions,
  c: Collector,
): void {
  for (const match of parser.queries.functions.matches(root)) {
    const fn = match.captures.find((x) => x.name === 'function')?.node;
    const body = match.captures.find((x) => x.name === 'body')?.node;
    const declarator = match.captures.find((x) => x.name === 'declarator')?.node;
    if (!fn || !body || !declarator) continue;
    const name = functionName(fn);
    if (!name || LOCK_API.has(name)) continue;
    const info = roleFor(name, fn, table, options.roles);
    if (!info) continue;
    const open = body.firstChild;
    const close = body.lastChild;
    const closeOk = close?.type === '}' && !close.isMissing && !body.hasError;
    const dialect = options.dialect ?? 'gnu';
    if (isBroken(declarator) || open?.type !== '{' || (options.dialect === 'msvc' && !closeOk)) {
      c.diagnostics.push(`${name}: not instrumented (parse error in the routine's header or braces)`);
      c.unchecked.push({ ...c.pos(fn.startIndex), name, reason: 'routine header or braces do not parse' });
      continue;
    }
    const fallOff = closeOk && (dialect === 'msvc' || returnsVoid(fn));
    routine(parser, c, { fn, body, name, info, fallOff, open, close, returnMacros: table.returnMacros });
  }
}

interface RoutineParts {
  fn: SyntaxNode;
  body: SyntaxNode;
  name: string;
  info: RoleInfo;
  /** Hook the closing brace: a void function can fall off its end (gcc warns falsely when a non-void one has it). */
  fallOff: boolean;
  open: SyntaxNode;
  close: SyntaxNode | null;
  returnMacros: Set<string>;
}

/** True for `void f(...)` / `VOID f(...)` definitions (not functions returning pointers). */
function returnsVoid(fn: SyntaxNode): boolean {
  return /^(void|VOID)$/.test(fn.childForFieldName('type')?.text ?? '') && fn.childForFieldName('declarator')?.type === 'function_declarator';
}

/** Statements of a routine that invoke a macro containing `return` (their line is recorded as a possible exit). */
function macroReturnStatements(body: SyntaxNode, fn: SyntaxNode, macros: Set<string>): SyntaxNode[] {
  if (macros.size === 0) return [];
  return body.descendantsOfType('expression_statement').filter((st) => {
    const call = st.namedChildren[0];
    const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
    return callee?.type === 'identifier' && macros.has(callee.text) && enclosingFunction(st)?.id === fn.id && !isBroken(st);
  });
}

function routine(parser: CParser, c: Collector, r: RoutineParts): void {
  const { fn, body, name, info } = r;
  const role: Role = info.role;
  const exitSite = (at: number, via: Site['via']): Omit<Site, 'index'> => ({
    kind: 'routine-exit', ...c.pos(at), function: name, role, roleSource: info.source, via,
  });
  const group: Pending[] = [];
  const other: Pending = { site: exitSite(fn.startIndex, 'other'), at: fn.startIndex, order: 1, apply: () => undefined };
  group.push(other);
  for (const capture of parser.queries.returns.captures(body)) {
    const ret = capture.node;
    if (enclosingFunction(ret)?.id !== fn.id || isBroken(ret)) continue;
    group.push({
      site: exitSite(ret.startIndex, 'return'),
      at: ret.startIndex,
      order: 0,
      apply: (i) => {
        c.rewriter.before(ret.startIndex, hook.ret(i));
        c.rewriter.after(ret.endIndex, ' }');
      },
    });
  }
  for (const st of macroReturnStatements(body, fn, r.returnMacros)) {
    group.push({
      site: { ...exitSite(st.startIndex, 'return'), macro: (st.namedChildren[0]?.childForFieldName('function')?.text ?? '') },
      at: st.startIndex,
      order: 0,
      apply: (i) => {
        c.rewriter.before(st.startIndex, hook.ret(i));
        c.rewriter.after(st.endIndex, ' }');
      },
    });
  }
  if (r.fallOff && r.close) {
    const close = r.close;
    group.push({
      site: exitSite(close.startIndex, 'fall-off'),
      at: close.startIndex,
      order: 0,
      apply: (i) => c.rewriter.before(close.startIndex, hook.end(i)),
    });
  }
  const irp = role === 'dispatch' ? null : candidateIrp(fn);
  const irql = irp ? `(int)(${irp})->CancelIrql` : '-1';
  const entry: Pending = {
    site: { kind: 'routine-entry', ...c.pos(fn.startIndex), function: name, role, roleSource: info.source },
    at: fn.startIndex,
    order: -1,
    apply: (i) => {
      const otherIndex = indexOf(other);
      c.rewriter.after(r.open.endIndex, hook.begin(i, otherIndex, role, name, irql));
    },
    group,
  };
  c.hooked.push(fn);
  c.pending.push(entry, ...group);
  c.routines.push({ name, role, roleSource: info.source, line: c.pos(fn.startIndex).line, entry });
}

const INDEX = new WeakMap<Pending, number>();
function indexOf(p: Pending): number {
  const i = INDEX.get(p);
  if (i === undefined) throw new InstrumentError('site used before it was numbered');
  return i;
}

/**
 * Where the prelude goes: the start of a line before the first top-level item holding a hook, after the
 * previous token (annotations, blanked in `parsed`, stay attached to their declaration).
 */
function preludeIndex(parsed: string, hooked: SyntaxNode[], bomLength: number): number {
  let first: SyntaxNode | null = null;
  for (const node of hooked) {
    const top = topLevel(node);
    if (!first || top.startIndex < first.startIndex) first = top;
  }
  for (let n = first; n; n = n.previousSibling) {
    let s = n.startIndex;
    while (s > bomLength && /\s/.test(parsed[s - 1] ?? '')) s--;
    if (s <= bomLength) return bomLength;
    const lineBreak = parsed.indexOf('\n', s);
    if (lineBreak >= 0 && lineBreak < n.startIndex && parsed[s - 1] !== '\\') return lineBreak + 1;
  }
  return bomLength;
}

function unchanged(source: string, reason: string | undefined, partial: Partial<InstrumentResult> = {}): InstrumentResult {
  return {
    code: source,
    changed: false,
    insertions: [],
    sites: [],
    routines: [],
    unchecked: partial.unchecked ?? [],
    diagnostics: partial.diagnostics ?? [],
    ...(reason ? { uninstrumentedReason: reason } : {}),
  };
}

/** Rewrites one C translation unit: hooks at every lock call, routine exit and registration; prelude; trailer. */
export function instrument(source: string, options: InstrumentOptions): InstrumentResult {
  if (source.includes(INSTRUMENTED_MARKER)) return unchanged(source, 'already instrumented');
  if (!mentionsRelevantName(source, options.roles)) return unchanged(source, undefined);
  const parser = cParser();
  const blanked = blankAnnotations(source);
  const tree = parser.parse(blanked.text);
  const root = tree.rootNode;
  const lines = new LineMap(source);
  const rewriter = new InsertOnlyRewriter(source);
  const c = new Collector(source, lines, rewriter);
  const table = collectRoles(parser, root, blanked, options);
  collectCalls(parser, root, c);
  collectMacroCalls(parser, root, c);
  collectOtherUses(parser, root, c);
  collectRoutines(parser, root, table, options, c);

  if (options.strict && c.unchecked.length > 0) {
    const u = c.unchecked[0] as Unchecked;
    throw new InstrumentError(`${options.sourceName ?? 'input'}:${u.line}:${u.column}: cannot instrument ${u.name}: ${u.reason}`);
  }
  if (c.pending.length === 0) {
    const mentionsLock = /\bIo(Acquire|Release)CancelSpinLock\s*\(/.test(source);
    const reason = mentionsLock && c.unchecked.length > 0 ? 'no call site could be instrumented safely' : undefined;
    if (reason) c.diagnostics.push(reason);
    return unchanged(source, reason, { unchecked: c.unchecked, diagnostics: c.diagnostics });
  }

  const ordered = [...c.pending].sort((a, b) => a.at - b.at || a.order - b.order);
  ordered.forEach((p, i) => INDEX.set(p, i));
  for (const p of ordered) p.apply(indexOf(p));
  const bom = source.startsWith('\uFEFF') ? 1 : source.startsWith('\xEF\xBB\xBF') ? 3 : 0;
  const at = preludeIndex(blanked.text, c.hooked, bom);
  rewriter.before(at, preludeBlock(lines.line(at), options.dialect ?? 'gnu', options.pragmaLib));
  const sites: Site[] = ordered.map((p, index) => ({ index, ...p.site }));
  rewriter.after(source.length, trailer(sites, options.tuId, options.sourceName ?? '', options.dataDir));
  const routines: Routine[] = c.routines.map(({ entry, ...r }) => ({ ...r, entrySite: indexOf(entry) }));
  return {
    code: rewriter.toString(),
    changed: true,
    insertions: rewriter.insertions,
    sites,
    routines,
    unchecked: c.unchecked,
    diagnostics: c.diagnostics,
  };
}

export type { RoleSource };
