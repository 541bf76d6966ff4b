// Reads site databases and run data from data directories; each bad file becomes one problem line.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CountersRecord, FindingRecord, RunHeader, RunRecord, Site, SiteDatabase, ViolationCountRecord, ViolationRecord,
} from '../model/index.js';
import {
  EXIT_VIAS, MODEL_FINDING_KINDS, ROLES, ROLE_SOURCES, RUN_FORMAT, RUN_SUBDIR, RUN_VERSION, RUNS_DIR, SITES_DIR, SITES_FORMAT, SITES_VERSION,
} from '../model/index.js';
import { sha1 } from '../model/tu-id.js';
import { ReportError } from './errors.js';
import { parseStaticAnalysis } from './static.js';
import type { Json } from './validate.js';
import { Invalid, arr, count, int, obj, oneOf, optStr, siteKind, str, violationKind } from './validate.js';

export interface RunFile {
  file: string;
  header: RunHeader;
  violations: ViolationRecord[];
  counters: CountersRecord[];
  violationCounts: ViolationCountRecord[];
  findings: FindingRecord[];
  /** The last line had no line end (the process died while writing it); it was ignored. */
  torn: boolean;
}

export interface LoadedData {
  databases: Array<{ file: string; db: SiteDatabase; stale: boolean }>;
  runs: RunFile[];
  /** One line per file that could not be used, naming it. */
  problems: string[];
}

function version(v: Json, supported: number, file: string): number {
  const n = count(v, 'version');
  if (n > supported) throw new Invalid(`format version ${n} is newer than this spincheck reads (${supported}); upgrade spincheck`);
  if (n < 1) throw new Invalid(`format version ${n} is not valid`);
  return n;
}

function site(v: Json, index: number): Site {
  const o = obj(v, `sites[${index}]`);
  const s: Site = {
    index: count(o.index, `sites[${index}].index`),
    kind: siteKind(o.kind, `sites[${index}].kind`),
    line: count(o.line, `sites[${index}].line`),
    column: count(o.column, `sites[${index}].column`),
    function: o.function === null ? null : str(o.function, `sites[${index}].function`),
  };
  if (s.index !== index) throw new Invalid(`sites[${index}].index is ${s.index}`);
  if (o.role !== undefined) s.role = oneOf(o.role, ROLES, `sites[${index}].role`);
  if (o.roleSource !== undefined) s.roleSource = oneOf(o.roleSource, ROLE_SOURCES, `sites[${index}].roleSource`);
  if (o.via !== undefined) s.via = oneOf(o.via, EXIT_VIAS, `sites[${index}].via`);
  if (o.macro !== undefined) s.macro = str(o.macro, `sites[${index}].macro`);
  if (o.api !== undefined) s.api = str(o.api, `sites[${index}].api`, 64);
  if (o.lock !== undefined) s.lock = str(o.lock, `sites[${index}].lock`);
  return s;
}

/** Validates a parsed site database. */
export function parseSiteDatabase(v: Json, file: string): SiteDatabase {
  const o = obj(v, 'file');
  if (o.format !== SITES_FORMAT) throw new Invalid(`not a spincheck site database (format ${JSON.stringify(o.format)})`);
  const db: SiteDatabase = {
    format: SITES_FORMAT,
    version: version(o.version, SITES_VERSION, file),
    tu: str(o.tu, 'tu', 64),
    source: str(o.source, 'source'),
    sourceAbs: str(o.sourceAbs, 'sourceAbs'),
    sourceHash: str(o.sourceHash, 'sourceHash', 64),
    instrumented: o.instrumented === true,
    sites: arr(o.sites, 'sites').map(site),
    routines: arr(o.routines, 'routines').map((r, i) => {
      const ro = obj(r, `routines[${i}]`);
      return {
        name: str(ro.name, `routines[${i}].name`),
        role: oneOf(ro.role, ROLES, `routines[${i}].role`),
        roleSource: oneOf(ro.roleSource, ROLE_SOURCES, `routines[${i}].roleSource`),
        line: count(ro.line, `routines[${i}].line`),
        entrySite: count(ro.entrySite, `routines[${i}].entrySite`),
      };
    }),
    unchecked: arr(o.unchecked, 'unchecked').map((u, i) => {
      const uo = obj(u, `unchecked[${i}]`);
      return {
        line: count(uo.line, `unchecked[${i}].line`),
        column: count(uo.column, `unchecked[${i}].column`),
        name: str(uo.name, `unchecked[${i}].name`),
        reason: str(uo.reason, `unchecked[${i}].reason`),
      };
    }),
    diagnostics: arr(o.diagnostics ?? [], 'diagnostics').map((d, i) => str(d, `diagnostics[${i}]`)),
  };
  const reason = optStr(o.reason, 'reason');
  if (reason !== undefined) db.reason = reason;
  const analysis = parseStaticAnalysis(o.analysis);
  if (analysis) db.analysis = analysis;
  return db;
}

