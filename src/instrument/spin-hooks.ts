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

function arg(args: readonly Span[], index: number | undefined, open: string): Wrap[] {
  const span = index === undefined ? undefined : args[index];
  return span ? [{ span, open, close: ')' }] : [];
}

/** The wraps for a call of `form` with arguments `args` (already checked against the form's arity), site `i`. */
export function spinWraps(form: LockForm, call: Span, args: readonly Span[], i: number): Wrap[] {
  const numbered = form.family === 'queued';
  if (form.op === 'init') return arg(args, form.lock, 'SPINCHECK_SINIT(');
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
  const post: Wrap = value
    ? { span: call, open: `SPINCHECK_SPOSTV(${i}, ${value}, `, close: ')' }
    : { span: call, open: `(${pre}`, close: `, SPINCHECK_SPOST(${i}))` };
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
