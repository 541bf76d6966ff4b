// Hooks at routines: entry, every return, the closing brace, returns hidden in macros.
import type { Role, Site } from '../model/index.js';
import type { Collector, Pending, View } from './collector.js';
import { LOCK_API, indexOf } from './collector.js';
import { hook } from './emit.js';
import type { CParser, SyntaxNode } from './parse.js';
import type { RoleInfo, RoleTable } from './roles.js';
import { configuredRole } from './roles.js';
import type { RoutineShape } from './shape.js';
import { routineShape } from './shape.js';
import { ancestry, brokenWith, enclosingFunction, functionName, isBroken } from './syntax.js';
import type { InstrumentOptions, RoleConfig } from './types.js';

export function roleFor(
  name: string,
  fn: SyntaxNode,
  table: RoleTable,
  config: RoleConfig | undefined,
  shape: () => RoutineShape = () => routineShape(fn),
): RoleInfo | undefined {
  const explicit = configuredRole(name, config && { dispatch: config.dispatch, cancel: config.cancel });
  if (explicit) return explicit;
  const known = table.get(name);
  if (known) return known;
  if (config?.allFunctions) return { role: 'dispatch', source: 'all-functions' };
  if (shape().candidate) return { role: 'candidate', source: 'shape' };
  return undefined;
}

/** Entry and exit hooks for every routine with a role. */
export function collectRoutines(
  parser: CParser,
  view: View,
  table: RoleTable,
  options: InstrumentOptions,
  c: Collector,
): void {
  for (const match of parser.queries.functions.matches(view.root)) {
    const fn = match.captures.find((x) => x.name === 'function')?.node;
    const body = match.captures.find((x) => x.name === 'body')?.node;
    const declarator = match.captures.find((x) => x.name === 'declarator')?.node;
    if (!fn || !body || !declarator || !view.keep(fn)) continue;
    const around = ancestry(fn);
    if (around.inBlock || (view.fallback && fn.hasError)) continue;
    const name = functionName(fn);
    if (!name || LOCK_API.has(name)) continue;
    let shape: RoutineShape | undefined;
    const shapeOf = () => (shape ??= routineShape(fn));
    const info = roleFor(name, fn, table, options.roles, shapeOf);
    if (!info) continue;
    const open = body.firstChild;
    const close = body.lastChild;
    const closeOk = close?.type === '}' && !close.isMissing && !body.hasError && c.sameBranch(body.startIndex, body.endIndex);
    const dialect = options.dialect ?? 'gnu';
    // The declarator is a child of `fn`: the ERROR nodes above it are those above `fn`.
    if (brokenWith(declarator, around) || open?.type !== '{' || (options.dialect === 'msvc' && !closeOk)) {
      c.diagnostics.push(`${name}: not instrumented (parse error in the routine's header or braces)`);
      c.unchecked.push({ ...c.pos(fn.startIndex), name, reason: 'routine header or braces do not parse' });
      continue;
    }
    const fallOff = closeOk && (dialect === 'msvc' || returnsVoid(fn));
    const irp = info.role === 'dispatch' ? null : shapeOf().irp;
    routine(parser, c, { fn, body, name, info, fallOff, open, close, irp, returnMacros: table.returnMacros, inError: around.inError });
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
  /** The IRP parameter whose CancelIrql the entry hook records (none for dispatch routines). */
  irp: string | null;
  returnMacros: Set<string>;
  /** An ancestor of `fn` is an ERROR node. */
  inError: boolean;
}

/** True for `void f(...)` / `VOID f(...)` definitions (not functions returning pointers). */
function returnsVoid(fn: SyntaxNode): boolean {
  return /^(void|VOID)$/.test(fn.childForFieldName('type')?.text ?? '') && fn.childForFieldName('declarator')?.type === 'function_declarator';
}

/** Statements of a routine that invoke a macro containing `return` (their line is recorded as a possible exit). */
function macroReturnStatements(
  body: SyntaxNode,
  fn: SyntaxNode,
  macros: Set<string>,
  sameBranch: (a: number, b: number) => boolean,
): SyntaxNode[] {
  if (macros.size === 0) return [];
  return body.descendantsOfType('expression_statement').filter((st) => {
    const call = st.namedChildren[0];
    const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
    return (
      callee?.type === 'identifier' &&
      macros.has(callee.text) &&
      enclosingFunction(st)?.id === fn.id &&
      !isBroken(st) &&
      sameBranch(st.startIndex, st.endIndex)
    );
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
  // In a body with parse errors, tree-sitter may have merged the next function into this one: its returns
  // would get hooks naming a frame they cannot see. Such a routine keeps only its entry hook; the exit hook
  // still runs on every exit (counted at the catch-all exit site).
  const found = body.hasError ? [] : parser.queries.returns.captures(body);
  // A body without errors holds no ERROR node: its returns belong to `fn` and are broken only when `fn` is, unless
  // a function definition is nested in it (then each return is walked up from).
  const nested = found.some((x) => x.name === 'function');
  const belongs = (ret: SyntaxNode): boolean => {
    if (!nested) return !r.inError;
    const around = ancestry(ret);
    return around.fn?.id === fn.id && !brokenWith(ret, around);
  };
  for (const capture of found) {
    const ret = capture.node;
    if (capture.name !== 'return' || !belongs(ret) || !c.sameBranch(ret.startIndex, ret.endIndex)) continue;
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
  for (const st of body.hasError ? [] : macroReturnStatements(body, fn, r.returnMacros, (a, b) => c.sameBranch(a, b))) {
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
  const irql = r.irp ? `(int)(${r.irp})->CancelIrql` : '-1';
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