function frame(v: Json, what: string): [string, number] {
  const a = arr(v, what, 2);
  return [str(a[0], `${what}[0]`, 64), count(a[1], `${what}[1]`)];
}

/** A violation's call stack (run format 2): module files, and frames that each name one of them. */
function callStack(o: Record<string, Json>, r: ViolationRecord): void {
  if (o.modules === undefined && o.frames === undefined) return;
  const modules = arr(o.modules, 'modules', 256).map((m, i) => str(m, `modules[${i}]`));
  r.modules = modules;
  r.frames = arr(o.frames, 'frames', 4096).map((f, i) => {
    const a = arr(f, `frames[${i}]`, 2);
    const module = count(a[0], `frames[${i}][0]`);
    if (module >= modules.length) throw new Invalid(`frames[${i}] names module ${module} of ${modules.length}`);
    return [module, count(a[1], `frames[${i}][1]`)];
  });
}

/** Validates one line of a run-data file. */
export function parseRunRecord(v: Json): RunRecord {
  const o = obj(v, 'record');
  if (o.t === 'violation') {
    const r: ViolationRecord = {
      t: 'violation',
      kind: violationKind(o.kind, 'kind'),
      tu: str(o.tu, 'tu', 64),
      site: count(o.site, 'site'),
      acquireTu: o.acquireTu === null || o.acquireTu === undefined ? null : str(o.acquireTu, 'acquireTu', 64),
      acquireSite: o.acquireSite === null || o.acquireSite === undefined ? null : count(o.acquireSite, 'acquireSite'),
      byIoManager: o.byIoManager === true,
      thread: count(o.thread, 'thread'),
      stack: arr(o.stack, 'stack', 4096).map((f, i) => frame(f, `stack[${i}]`)),
    };
    if (o.irqlAcquired !== undefined && o.irqlAcquired !== null) r.irqlAcquired = int(o.irqlAcquired, 'irqlAcquired');
    if (o.irqlReleased !== undefined && o.irqlReleased !== null) r.irqlReleased = int(o.irqlReleased, 'irqlReleased');
    callStack(o, r);
    return r;
  }
  if (o.t === 'counters') {
    return {
      t: 'counters',
      tu: str(o.tu, 'tu', 64),
      source: str(o.source, 'source'),
      hits: arr(o.hits, 'hits').map((n, i) => count(n, `hits[${i}]`)),
      held: arr(o.held, 'held').map((n, i) => count(n, `held[${i}]`)),
    };
  }
  if (o.t === 'violation-count') {
    const r: ViolationCountRecord = {
      t: 'violation-count',
      kind: violationKind(o.kind, 'kind'),
      tu: str(o.tu, 'tu', 64),
      site: count(o.site, 'site'),
      count: count(o.count, 'count'),
    };
    if (o.acquireTu !== undefined && o.acquireTu !== null) r.acquireTu = str(o.acquireTu, 'acquireTu', 64);
    if (o.acquireSite !== undefined && o.acquireSite !== null) r.acquireSite = count(o.acquireSite, 'acquireSite');
    return r;
  }
  if (o.t === 'finding') return parseFinding(o);
  throw new Invalid(`unknown record type ${JSON.stringify(o.t)}`);
}

