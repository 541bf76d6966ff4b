// Static findings in the report: validation of the site database's analysis field, and the merge with run-time data.
import { applySummaries } from '../analysis/summaries.js';
import type { LockEffect, PathStep, SiteDatabase, StaticAnalysis, StaticFinding, StaticFindingKind } from '../model/index.js';
import { CONFIRMED_BY, staticFindingText, staticRuleId } from '../model/index.js';
import type { FileSummary, Location, ViolationSummary } from './merge.js';
import type { Json } from './validate.js';
import { arr, count, obj, oneOf, str } from './validate.js';

const KINDS: readonly StaticFindingKind[] = ['exit-held', 'double-acquire', 'release-not-held'];
const STEPS: readonly PathStep['what'][] = ['entry', 'acquire', 'release', 'branch', 'case', 'call', 'exit'];
const RULES: readonly StaticFinding['rule'][] = ['CancelSpinLock', 'SpinLock', 'SpinLockDpc', 'QueuedSpinLock'];
const ROLE_NAMES = ['dispatch', 'cancel', 'candidate'] as const;

function step(v: Json, what: string): PathStep {
  const o = obj(v, what);
  return { line: count(o.line, `${what}.line`), column: count(o.column, `${what}.column`), what: oneOf(o.what, STEPS, `${what}.what`), text: str(o.text, `${what}.text`) };
}

function finding(v: Json, what: string): StaticFinding {
  const o = obj(v, what);
  const f: StaticFinding = {
    kind: oneOf(o.kind, KINDS, `${what}.kind`),
    lock: str(o.lock, `${what}.lock`),
    rule: oneOf(o.rule, RULES, `${what}.rule`),
    function: str(o.function, `${what}.function`),
    line: count(o.line, `${what}.line`),
    column: count(o.column, `${what}.column`),
    path: arr(o.path, `${what}.path`, 10_000).map((s, i) => step(s, `${what}.path[${i}]`)),
  };
  if (o.role !== undefined) f.role = oneOf(o.role, ROLE_NAMES, `${what}.role`);
  if (o.via !== undefined) f.via = oneOf(o.via, ['return', 'fall-off', 'other'] as const, `${what}.via`);
  if (o.calls !== undefined) {
    f.calls = arr(o.calls, `${what}.calls`).map((c, i) => {
      const co = obj(c, `${what}.calls[${i}]`);
      return { name: str(co.name, `${what}.calls[${i}].name`), args: arr(co.args, `${what}.calls[${i}].args`).map((a, j) => str(a, `${what}.calls[${i}].args[${j}]`)) };
    });
  }
  return f;
}

/** Validates the optional `analysis` field of a site database (absent in files written before the analysis). */
export function parseStaticAnalysis(v: Json): StaticAnalysis | undefined {
  if (v === undefined) return undefined;
  const o = obj(v, 'analysis');
  return {
    analysed: count(o.analysed, 'analysis.analysed'),
    findings: arr(o.findings, 'analysis.findings').map((f, i) => finding(f, `analysis.findings[${i}]`)),
    summaries: arr(o.summaries, 'analysis.summaries').map((s, i) => {
      const so = obj(s, `analysis.summaries[${i}]`);
      return {
        name: str(so.name, `analysis.summaries[${i}].name`),
        params: arr(so.params, `analysis.summaries[${i}].params`).map((p, j) => str(p, `analysis.summaries[${i}].params[${j}]`)),
        exits: arr(so.exits, `analysis.summaries[${i}].exits`).map((e, j) => {
          const eo = obj(e, `analysis.summaries[${i}].exits[${j}]`);
          const out: Record<string, LockEffect> = {};
          for (const [k, h] of Object.entries(eo)) out[k] = oneOf(h, ['held', 'free', 'unknown'] as const, `analysis.summaries[${i}].exits[${j}]`);
          return out;
        }),
      };
    }),
    notAnalysed: arr(o.notAnalysed, 'analysis.notAnalysed').map((n, i) => {
      const no = obj(n, `analysis.notAnalysed[${i}]`);
      return { function: str(no.function, `analysis.notAnalysed[${i}].function`), line: count(no.line, `analysis.notAnalysed[${i}].line`), reason: str(no.reason, `analysis.notAnalysed[${i}].reason`) };
    }),
  };
}

