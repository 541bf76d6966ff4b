// The hooks of every spin-lock form but the cancel lock's, derived from the form's entry in src/model/lock-api.ts.
import type { LockForm } from '../model/lock-api.js';

/** A range of the original text: a call, or one of its arguments. */
export interface Span {
  start: number;
  end: number;
}

/** Text to insert before a range's start and after its end. */
export interface Wrap {
  span: Span;
  open: string;
  close: string;
}

/** Forms the runtime tracks (the cancel lock has hooks of its own; a convert changes nothing it tracks). */
export function isSpinHooked(form: LockForm): boolean {
  return form.family !== 'cancel' && form.op !== 'convert';
}

/** Forms that are a site (an init only forgets a lock: it has a hook but no site). */
export function isSpinSite(form: LockForm): boolean {
  return isSpinHooked(form) && form.op !== 'init';
}

function flags(form: LockForm): string {
  const f = [form.shared ? 'SPINCHECK_SPIN_SHARED' : '', form.op === 'try-acquire' ? 'SPINCHECK_SPIN_TRY' : ''].filter(Boolean);
  return f.length ? f.join(' | ') : '0';
}

/**
 * An argument's text that can be evaluated a second time, as the hook's copy, with no effect: names, constants,
 * member access, address-of, dereference, indexing, casts; no call, assignment, increment or comment, on one line.
 * Not inside a macro body, where a parameter may expand to anything, and no upper-case name outside a member
 * access or a cast's type: by convention a macro, which may expand to a call (`DISPATCH_LEVEL` costs one hook more).
 */
