// SARIF for the path check: a warning per open static finding, its path as a code flow (threadFlow) to step through.
import type * as Sarif from 'sarif';
import type { Report } from './merge.js';
import { location, RULE_URL, sarifText } from './sarif.js';
import type { StaticFindingSummary } from './static.js';
import { executedText, openFindings } from './static.js';

const STATIC_HELP: Record<StaticFindingSummary['kind'], { name: string; short: string; help: string }> = {
  'exit-held': {
    name: 'StaticExitHeld',
    short: 'On some path a dispatch or cancel routine returns holding a spin lock.',
    help: 'Release the lock on every path to the exit the path shows (early returns, goto cleanup, switch cases), or make the helper that keeps it a documented "returns holding" helper whose callers release it.',
  },
  'double-acquire': {
    name: 'StaticDoubleAcquire',
    short: 'On some path a spin lock is acquired while the function already holds it.',
    help: 'Spin locks are not recursive: release the lock before acquiring it again on the path shown.',
  },
  'release-not-held': {
    name: 'StaticReleaseNotHeld',
    short: 'On some path a spin lock is released when it is not held.',
    help: 'Release the lock only on paths where it was acquired (the path shows a release that has no acquire before it).',
  },
};

/** Rules for the static findings present (ids `<LockRule>/static-<kind>`). */
export function staticRules(report: Report): Sarif.ReportingDescriptor[] {
  const ids = [...new Map(openFindings(report.static).map((f) => [f.ruleId, f.kind])).entries()].sort(([a], [b]) => a.localeCompare(b));
  return ids.map(([id, kind]) => {
    const r = STATIC_HELP[kind];
    return {
      id,
      name: r.name,
      shortDescription: { text: r.short },
      fullDescription: { text: `${r.short} Found at compile time by spincheck's path check, which follows every path of the function; the run-time check confirms a finding when a test takes the path.` },
      help: { text: `${r.help} See the CancelSpinLock rule: ${RULE_URL}` },
      helpUri: RULE_URL,
      defaultConfiguration: { level: 'warning' },
      properties: { tags: ['correctness', 'concurrency', 'wdm', 'static'], precision: 'high', 'problem.severity': 'warning' },
    };
  });
}

/** One warning result per static finding no run confirmed, with the path as a thread flow. */
export function staticResults(report: Report, index: Map<string, number>, rules: Sarif.ReportingDescriptor[], ruleBase: number): Sarif.Result[] {
  return openFindings(report.static).map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleBase + rules.findIndex((r) => r.id === f.ruleId),
    level: 'warning',
    kind: 'fail',
    message: { text: `${sarifText(f.message)} (${sarifText(executedText(f))}).` },
    locations: [location(f.location, index)],
    codeFlows: [{
      message: { text: 'The path on which it happens.' },
      threadFlows: [{
        locations: f.path.map((s, i) => ({
          location: location(s, index, sarifText(s.text)),
          kinds: [s.what],
          executionOrder: i + 1,
          importance: s.what === 'branch' || s.what === 'case' ? 'important' : 'essential',
          nestingLevel: 0,
        })),
      }],
    }],
    properties: { static: true, executed: f.executed },
  }));
}

/** A note per function the path check did not analyse (what it could not follow is never a finding). */
export function staticNotes(report: Report): Sarif.Notification[] {
  return report.static.notAnalysed.map((n) => ({
    level: 'note',
    message: { text: sarifText(`Path check: ${n.function} (${n.file}:${n.line}) not analysed: ${n.reason}.`) },
  }));
}
