// What evaluating an expression does to lock state, in evaluation order: lock calls, calls, writes.
import type { SyntaxNode } from '../instrument/parse.js';
import type { LockForm } from '../model/lock-api.js';
import { LOCK_FORM_BY_NAME } from '../model/lock-api.js';
import { canonical, nameable, placeKey } from './keys.js';

export type Effect =
  /** `irql`: where the acquire saves the previous IRQL (a completion helper handed it releases the lock). */
  | { t: 'lock'; form: LockForm; key: string; handle: string | null; irql: string | null; node: SyntaxNode }
  /** `x = KeTryToAcquire...(l)`: x is non-zero exactly when the lock was taken. */
  | { t: 'try-assign'; form: LockForm; key: string; target: string; node: SyntaxNode }
  | { t: 'call'; name: string; args: string[]; node: SyntaxNode }
  | { t: 'indirect'; node: SyntaxNode }
  /** A call through a cancel-routine pointer (`PDRIVER_CANCEL`, `Irp->CancelRoutine`): the callee releases the cancel lock. */
  | { t: 'cancel-routine'; node: SyntaxNode }
  | { t: 'noreturn'; node: SyntaxNode }
  | { t: 'give-up'; reason: string; node: SyntaxNode }
  | { t: 'write'; target: string; value: boolean | null };

/** Calls that never return (the WDK's and the C library's); functions declared noreturn are added per file. */
export const NORETURN = new Set([
  'KeBugCheck', 'KeBugCheckEx', 'ExRaiseStatus', 'ExRaiseAccessViolation', 'ExRaiseDatatypeMisalignment',
  'RtlRaiseStatus', 'RtlRaiseException', 'RtlFailFast', '__fastfail', 'abort', 'exit', '_exit', '_Exit',
  '__builtin_trap', '__builtin_unreachable', 'quick_exit',
]);

/** Calls that leave the function by a path the graph cannot see. */
const NONLOCAL = new Set(['longjmp', '_longjmp', 'siglongjmp', '__builtin_longjmp', 'setjmp', '_setjmp']);

/** Names of the values a driver writes for true and false. */
const CONSTANTS: Record<string, boolean> = { TRUE: true, FALSE: false, true: true, false: false, NULL: false, '0': false, '1': true };

/** The key of a system-wide lock (no argument names it). */
export function systemLockKey(form: LockForm): string | null {
  return form.family === 'cancel' || form.family === 'vpb' ? form.family : null;
}

export interface EffectContext {
  /** Functions defined in this file. */
  defined: ReadonlySet<string>;
  /** Functions declared noreturn in this file. */
  noreturn: ReadonlySet<string>;
  /** Parameters and locals of the function (a call through one is indirect). */
  variables: ReadonlySet<string>;
  /** Parameters and locals declared as cancel-routine pointers. */
  cancelPointers: ReadonlySet<string>;
}

function args(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((n) => n.type !== 'comment') ?? [];
}

/** The lock effect of a lock API call, or a give-up when its lock cannot be named. */
function lockEffect(form: LockForm, call: SyntaxNode): Effect {
  const a = args(call);
  if (a.length !== form.arity) return { t: 'give-up', reason: `${form.name} called with ${a.length} arguments`, node: call };
  const system = systemLockKey(form);
  const handle = form.handle === undefined ? null : placeKey(a[form.handle]?.text ?? '');
  const key = system ?? (form.lock === undefined ? '' : placeKey(a[form.lock]?.text ?? ''));
  if ((key && !system && !nameable(key)) || (handle !== null && !nameable(handle))) {
    return { t: 'give-up', reason: `${form.name}: lock expression it cannot name`, node: call };
  }
  const irql = form.irqlOut === undefined ? null : placeKey(a[form.irqlOut]?.text ?? '');
  return { t: 'lock', form, key: form.family === 'queued' ? `queued:${key}` : key, handle, irql, node: call };
}

/** True when the expression calls something (other than an all-capitals macro such as NT_SUCCESS). */
export function hasCall(n: SyntaxNode): boolean {
  return n.descendantsOfType('call_expression').some((c) => {
    const f = c.childForFieldName('function');
    return !(f?.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(f.text) && !LOCK_FORM_BY_NAME.has(f.text));
  });
}

/** The constant a value is, when it is one a flag is set to. */
function constant(n: SyntaxNode | null): boolean | null {
  let v = n;
  while (v?.type === 'parenthesized_expression' || v?.type === 'cast_expression') v = v.childForFieldName('value') ?? v.namedChildren[v.namedChildren.length - 1] ?? null;
  if (!v) return null;
  const c = CONSTANTS[v.text];
  return c === undefined ? null : c;
}

function stripped(n: SyntaxNode | null): SyntaxNode | null {
  let v = n;
  while (v?.type === 'parenthesized_expression') v = v.namedChildren[0] ?? null;
  return v;
}

function lockCall(n: SyntaxNode | null): LockForm | undefined {
  let v = n;
  while (v?.type === 'parenthesized_expression') v = v.namedChildren[0] ?? null;
  if (v?.type !== 'call_expression') return undefined;
  const f = v.childForFieldName('function');
  return f?.type === 'identifier' ? LOCK_FORM_BY_NAME.get(f.text) : undefined;
}