export function isPureArgument(text: string, inMacro: boolean): boolean {
  if (inMacro || !/^[\w\s.&*()[\]>-]+$/.test(text) || /[\r\n]/.test(text)) return false;
  const rest = text.replace(/->/g, ' ');
  if (/[->]/.test(rest) || /\b\w+\s*\(/.test(rest)) return false;
  const names = text.replace(/(->|\.)\s*\w+/g, ' ').replace(/\(\s*\w+[\s*]*\)(?=\s*[\w(&*])/g, ' ');
  return !/\b[A-Z_][A-Z0-9_]+\b/.test(names);
}

/**
 * A lock argument's text that names the same lock when evaluated again after the real acquire returns: pure, and
 * reading at most one pointer from memory, no unary `*` and no member in an index (`&ext->Lock`, `&g_lock`, `Lock`,
 * `&ext->Queue[2].Lock`, `&ext->Queue[i].Lock`). A pointer or index that another thread may change while this one
 * waits in the real acquire (`&ext->Current->Lock`, `&q[ext->Index].Lock`) keeps the hook that records the lock.
 */
export function isStableLockText(text: string, inMacro: boolean): boolean {
  if (!isPureArgument(text, inMacro)) return false;
  const bare = text.replace(/\(\s*\w+[\s*]*\)(?=\s*[\w(&*])/g, ' ');
  if (bare.includes('*') || (bare.match(/->/g) ?? []).length > 1) return false;
  return ![...bare.matchAll(/\[([^\]]*)\]/g)].some((m) => /->|\./.test(m[1] ?? ''));
}

/** The text of argument `index`, when `usable` says it can be evaluated again. */
function copiedText(text: string, args: readonly Span[], index: number | undefined, usable: (t: string) => boolean): string | undefined {
  const span = index === undefined ? undefined : args[index];
  const t = span && text.slice(span.start, span.end).trim();
  return t && usable(t) ? t : undefined;
}

function arg(args: readonly Span[], index: number | undefined, open: string): Wrap[] {
  const span = index === undefined ? undefined : args[index];
  return span ? [{ span, open, close: ')' }] : [];
}

/**
 * The wraps for a call of `form` with arguments `args` (already checked against the form's arity), site `i`, in the
 * file's `text`. A pointer-named lock with an IRQL argument (PKIRQL, or IRQL to restore) whose text can be evaluated
 * twice gets one hook for both (SPINCHECK_SACQI, SPINCHECK_SRELI) on the lock argument; a `void` acquire whose lock
 * text can be evaluated twice too hands both to its post hook, and its lock argument's hook only checks
 * (SPINCHECK_SACQP, SPINCHECK_SPOSTP: nothing recorded before the real call).
 */
export function spinWraps(form: LockForm, call: Span, args: readonly Span[], i: number, text: string, inMacro: boolean): Wrap[] {
  const numbered = form.family === 'queued';
  if (form.op === 'init') return arg(args, form.lock, 'SPINCHECK_SINIT(');
  const irqlArg = form.op === 'release' ? form.irqlIn : form.irqlOut;
  // An acquire without a PKIRQL hands the hook a null one.
  const other = form.op !== 'release' && irqlArg === undefined ? '0' : copiedText(text, args, irqlArg, (t) => isPureArgument(t, inMacro));
  const both = !numbered && form.lock !== undefined && form.handle === undefined ? other : undefined;
  if (both !== undefined && form.op === 'release') return arg(args, form.lock, `SPINCHECK_SRELI(${i}, `).map((w) => ({ ...w, close: `, ${both})` }));
  if (form.op === 'release') {
    const parts = form.irqlIn === undefined ? 1 : 2;
    const own = form.family === 'vpb' ? [{ span: call, open: `(SPINCHECK_SRELK(${i}), `, close: ')' }] : [];
    return [
      ...own,
      ...arg(args, form.lock, numbered ? `SPINCHECK_SRELN(${i}, ${parts}, ` : `SPINCHECK_SREL(${i}, ${parts}, `),
      ...(form.lock === undefined ? arg(args, form.handle, `SPINCHECK_SRELH(${i}, `) : []),
      ...arg(args, form.irqlIn, `SPINCHECK_SRIRQ(${i}, `),
    ];
  }
  const value = form.op === 'try-acquire' ? 'SPINCHECK_VALUE_TRY' : form.returnsIrql ? 'SPINCHECK_VALUE_IRQL' : undefined;
  const pre = form.family === 'vpb' ? `SPINCHECK_SACQK(${i}), ` : '';
  // The saved IRQL is read through the PKIRQL text again where it is copied (it names the same object after the call).
  const lock = both !== undefined && !value && !pre ? copiedText(text, args, form.lock, (t) => isStableLockText(t, inMacro)) : undefined;
  if (lock !== undefined) {
    return [
      { span: call, open: '(', close: `, SPINCHECK_SPOSTP(${i}, ${flags(form)}, ${lock}, ${both}))` },
      ...arg(args, form.lock, `SPINCHECK_SACQP(${i}, ${flags(form)}, `),
    ];
  }
  const postHook = both !== undefined && both !== '0' ? `SPINCHECK_SPOSTI(${i}, ${both})` : `SPINCHECK_SPOST(${i})`;
  const post: Wrap = value
    ? { span: call, open: `SPINCHECK_SPOSTV(${i}, ${value}, `, close: ')' }
    : { span: call, open: `(${pre}`, close: `, ${postHook})` };
  if (both !== undefined) return [post, ...arg(args, form.lock, `SPINCHECK_SACQI(${i}, ${flags(form)}, `).map((w) => ({ ...w, close: `, ${both})` }))];
  return [
    post,
    ...arg(args, form.lock, numbered ? `SPINCHECK_SACQN(${i}, ${flags(form)}, ` : `SPINCHECK_SACQ(${i}, ${flags(form)}, `),
    ...arg(args, form.irqlOut, `SPINCHECK_SIRQ(${i}, `),
    ...arg(args, form.handle, `SPINCHECK_SHND(${i}, `),
  ];
}

/** The text naming the lock a call takes or releases (the in-stack handle for its release), for reports. */
export function lockText(text: string, form: LockForm, args: readonly Span[]): string | undefined {
  const span = args[form.lock ?? form.handle ?? -1];
  return span ? text.slice(span.start, span.end).replace(/\s+/g, ' ') : undefined;
}
