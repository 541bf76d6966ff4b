// Merges site databases and run data into one report model (pure: no IO).
import { isAbsolute, relative, sep } from 'node:path';
import type { Role, RoleSource, Site, SiteDatabase, ViolationKind } from '../model/index.js';
import { violationKey } from '../model/index.js';
import type { LoadedData } from './load.js';
import { plural } from './words.js';
import type { StaticReport } from './static.js';
import { staticReport } from './static.js';
import type { FindingSummary } from './findings.js';
import { mergeFindings } from './findings.js';

/** The json report's version (docs/report-schema.json): 2 added the spin-lock kinds and the lock fields. */
export const REPORT_VERSION = 2;

export interface Location {
  /** Display path: relative to the report root when the source is below it, else absolute (see displayPath). */
  file: string;
  line: number;
  column: number;
  function: string | null;
}

export interface RoutineSummary {
  name: string;
  role: Role;
  roleSource: RoleSource;
  line: number;
  entries: number;
  exits: number;
  exitsHeld: number;
}

export interface FileSummary {
  tu: string;
  /** Display path (see displayPath). */
  file: string;
  /** Absolute path of the source as compiled. */
  sourceAbs: string;
  instrumented: boolean;
  reason?: string;
  stale: boolean;
  /** True when no process ever reported counters for this unit (not run, or runtime not linked). */
  noRunData: boolean;
  sites: Array<Site & { hits: number; held: number }>;
  routines: RoutineSummary[];
  unchecked: SiteDatabase['unchecked'];
  diagnostics: string[];
}

/** One frame of a violation's call stack: where its return address lies and, once symbolized, the source. */
export interface CallFrame {
  /** The module file (executable, shared library, DLL) as the process loaded it. */
  module: string;
  /** Offset of the return address from the module's load base. */
  offset: number;
  function?: string;
  /** Display path (as Location.file), when the symbolizer knew the file. */
  file?: string;
  /** The line only: a column in an instrumented file would count the inserted hooks. */
  line?: number;
  /** Inlined at this return address into the frame that follows (same module and offset). */
  inlined?: boolean;
}

export interface ViolationSummary {
  kind: ViolationKind;
  location: Location;
  acquire: Location | null;
  byIoManager: boolean;
  /** Instrumented routines of the thread, outermost first. */
  stack: Location[];
  count: number;
  processes: number;
  irqlAcquired?: number;
  irqlReleased?: number;
  /** The lock form called at the violation's site, when it is a lock call (src/model/lock-api.ts). */
  api?: string;
  /** The lock's expression text as written at the violation's call or, for an exit, at the lock's acquire. */
  lock?: string;
  /** The thread's call stack at the violation, innermost first (run format 2; symbolized by symbolize.ts). */
  callStack?: CallFrame[];
}

export interface Report {
  version: number;
  files: FileSummary[];
  violations: ViolationSummary[];
  /** What the model the harness ran on found (the kernel model), beside the rule's violations. */
  findings: FindingSummary[];
  processes: number;
  problems: string[];
  /** Remarks that are not problems with the data (how to get file:line for call stacks). */
  notes: string[];
  /** Why nothing was checked although instrumented code was compiled (see uncheckedReason); null when hooks ran. */
  unchecked: string | null;
  /** The compile-time path check's findings beside the run's (empty when no unit was analysed). */
  static: StaticReport;
  totals: { sites: number; sitesHit: number; routines: number; exitsChecked: number; violations: number };
}

/** Sites that count towards coverage: the catch-all exit (macro returns, longjmp) only when it was taken. */
export function coverageSites(f: FileSummary): FileSummary['sites'] {
  return f.sites.filter((s) => (s.via !== 'other' && !isCandidateSite(s)) || s.hits > 0);
}

/** Line coverage of a file: each line with sites ran as often as its most-run site; in line order. */
export function lineHits(f: FileSummary): Array<[line: number, hits: number]> {
  const lines = new Map<number, number>();
  for (const s of coverageSites(f)) lines.set(s.line, Math.max(lines.get(s.line) ?? 0, s.hits));
  return [...lines.entries()].sort((a, b) => a[0] - b[0]);
}

