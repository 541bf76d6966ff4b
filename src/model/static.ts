// How a static finding reads, in one place for `spincheck check` and every report format.
import type { StaticFinding, StaticFindingKind } from './format.js';
import type { ViolationKind } from './kinds.js';

/** The run-time violation kinds that confirm a static finding of each kind (same place: exit or call site). */
export const CONFIRMED_BY: Record<StaticFindingKind, readonly ViolationKind[]> = {
  'exit-held': ['dispatch-exit-held', 'cancel-exit-held'],
  'double-acquire': ['double-acquire'],
  'release-not-held': ['release-not-held'],
};

/** The lock as a reader names it. */
export function lockText(lock: string): string {
  if (lock === 'cancel') return 'the cancel spin lock';
  if (lock === 'vpb') return 'the VPB spin lock';
  return `spin lock ${lock.replace(/^queued:/, 'queued ')}`;
}

/** One line saying what the finding is. */
export function staticFindingText(f: StaticFinding): string {
  const routine = f.role === 'cancel' ? 'cancel routine' : f.role === 'dispatch' ? 'dispatch routine' : f.role === 'candidate' ? 'routine' : 'function';
  switch (f.kind) {
    case 'exit-held':
      return `${routine} ${f.function} can ${f.via === 'fall-off' ? 'reach its end' : 'return'} holding ${lockText(f.lock)}`;
    case 'double-acquire':
      return `${f.function} can acquire ${lockText(f.lock)} while it already holds it`;
    case 'release-not-held':
      return `${f.function} can release ${lockText(f.lock)} when it is not held`;
  }
}

/** The rule id a static finding is filed under (SARIF, JUnit): `<LockRule>/static-<kind>`. */
export function staticRuleId(f: StaticFinding): string {
  return `${f.kind === 'exit-held' ? 'CancelSpinLock' : f.rule}/static-${f.kind}`;
}
