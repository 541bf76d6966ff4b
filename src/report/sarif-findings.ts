// SARIF for model findings (the kernel model's bug checks, leaks, stops, hangs): an error result per finding, under
// a rule per kind present (ids `kmodel/<kind>`). They have no source location: the model names the run instead.
import type * as Sarif from 'sarif';
import type { Report } from './merge.js';
import { findingRuleId, findingText, findingTitle } from './findings.js';
import { sarifText } from './sarif.js';

/** Rules for the finding kinds present. */
export function findingRules(report: Report): Sarif.ReportingDescriptor[] {
  const kinds = [...new Set(report.findings.map((f) => f.kind))].sort();
  return kinds.map((kind) => ({
    id: findingRuleId(kind),
    shortDescription: { text: `${sarifText(findingTitle(kind))}.` },
    fullDescription: { text: `Found by the kernel model the harness ran on: ${sarifText(findingTitle(kind))}. See docs/kernel-model.md.` },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['correctness', 'wdm', 'kernel-model'], 'problem.severity': 'error' },
  }));
}

/** One error result per finding. */
export function findingResults(report: Report, rules: Sarif.ReportingDescriptor[], ruleBase: number): Sarif.Result[] {
  return report.findings.map((f) => ({
    ruleId: findingRuleId(f.kind),
    ruleIndex: ruleBase + rules.findIndex((r) => r.id === findingRuleId(f.kind)),
    level: 'error',
    kind: 'fail',
    message: { text: sarifText(findingText(f)) },
    properties: { processes: f.processes, ...(f.code !== 0 ? { bugCheckCode: f.code } : {}), ...(f.run ? { run: f.run } : {}) },
  }));
}