/** Entry and exit sites of a routine-shaped function: they only count once it ran as a registered routine. */
function isCandidateSite(s: Site): boolean {
  return s.role === 'candidate' && (s.kind === 'routine-entry' || s.kind === 'routine-exit');
}

export interface MergeOptions {
  /** Absolute directory paths are shown relative to (--source-root, else the working directory). */
  root: string;
}

/** A source's path for display: relative to `root` when below it, else absolute. */
export function displayPath(root: string, abs: string): string {
  const rel = relative(root, abs);
  if (rel === '') return abs;
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? abs : rel;
}

/** A run record's call stack as unsymbolized frames. */
function callStackOf(v: LoadedData['runs'][number]['violations'][number]): Pick<ViolationSummary, 'callStack'> {
  const { modules, frames } = v;
  if (!modules || !frames || frames.length === 0) return {};
  return { callStack: frames.map(([m, offset]) => ({ module: modules[m] as string, offset })) };
}

const UNKNOWN = (tu: string, site: number): Location => ({ file: `<unknown unit ${tu}>`, line: site, column: 0, function: null });

/**
 * Why a report checked nothing: instrumented files with sites were compiled, yet no process ran a single hook of
 * them (no run data at all, or run data from processes that never reached instrumented code). Null otherwise.
 */
export function uncheckedReason(files: readonly FileSummary[], processes: number): string | null {
  const compiled = files.filter((f) => f.instrumented && f.sites.length > 0);
  if (compiled.length === 0 || compiled.some((f) => !f.noRunData)) return null;
  const what = plural(compiled.length, 'instrumented file');
  if (processes === 0) {
    return `${what} compiled, but no run data was found: run the tests, and link them through spincheck-cc ` +
      '(a link by the plain compiler, or a build system that links without the wrapper, leaves the runtime out)';
  }
  return `${plural(processes, 'process')} wrote run data, but none ran a hook in the ${what}: ` +
    'the tests do not run the instrumented code, or it cannot reach the runtime';
}

