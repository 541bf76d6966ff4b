// How a static finding reads, in one place for `spincheck check` and every report format.
import type { StaticFinding, StaticFindingKind } from './format.js';

/** The run-time violation kinds that confirm a static finding of each kind (same place: exit or call site); the
 *  spin-lock kinds are those the shared contract names for the run-time spin-lock checks. */
export const CONFIRMED_BY: Record<StaticFindingKind, readonly string[]> = {
  'exit-held': ['dispatch-exit-held', 'cancel-exit-held', 'spin-lock-exit-held'],
  'double-acquire': ['double-acquire', 'spin-lock-double-acquire'],
  'release-not-held': ['release-not-held', 'spin-lock-release-not-held'],
};

/** The lock as a reader names it. */
export function lockText(lock: string): string {
  if (lock === 'cancel') return 'the cancel spin lock';
  if (lock === 'vpb') return 'the VPB spin lock';
  return `spin lock ${lock.replace(/^queued:/, 'queued ')}`;
}

/** One line saying what the finding is. */
export function staticFindingText(f: StaticFinding): string {
  return FINDING_TEXT[f.kind](f);
}

const ROUTINE_WORD: Record<string, string> = { cancel: 'cancel routine', dispatch: 'dispatch routine', candidate: 'routine' };

const FINDING_TEXT: Record<StaticFindingKind, (f: StaticFinding) => string> = {
  'exit-held': (f) =>
    `${ROUTINE_WORD[f.role ?? ''] ?? 'function'} ${f.function} can ${f.via === 'fall-off' ? 'reach its end' : 'return'} holding ${lockText(f.lock)}`,
  'double-acquire': (f) => `${f.function} can acquire ${lockText(f.lock)} while it already holds it`,
  'release-not-held': (f) => `${f.function} can release ${lockText(f.lock)} when it is not held`,
};

/** The rule id a static finding is filed under (SARIF, JUnit): `<LockRule>/static-<kind>`. */
export function staticRuleId(f: StaticFinding): string {
  return `${f.kind === 'exit-held' ? 'CancelSpinLock' : f.rule}/static-${f.kind}`;
}
