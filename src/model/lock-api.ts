// The one table of spin-lock API forms (acquire, release, try, init): used by the instrumenter, the runtime's kinds and the path analysis.

/**
 * Which lock a call names:
 * - `cancel`, `vpb`: the one system-wide lock of that name (no argument names it);
 * - `spin`: an executive spin lock (`PKSPIN_LOCK`, `PEX_SPIN_LOCK`), named by the pointer argument `lock`;
 * - `interrupt`: an interrupt object's spin lock, named by the `PKINTERRUPT` argument `lock`;
 * - `queued`: a numbered system queued spin lock (`KSPIN_LOCK_QUEUE_NUMBER` in argument `lock`);
 * - `in-stack`: a spin lock taken through an in-stack queue handle: the acquire names the lock (`lock`) and
 *   the handle (`handle`); the release names only the handle, and releases the lock the handle holds.
 */
export type LockFamily = 'cancel' | 'vpb' | 'spin' | 'interrupt' | 'queued' | 'in-stack';

/**
 * What a call does: `try-acquire` holds the lock only when it returns non-zero; `convert` turns a shared hold
 * into an exclusive one when it returns non-zero (the lock stays held either way); `init` ends a lock's identity.
 */
export type LockOp = 'acquire' | 'release' | 'try-acquire' | 'convert' | 'init';

/** SDV's rule the form belongs to (the rule a violation at such a call is filed under). */
export type LockRule = 'CancelSpinLock' | 'SpinLock' | 'SpinLockDpc' | 'QueuedSpinLock';

export interface LockForm {
  /** The name as a driver writes it (function or DDK macro). */
  name: string;
  op: LockOp;
  family: LockFamily;
  rule: LockRule;
  /** Number of arguments a call has. */
  arity: number;
  /** Argument index of the lock (pointer, interrupt object, queue number); absent for system-wide locks. */
  lock?: number;
  /** Argument index of the in-stack queue handle (`PKLOCK_QUEUE_HANDLE`). */
  handle?: number;
  /** Argument index of the `PKIRQL` the acquire stores the previous IRQL into. */
  irqlOut?: number;
  /** Argument index of the IRQL the release restores. */
  irqlIn?: number;
  /** The call returns the previous IRQL (`KIRQL`), which the driver later passes to the release. */
  returnsIrql?: boolean;
  /** Shared (reader) acquisition of an executive spin lock. */
  shared?: boolean;
  /** Acquire at or release to DISPATCH_LEVEL: no IRQL is saved or restored. */
  atDpc?: boolean;
}

const cancel = { family: 'cancel', rule: 'CancelSpinLock' } as const;
const vpb = { family: 'vpb', rule: 'SpinLock' } as const;
const spin = { family: 'spin', rule: 'SpinLock' } as const;
const dpc = { family: 'spin', rule: 'SpinLockDpc', atDpc: true } as const;
const interrupt = { family: 'interrupt', rule: 'SpinLock' } as const;
const queued = { family: 'queued', rule: 'QueuedSpinLock' } as const;
const inStack = { family: 'in-stack', rule: 'QueuedSpinLock' } as const;