function parseFinding(o: Record<string, Json>): FindingRecord {
  const r: FindingRecord = {
    t: 'finding',
    kind: oneOf(o.kind, MODEL_FINDING_KINDS, 'kind'),
    code: count(o.code ?? 0, 'code'),
    message: str(o.message, 'message'),
  };
  const run = optStr(o.run, 'run');
  if (run) r.run = run;
  return r;
}

/** Parses a whole run file (JSON lines, header first). A torn last line (crash mid-write) is ignored. */
export function parseRunFile(text: string, file: string): RunFile {
  const lines = text.split('\n');
  const torn = lines.at(-1) !== '' && lines.length > 1;
  lines.pop();
  if (lines.length === 0 && text !== '') lines.push(text);
  if (lines.length === 0) throw new Invalid('empty file');
  const first = obj(JSON.parse(lines[0] as string), 'header');
  if (first.format !== RUN_FORMAT) throw new Invalid(`not a spincheck run file (format ${JSON.stringify(first.format)})`);
  const header: RunHeader = {
    format: RUN_FORMAT,
    version: version(first.version, RUN_VERSION, file),
    pid: count(first.pid, 'pid'),
    startedAt: count(first.startedAt ?? 0, 'startedAt'),
  };
  const run: RunFile = { file, header, violations: [], counters: [], violationCounts: [], findings: [], torn };
  lines.slice(1).forEach((line, i) => {
    let parsed: Json;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Invalid(`line ${i + 2} is not JSON`);
    }
    let record;
    try {
      record = parseRunRecord(parsed);
    } catch (e) {
      throw new Invalid(`line ${i + 2}: ${(e as Error).message}`);
    }
    if (record.t === 'violation') run.violations.push(record);
    else if (record.t === 'counters') run.counters.push(record);
    else if (record.t === 'finding') run.findings.push(record);
    else run.violationCounts.push(record);
  });
  return run;
}

function filesIn(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(suffix)).sort().map((f) => join(dir, f));
}

/** Run files of a data directory: its own `runs/`, and those of each `spincheck run` under `run/`. */
function runFilesIn(dir: string): string[] {
  const own = filesIn(join(dir, RUNS_DIR), '.jsonl');
  const runRoot = join(dir, RUN_SUBDIR);
  if (!existsSync(runRoot)) return own;
  const nested = readdirSync(runRoot).sort().flatMap((r) => filesIn(join(runRoot, r, RUNS_DIR), '.jsonl'));
  return [...own, ...nested];
}

function describe(e: unknown): string {
  if (e instanceof Invalid) return e.message;
  if (e instanceof SyntaxError) return 'not valid JSON (truncated or corrupt)';
  const code = (e as NodeJS.ErrnoException).code;
  return code ? `cannot be read (${code})` : String((e as Error).message ?? e);
}

function isStale(db: SiteDatabase): boolean {
  try {
    return sha1(readFileSync(db.sourceAbs)) !== db.sourceHash;
  } catch {
    return false;
  }
}

/** Where to read: site databases from some data directories, run data from others (usually the same). */
export interface DataDirs {
  sites: string[];
  runs: string[];
}

/** Loads every site database and run file under the given data directories. */
export function loadData(dirs: DataDirs): LoadedData {
  const data: LoadedData = { databases: [], runs: [], problems: [] };
  const all = [...new Set([...dirs.sites, ...dirs.runs])];
  for (const dir of all) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new ReportError(dir, 'no such data directory (build with spincheck-cc and run the tests first, or name the directory)');
    }
    const sites = dirs.sites.includes(dir) ? filesIn(join(dir, SITES_DIR), '.json') : [];
    const runs = dirs.runs.includes(dir) ? runFilesIn(dir) : [];
    for (const file of sites) {
      try {
        const db = parseSiteDatabase(JSON.parse(readFileSync(file, 'utf8')), file);
        data.databases.push({ file, db, stale: isStale(db) });
      } catch (e) {
        data.problems.push(`${file}: ${describe(e)}`);
      }
    }
    for (const file of runs) {
      try {
        const run = parseRunFile(readFileSync(file, 'utf8'), file);
        data.runs.push(run);
        if (run.torn) data.problems.push(`${file}: last line is truncated (the process died while writing it); ignored`);
      } catch (e) {
        data.problems.push(`${file}: ${describe(e)}`);
      }
    }
  }
  return data;
}