/** Effects of an expression, declaration or initializer, in evaluation order. */
export function effects(node: SyntaxNode, ctx: EffectContext): Effect[] {
  const out: Effect[] = [];
  walk(node, ctx, out);
  return out;
}

/** True when a sub-expression evaluated only conditionally does something the analysis tracks. */
function tracked(n: SyntaxNode, ctx: EffectContext): boolean {
  return n.descendantsOfType('call_expression').some((c) => {
    const f = c.childForFieldName('function');
    if (f?.type !== 'identifier') return true;
    return LOCK_FORM_BY_NAME.has(f.text) || ctx.defined.has(f.text) || ctx.noreturn.has(f.text) || NORETURN.has(f.text) || ctx.variables.has(f.text);
  });
}

type Walker = (n: SyntaxNode, ctx: EffectContext, out: Effect[]) => void;

const children: Walker = (n, ctx, out) => {
  for (const c of n.namedChildren) walk(c, ctx, out);
};

/** `a && b`, `a || b`, `c ? x : y`: what runs only conditionally must not be a lock call or a helper's call. */
const shortCircuit: Walker = (n, ctx, out) => {
  const [first, ...rest] = n.namedChildren;
  if (first) walk(first, ctx, out);
  for (const r of rest) {
    if (tracked(r, ctx)) out.push({ t: 'give-up', reason: 'a lock call or helper call evaluated only conditionally inside an expression', node: r });
    else walk(r, ctx, out);
  }
};

const nothing: Walker = () => undefined;

/** Expression and declaration node types with effects of their own; others are walked through. */
const WALKERS: Record<string, Walker> = {
  call_expression: (n, ctx, out) => call(n, ctx, out),
  assignment_expression: (n, ctx, out) =>
    store(n.childForFieldName('left'), n.childForFieldName('right'), (n.childForFieldName('operator')?.type ?? '=') === '=', ctx, out),
  init_declarator: (n, ctx, out) => store(n.childForFieldName('declarator'), n.childForFieldName('value'), true, ctx, out),
  update_expression: (n, _ctx, out) => {
    const arg = n.childForFieldName('argument');
    if (arg) out.push({ t: 'write', target: canonical(arg.text), value: null });
  },
  conditional_expression: shortCircuit,
  binary_expression: (n, ctx, out) => (/^(&&|\|\|)$/.test(n.childForFieldName('operator')?.type ?? '') ? shortCircuit : children)(n, ctx, out),
  sizeof_expression: nothing,
  alignof_expression: nothing,
  string_literal: nothing,
  comment: nothing,
};

function walk(n: SyntaxNode, ctx: EffectContext, out: Effect[]): void {
  (WALKERS[n.type] ?? children)(n, ctx, out);
}

/** `target = value` (an assignment, or a declaration's initialiser): the value's effects, then the write. A try-acquire
 *  stored is remembered with its variable; an acquire that returns the IRQL saves it in the target. */
function store(target: SyntaxNode | null, value: SyntaxNode | null, plain: boolean, ctx: EffectContext, out: Effect[]): void {
  const form = lockCall(value);
  if (target && value && plain && form?.op === 'try-acquire') {
    const e = lockEffect(form, stripped(value) as SyntaxNode);
    out.push(e.t === 'lock' ? { t: 'try-assign', form, key: e.key, target: canonical(target.text), node: e.node } : e);
    return;
  }
  if (value) walk(value, ctx, out);
  const last = out[out.length - 1];
  if (target && form?.returnsIrql && last?.t === 'lock' && last.node.id === stripped(value)?.id) out[out.length - 1] = { ...last, irql: canonical(target.text) };
  if (target) out.push({ t: 'write', target: canonical(target.text), value: plain ? constant(value) : null });
}

function call(n: SyntaxNode, ctx: EffectContext, out: Effect[]): void {
  const f = n.childForFieldName('function');
  const a = args(n);
  for (const x of a) walk(x, ctx, out);
  const cancelRoutine = f?.type === 'field_expression' ? f.childForFieldName('field')?.text === 'CancelRoutine' : ctx.cancelPointers.has(f?.text ?? '');
  if (cancelRoutine && a.length === 2) {
    out.push({ t: 'cancel-routine', node: n });
    return;
  }
  if (f?.type !== 'identifier') {
    if (f) walk(f, ctx, out);
    out.push({ t: 'indirect', node: n });
    return;
  }
  const name = f.text;
  const form = LOCK_FORM_BY_NAME.get(name);
  if (form) {
    if (form.op !== 'init' && form.op !== 'convert') out.push(lockEffect(form, n));
    return;
  }
  if (NONLOCAL.has(name)) out.push({ t: 'give-up', reason: `${name} (a non-local jump)`, node: n });
  else if (NORETURN.has(name) || ctx.noreturn.has(name)) out.push({ t: 'noreturn', node: n });
  else if (ctx.variables.has(name) && !ctx.defined.has(name)) out.push({ t: 'indirect', node: n });
  else out.push({ t: 'call', name, args: a.map((x) => x.text), node: n });
  // A variable whose address is passed may be written by the callee.
  for (const x of a) {
    if (x.type === 'pointer_expression' && x.child(0)?.type === '&') {
      const target = x.childForFieldName('argument');
      if (target) out.push({ t: 'write', target: canonical(target.text), value: null });
    }
  }
}
