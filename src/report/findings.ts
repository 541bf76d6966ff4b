// Model findings (the kernel model's bug checks, leaks, stops, hangs): merged from the run data, and their
// words and pieces for each report format. Pure.
import type { FindingRecord, ModelFindingKind } from '../model/index.js';
import { MODEL_FINDING_TEXT } from '../model/index.js';

export interface FindingSummary {
  kind: ModelFindingKind;
  /** A bug check code, else 0. */
  code: number;
  message: string;
  /** The campaign run it happened in (its injection, window and IRP), when it was one. */
  run?: string;
  /** Processes (campaign runs) that reported it. */
  processes: number;
}

/** Distinct findings (kind, message, run) of every process, in the order first seen. */
export function mergeFindings(runs: ReadonlyArray<{ findings: readonly FindingRecord[] }>): FindingSummary[] {
  const merged = new Map<string, FindingSummary>();
  for (const run of runs) {
    const seen = new Set<string>();
    for (const f of run.findings) {
      const key = `${f.kind}\0${f.message}\0${f.run ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const known = merged.get(key);
      if (known) known.processes += 1;
      else merged.set(key, { kind: f.kind, code: f.code, message: f.message, ...(f.run ? { run: f.run } : {}), processes: 1 });
    }
  }
  return [...merged.values()];
}

/** The rule id of a finding kind (SARIF, JUnit, text). */
export const findingRuleId = (kind: ModelFindingKind) => `kmodel/${kind}`;

/** One line: the model's message, the run it happened in. */
export function findingText(f: FindingSummary): string {
  return `${f.message}${f.run ? ` [${f.run}]` : ''}`;
}

/** A short title of the kind. */
export const findingTitle = (kind: ModelFindingKind) => MODEL_FINDING_TEXT[kind];

/** Text and diagnostics: one error line per finding. */
export function findingLines(findings: readonly FindingSummary[]): string[] {
  return findings.map((f) => `spincheck: error: [${findingRuleId(f.kind)}] ${findingText(f)}${f.processes > 1 ? `; ${f.processes} runs` : ''}`);
}