export interface StaticFindingSummary {
  kind: StaticFindingKind;
  ruleId: string;
  message: string;
  lock: string;
  location: Location;
  path: Array<Location & { what: PathStep['what']; text: string }>;
  /** A run-time violation of the same kind at the same exit or call confirmed it, or the run left that exit holding
   *  the lock (it is then shown once, with the run's findings). */
  confirmed: boolean;
  /** The run-time violation that confirmed it, when one did. */
  confirmedBy?: Location;
  /** Whether the tests ran that exit or call: true/false from the counters, null when unknown (no run data, no site). */
  executed: boolean | null;
}

export interface StaticReport {
  /** Units whose site database holds an analysis. */
  units: number;
  /** Functions using a lock that were analysed. */
  analysed: number;
  findings: StaticFindingSummary[];
  notAnalysed: Array<{ file: string; function: string; line: number; reason: string }>;
}

const SITE_OF: Record<StaticFindingKind, readonly string[]> = {
  'exit-held': ['routine-exit'],
  'double-acquire': ['acquire'],
  'release-not-held': ['release'],
};

/** Static findings with cross-file summaries applied, matched against the run: confirmed, executed or never run. */
export function staticReport(
  databases: readonly SiteDatabase[],
  files: readonly FileSummary[],
  violations: readonly ViolationSummary[],
  show: (db: SiteDatabase) => string,
  processes: number,
): StaticReport {
  const analysed = databases.filter((d) => d.analysis);
  const summaries = analysed.flatMap((d) => d.analysis?.summaries ?? []);
  const findings: StaticFindingSummary[] = [];
  for (const db of analysed) {
    const file = show(db);
    const summary = files.find((f) => f.tu === db.tu);
    for (const f of applySummaries(db.analysis?.findings ?? [], summaries)) {
      const at = (l: { line: number; column: number }) => ({ file, line: l.line, column: l.column, function: f.function });
      const same = (l: Location, p: { line: number; column: number }) => l.file === file && l.line === p.line && l.column === p.column;
      const site = summary?.sites.find((s) => s.line === f.line && s.column === f.column && SITE_OF[f.kind].includes(s.kind));
      // A run confirms it with a violation of the kind at the place; an exit finding also by a run-time exit violation
      // of the same acquire, or by the run leaving that exit holding the lock (the runtime judges a nested routine's
      // exit at the outermost frame, so its violation may sit further up).
      const acquire = f.path.find((s) => s.what === 'acquire');
      const sameAcquire = (v: ViolationSummary) => f.kind === 'exit-held' && acquire !== undefined && v.acquire !== null && same(v.acquire, acquire);
      const by = violations.find((v) => (same(v.location, f) || sameAcquire(v)) && CONFIRMED_BY[f.kind].includes(v.kind));
      const confirmed = by !== undefined || (f.kind === 'exit-held' && (site?.held ?? 0) > 0);
      findings.push({
        kind: f.kind,
        ruleId: staticRuleId(f),
        message: staticFindingText(f),
        lock: f.lock,
        location: at(f),
        path: f.path.map((s) => ({ ...at(s), what: s.what, text: s.text })),
        confirmed,
        ...(by ? { confirmedBy: by.location } : {}),
        // A unit no process reported counters for, when processes did report: the tests never reached it.
        executed: site && summary ? (summary.noRunData ? (processes > 0 ? false : null) : site.hits > 0) : null,
      });
    }
  }
  findings.sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line);
  return {
    units: analysed.length,
    analysed: analysed.reduce((n, d) => n + (d.analysis?.analysed ?? 0), 0),
    findings,
    notAnalysed: analysed.flatMap((d) => (d.analysis?.notAnalysed ?? []).map((n) => ({ file: show(d), ...n }))),
  };
}

/** Findings no run confirmed (what `--fail-on static` fails on, and what formats list as warnings). */
export function openFindings(r: StaticReport): StaticFindingSummary[] {
  return r.findings.filter((f) => !f.confirmed);
}

/** How a finding's run-time coverage reads. */
export function executedText(f: StaticFindingSummary): string {
  const what = f.kind === 'exit-held' ? 'exit' : 'call';
  if (f.executed === null) return `no run data for this ${what}`;
  return f.executed ? `the tests ran this ${what}, but not on this path` : `the tests never ran this ${what}`;
}
