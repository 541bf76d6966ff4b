// Cross-file summaries: a finding whose path calls a function of another unit that explains it is withdrawn.
import type { FunctionSummary, LockEffect, StaticFinding } from '../model/index.js';
import { rootName, substituteRoot } from './keys.js';

/** The lock state a call must leave for the finding to be wrong: exit-held and double-acquire need a release, release-not-held an acquire. */
const EXPLAINS: Record<StaticFinding['kind'], 'held' | 'free'> = {
  'exit-held': 'free',
  'double-acquire': 'free',
  'release-not-held': 'held',
};

/** The callee's effect keys in the caller's terms (a key rooted at a parameter takes the argument). */
function callerKeys(summary: FunctionSummary, args: string[]): Array<[string, LockEffect]> {
  const out: Array<[string, LockEffect]> = [];
  for (const exit of summary.exits) {
    for (const [key, h] of Object.entries(exit)) {
      const root = rootName(key);
      const index = root ? summary.params.indexOf(root) : -1;
      const arg = args[index];
      out.push([index >= 0 && root && arg !== undefined ? substituteRoot(key, root, arg) : key, h]);
    }
  }
  return out;
}

/** The summary that explains a finding, if one of the functions its path calls has it; summaries by function name
 *  (names defined in more than one unit are ambiguous and left out by the caller). */
export function explainedBy(finding: StaticFinding, summaries: ReadonlyMap<string, FunctionSummary>): string | null {
  for (const call of finding.calls ?? []) {
    const s = summaries.get(call.name);
    if (s && callerKeys(s, call.args).some(([k, h]) => k === finding.lock && (h === EXPLAINS[finding.kind] || h === 'unknown'))) return call.name;
  }
  return null;
}

/** The findings no cross-file summary explains. */
export function applySummaries(findings: StaticFinding[], summaries: readonly FunctionSummary[]): StaticFinding[] {
  const byName = new Map<string, FunctionSummary>();
  const twice = new Set<string>();
  for (const s of summaries) {
    if (byName.has(s.name)) twice.add(s.name);
    byName.set(s.name, s);
  }
  for (const n of twice) byName.delete(n);
  return findings.filter((f) => explainedBy(f, byName) === null);
}
