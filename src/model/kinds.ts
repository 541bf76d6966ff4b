// The stable names every stage shares: violation kinds, site kinds, routine roles.

export const VIOLATION_KINDS = [
  'double-acquire',
  'release-not-held',
  'release-other-thread',
  'dispatch-exit-held',
  'cancel-exit-held',
  'irql-mismatch',
  'spin-lock-exit-held',
  'spin-lock-double-acquire',
  'spin-lock-release-not-held',
  'spin-lock-release-other-thread',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

export const VIOLATION_TEXT: Record<ViolationKind, string> = {
  'double-acquire': 'IoAcquireCancelSpinLock called while this thread already holds the cancel spin lock',
  'release-not-held': 'IoReleaseCancelSpinLock called while the cancel spin lock is not held',
  'release-other-thread': 'IoReleaseCancelSpinLock called while another thread holds the cancel spin lock',
  'dispatch-exit-held': 'dispatch routine returned holding the cancel spin lock',
  'cancel-exit-held': 'cancel routine returned holding the cancel spin lock',
  'irql-mismatch': 'a spin-lock release restores an IRQL other than the one its acquire saved',
  'spin-lock-exit-held': 'dispatch or cancel routine returned holding a spin lock it acquired',
  'spin-lock-double-acquire': 'spin lock acquired by the thread that already holds it',
  'spin-lock-release-not-held': 'spin lock released while no thread holds it',
  'spin-lock-release-other-thread': 'spin lock released by a thread other than its holder',
};

/** Kinds about spin locks other than the cancel lock (off with SPINCHECK_OPTIONS=check_spin_locks=0). */
export const SPIN_LOCK_KINDS: readonly ViolationKind[] = [
  'spin-lock-exit-held', 'spin-lock-double-acquire', 'spin-lock-release-not-held', 'spin-lock-release-other-thread',
];

/** What a model the harness runs on found (the kernel model: templates/kernel-model, docs/kernel-model.md):
 *  records of their own in the run data, shown beside the rule's violations. */
export const MODEL_FINDING_KINDS = [
  'double-completion',
  'bugcheck',
  'irp-leak',
  'pool-leak',
  'unbalanced-lock',
  'not-modelled',
  'hang',
  'model-error',
] as const;
export type ModelFindingKind = (typeof MODEL_FINDING_KINDS)[number];

export const MODEL_FINDING_TEXT: Record<ModelFindingKind, string> = {
  'double-completion': 'an IRP completed twice (bug check 0x44, MULTIPLE_IRP_COMPLETE_REQUESTS)',
  bugcheck: 'the kernel model stopped the run with a bug check',
  'irp-leak': 'an IRP was never completed',
  'pool-leak': 'pool memory was never freed',
  'unbalanced-lock': 'a routine returned at another IRQL, holding a lock, or releasing a lock it did not hold',
  'not-modelled': 'the driver called a kernel routine the kernel model does not implement',
  hang: 'a campaign run did not end within its timeout',
  'model-error': 'the kernel model found a misuse of a kernel interface',
};

/** Kinds recorded per lock: a distinct violation is (kind, site, acquire site), so two locks held at one exit are two
 *  violations, each naming its own lock; for the other kinds it is (kind, site). */
export const PER_LOCK_KINDS: readonly ViolationKind[] = ['spin-lock-exit-held'];

export const SITE_KINDS = ['acquire', 'release', 'routine-entry', 'routine-exit', 'registration'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

/** How a routine exit was reached: a `return`, the closing brace, or something the rewrite cannot see (macro, longjmp). */
export type ExitVia = 'return' | 'fall-off' | 'other';

export const ROLES = ['dispatch', 'cancel', 'candidate'] as const;
export type Role = (typeof ROLES)[number];

/** Numeric role codes passed to the C runtime; the C header mirrors them (test/model checks it). */
export const ROLE_CODE: Record<Role, number> = { dispatch: 1, cancel: 2, candidate: 3 };

/** Where a role came from (design §3). */
export type RoleSource =
  | 'role-type'
  | 'role-type-header'
  | 'dispatch-type-annotation'
  | 'major-function'
  | 'set-cancel-routine'
  | 'start-packet'
  | 'shape'
  | 'config'
  | 'all-functions';

export const EXIT_VIAS: readonly ExitVia[] = ['return', 'fall-off', 'other'];

export const ROLE_SOURCES: readonly RoleSource[] = [
  'role-type', 'role-type-header', 'dispatch-type-annotation', 'major-function', 'set-cancel-routine',
  'start-packet', 'shape', 'config', 'all-functions',
];

/** How each role source reads in a report. */
export const ROLE_SOURCE_TEXT: Record<RoleSource, string> = {
  'role-type': 'role type',
  'role-type-header': 'role type, header',
  'dispatch-type-annotation': '_Dispatch_type_',
  'major-function': 'MajorFunction store',
  'set-cancel-routine': 'IoSetCancelRoutine',
  'start-packet': 'IoStartPacket',
  shape: 'routine shape',
  config: 'configuration',
  'all-functions': 'all functions',
};