/** Every form, sorted by name (a test keeps it so). */
export const LOCK_FORMS: readonly LockForm[] = [
  { name: 'ExAcquireSpinLock', op: 'acquire', ...spin, arity: 2, lock: 0, irqlOut: 1 },
  { name: 'ExAcquireSpinLockAtDpcLevel', op: 'acquire', ...dpc, arity: 1, lock: 0 },
  { name: 'ExAcquireSpinLockExclusive', op: 'acquire', ...spin, arity: 1, lock: 0, returnsIrql: true },
  { name: 'ExAcquireSpinLockExclusiveAtDpcLevel', op: 'acquire', ...dpc, arity: 1, lock: 0 },
  { name: 'ExAcquireSpinLockShared', op: 'acquire', ...spin, arity: 1, lock: 0, returnsIrql: true, shared: true },
  { name: 'ExAcquireSpinLockSharedAtDpcLevel', op: 'acquire', ...dpc, arity: 1, lock: 0, shared: true },
  { name: 'ExReleaseSpinLock', op: 'release', ...spin, arity: 2, lock: 0, irqlIn: 1 },
  { name: 'ExReleaseSpinLockExclusive', op: 'release', ...spin, arity: 2, lock: 0, irqlIn: 1 },
  { name: 'ExReleaseSpinLockExclusiveFromDpcLevel', op: 'release', ...dpc, arity: 1, lock: 0 },
  { name: 'ExReleaseSpinLockFromDpcLevel', op: 'release', ...dpc, arity: 1, lock: 0 },
  { name: 'ExReleaseSpinLockShared', op: 'release', ...spin, arity: 2, lock: 0, irqlIn: 1, shared: true },
  { name: 'ExReleaseSpinLockSharedFromDpcLevel', op: 'release', ...dpc, arity: 1, lock: 0, shared: true },
  { name: 'ExTryAcquireSpinLockExclusiveAtDpcLevel', op: 'try-acquire', ...dpc, arity: 1, lock: 0 },
  { name: 'ExTryAcquireSpinLockSharedAtDpcLevel', op: 'try-acquire', ...dpc, arity: 1, lock: 0, shared: true },
  { name: 'ExTryConvertSharedSpinLockExclusive', op: 'convert', ...spin, arity: 1, lock: 0 },
  { name: 'IoAcquireCancelSpinLock', op: 'acquire', ...cancel, arity: 1, irqlOut: 0 },
  { name: 'IoAcquireVpbSpinLock', op: 'acquire', ...vpb, arity: 1, irqlOut: 0 },
  { name: 'IoReleaseCancelSpinLock', op: 'release', ...cancel, arity: 1, irqlIn: 0 },
  { name: 'IoReleaseVpbSpinLock', op: 'release', ...vpb, arity: 1, irqlIn: 0 },
  { name: 'KeAcquireInStackQueuedSpinLock', op: 'acquire', ...inStack, arity: 2, lock: 0, handle: 1 },
  { name: 'KeAcquireInStackQueuedSpinLockAtDpcLevel', op: 'acquire', ...inStack, atDpc: true, arity: 2, lock: 0, handle: 1 },
  { name: 'KeAcquireInStackQueuedSpinLockForDpc', op: 'acquire', ...inStack, arity: 2, lock: 0, handle: 1 },
  { name: 'KeAcquireInterruptSpinLock', op: 'acquire', ...interrupt, arity: 1, lock: 0, returnsIrql: true },
  { name: 'KeAcquireQueuedSpinLock', op: 'acquire', ...queued, arity: 1, lock: 0, returnsIrql: true },
  { name: 'KeAcquireSpinLock', op: 'acquire', ...spin, arity: 2, lock: 0, irqlOut: 1 },
  { name: 'KeAcquireSpinLockAtDpcLevel', op: 'acquire', ...dpc, arity: 1, lock: 0 },
  { name: 'KeAcquireSpinLockForDpc', op: 'acquire', ...spin, rule: 'SpinLockDpc', arity: 1, lock: 0, returnsIrql: true },
  { name: 'KeAcquireSpinLockRaiseToDpc', op: 'acquire', ...spin, arity: 1, lock: 0, returnsIrql: true },
  { name: 'KeInitializeSpinLock', op: 'init', ...spin, arity: 1, lock: 0 },
  { name: 'KeReleaseInStackQueuedSpinLock', op: 'release', ...inStack, arity: 1, handle: 0 },
  { name: 'KeReleaseInStackQueuedSpinLockForDpc', op: 'release', ...inStack, arity: 1, handle: 0 },
  { name: 'KeReleaseInStackQueuedSpinLockFromDpcLevel', op: 'release', ...inStack, atDpc: true, arity: 1, handle: 0 },
  { name: 'KeReleaseInterruptSpinLock', op: 'release', ...interrupt, arity: 2, lock: 0, irqlIn: 1 },
  { name: 'KeReleaseQueuedSpinLock', op: 'release', ...queued, arity: 2, lock: 0, irqlIn: 1 },
  { name: 'KeReleaseSpinLock', op: 'release', ...spin, arity: 2, lock: 0, irqlIn: 1 },
  { name: 'KeReleaseSpinLockForDpc', op: 'release', ...spin, rule: 'SpinLockDpc', arity: 2, lock: 0, irqlIn: 1 },
  { name: 'KeReleaseSpinLockFromDpcLevel', op: 'release', ...dpc, arity: 1, lock: 0 },
  { name: 'KeTryToAcquireSpinLockAtDpcLevel', op: 'try-acquire', ...dpc, arity: 1, lock: 0 },
  { name: 'KefAcquireSpinLockAtDpcLevel', op: 'acquire', ...dpc, arity: 1, lock: 0 },
  { name: 'KefReleaseSpinLockFromDpcLevel', op: 'release', ...dpc, arity: 1, lock: 0 },
  { name: 'KfAcquireSpinLock', op: 'acquire', ...spin, arity: 1, lock: 0, returnsIrql: true },
  { name: 'KfReleaseSpinLock', op: 'release', ...spin, arity: 2, lock: 0, irqlIn: 1 },
];

/** Forms by name. */
export const LOCK_FORM_BY_NAME: ReadonlyMap<string, LockForm> = new Map(LOCK_FORMS.map((f) => [f.name, f]));

/** The cancel spin lock's two forms (the rule's subject). */
export const CANCEL_LOCK_NAMES: readonly string[] = LOCK_FORMS.filter((f) => f.family === 'cancel').map((f) => f.name);