/** Builds the report model from what was loaded. */
export function mergeData(data: LoadedData, options: MergeOptions): Report {
  const problems = [...data.problems];
  const show = (db: SiteDatabase) => displayPath(options.root, db.sourceAbs);
  const byTu = new Map<string, FileSummary>();
  for (const { db, stale } of data.databases) {
    if (byTu.has(db.tu)) continue;
    byTu.set(db.tu, {
      tu: db.tu,
      file: show(db),
      sourceAbs: db.sourceAbs,
      instrumented: db.instrumented,
      ...(db.reason ? { reason: db.reason } : {}),
      stale,
      noRunData: true,
      sites: db.sites.map((s) => ({ ...s, hits: 0, held: 0 })),
      routines: [],
      unchecked: db.unchecked,
      diagnostics: db.diagnostics,
    });
    if (stale) problems.push(`${show(db)}: source changed since it was compiled; its data are stale (rebuild and rerun)`);
  }
  const dbByTu = new Map(data.databases.map((d) => [d.db.tu, d.db]));

  for (const run of data.runs) {
    // Each record holds the process's totals so far: the last one of each unit counts.
    const latest = new Map(run.counters.map((c) => [c.tu, c]));
    for (const c of latest.values()) {
      const f = byTu.get(c.tu);
      if (!f) {
        problems.push(`${run.file}: counters for unknown translation unit ${c.tu} (${c.source}); its site database is missing`);
        continue;
      }
      if (c.hits.length !== f.sites.length || c.held.length !== f.sites.length) {
        problems.push(`${run.file}: counters for ${f.file} do not match its site database (${c.hits.length} vs ${f.sites.length} sites); not merged`);
        continue;
      }
      f.noRunData = false;
      c.hits.forEach((n, i) => { (f.sites[i] as { hits: number }).hits += n; });
      c.held.forEach((n, i) => { (f.sites[i] as { held: number }).held += n; });
    }
  }

  const locate = (tu: string, site: number): Location => {
    const db = dbByTu.get(tu);
    const s = db?.sites[site];
    return db && s ? { file: show(db), line: s.line, column: s.column, function: s.function } : UNKNOWN(tu, site);
  };

  const siteOf = (tu: string, site: number | null): Site | undefined => (site === null ? undefined : dbByTu.get(tu)?.sites[site]);
  /** The lock form and lock text a violation names, from its own site or its acquire's. */
  const lockOf = (v: LoadedData['runs'][number]['violations'][number]): Pick<ViolationSummary, 'api' | 'lock'> => {
    const own = siteOf(v.tu, v.site);
    const acq = v.acquireTu !== null ? siteOf(v.acquireTu, v.acquireSite) : undefined;
    const lock = own?.lock ?? acq?.lock;
    return { ...(own?.api ? { api: own.api } : {}), ...(lock ? { lock } : {}) };
  };

  const violations = new Map<string, ViolationSummary>();
  for (const run of data.runs) {
    const counted = new Map<string, number>();
    for (const vc of run.violationCounts) counted.set(violationKey(vc), vc.count);
    const seen = new Set<string>();
    for (const v of run.violations) {
      const key = violationKey(v);
      if (seen.has(key)) continue;
      seen.add(key);
      const n = Math.max(counted.get(key) ?? 1, 1);
      const existing = violations.get(key);
      if (existing) {
        existing.count += n;
        existing.processes += 1;
        continue;
      }
      if (!dbByTu.has(v.tu)) problems.push(`${run.file}: violation in unknown translation unit ${v.tu}`);
      violations.set(key, {
        kind: v.kind,
        location: locate(v.tu, v.site),
        acquire: v.acquireTu !== null && v.acquireSite !== null ? locate(v.acquireTu, v.acquireSite) : null,
        byIoManager: v.byIoManager,
        stack: v.stack.map(([tu, site]) => locate(tu, site)),
        count: n,
        processes: 1,
        ...(v.irqlAcquired !== undefined ? { irqlAcquired: v.irqlAcquired } : {}),
        ...(v.irqlReleased !== undefined ? { irqlReleased: v.irqlReleased } : {}),
        ...lockOf(v),
        ...callStackOf(v),
      });
    }
  }

  const files = [...byTu.values()].sort((a, b) => a.file.localeCompare(b.file));
  for (const f of files) {
    const db = dbByTu.get(f.tu) as SiteDatabase;
    f.routines = db.routines
      .map((r) => {
        const exits = f.sites.filter((s) => s.kind === 'routine-exit' && s.function === r.name);
        return {
          ...r,
          entries: f.sites[r.entrySite]?.hits ?? 0,
          exits: exits.reduce((n, s) => n + s.hits, 0),
          exitsHeld: exits.reduce((n, s) => n + s.held, 0),
        };
      })
      .filter((r) => r.role !== 'candidate' || r.entries > 0);
  }
  const sorted = [...violations.values()].sort(
    (a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line || a.kind.localeCompare(b.kind)
      || (a.acquire?.file ?? '').localeCompare(b.acquire?.file ?? '') || (a.acquire?.line ?? 0) - (b.acquire?.line ?? 0),
  );
  const allSites = files.flatMap(coverageSites);
  return {
    version: REPORT_VERSION,
    files,
    violations: sorted,
    findings: mergeFindings(data.runs),
    processes: data.runs.length,
    problems,
    notes: [],
    unchecked: uncheckedReason(files, data.runs.length),
    static: staticReport(data.databases.filter((d) => !d.stale).map((d) => d.db), files, sorted, show, data.runs.length),
    totals: {
      sites: allSites.length,
      sitesHit: allSites.filter((s) => s.hits > 0).length,
      routines: files.reduce((n, f) => n + f.routines.length, 0),
      exitsChecked: allSites.filter((s) => s.kind === 'routine-exit').reduce((n, s) => n + s.hits, 0),
      violations: sorted.length,
    },
  };
}
