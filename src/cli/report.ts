// `spincheck report`: load data directories, merge, write the requested formats, exit by the verdict.
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAtomic } from '../io/write-atomic.js';
import { DEFAULT_DATA_DIR } from '../model/index.js';
import { FORMATS } from '../report/formats.js';
import type { DataDirs } from '../report/load.js';
import { loadData } from '../report/load.js';
import { mergeData } from '../report/merge.js';
import type { FileSummary, Report } from '../report/merge.js';
import { coverageSites } from '../report/merge.js';
import { openFindings } from '../report/static.js';
import { clean } from '../report/text.js';
import { symbolizeReport } from '../report/symbolize.js';
import { wineLocalPath } from './wine.js';
import { UsageError, flag, many, one, parseArgs } from './args.js';
import { makeDirs } from '../io/make-dirs.js';

export interface CliEnv {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}

export const REPORT_OPTIONS = {
  format: { value: true, repeat: true },
  output: { value: true },
  'source-root': { value: true },
  'fail-on': { value: true },
  'min-site-coverage': { value: true },
  strict: {},
} as const;

/** Writes one report output (creating its directory); a failure names the file in one line. */
function writeOutput(path: string, text: string): void {
  try {
    makeDirs(dirname(path));
    writeAtomic(path, text);
  } catch (e) {
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}

export function defaultDataDir(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, env.SPINCHECK_DIR || DEFAULT_DATA_DIR);
}

/** The conditions `--fail-on` names (a comma-separated list of them, or `none`), each with its test. */
export const FAIL_CONDITIONS = {
  violations: (r: Report) => r.violations.length > 0,
  /** Model findings (the kernel model's bug checks, leaks, stops, hangs). */
  findings: (r: Report) => r.findings.length > 0,
  unchecked: (r: Report) => r.unchecked !== null,
  /** Path-check findings no run confirmed. */
  static: (r: Report) => openFindings(r.static).length > 0,
} satisfies Record<string, (r: Report) => boolean>;
export type FailCondition = keyof typeof FAIL_CONDITIONS;

export interface FailOptions {
  failOn: ReadonlySet<FailCondition>;
  minCoverage: number | undefined;
  strict: boolean;
}

/** Parses `--fail-on`: `none`, or a comma-separated list of FAIL_CONDITIONS. */
export function parseFailOn(value: string): Set<FailCondition> {
  if (value === 'none') return new Set();
  const known = Object.keys(FAIL_CONDITIONS);
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!known.includes(n)) throw new UsageError(`--fail-on takes none or a comma-separated list of ${known.join(', ')} (got '${n}')`);
  }
  return new Set(names as FailCondition[]);
}

/**
 * Exit status for a report: 2 on bad data with --strict; 1 when a --fail-on condition holds (--strict adds
 * `unchecked`) or the coverage floor is missed; else 0.
 */
export function verdict(report: Report, fail: FailOptions): number {
  if (fail.strict && report.problems.length > 0) return 2;
  const conditions = fail.strict ? new Set<FailCondition>([...fail.failOn, 'unchecked']) : fail.failOn;
  for (const c of conditions) if (FAIL_CONDITIONS[c](report)) return 1;
  const { minCoverage } = fail;
  if (minCoverage !== undefined) {
    const sites = report.files.flatMap(coverageSites);
    const pct = sites.length === 0 ? 100 : (100 * sites.filter((s) => s.hits > 0).length) / sites.length;
    if (pct < minCoverage) return 1;
  }
  return 0;
}

/** The directory report paths are relative to: --source-root, else the working directory. */
export function reportRoot(args: ReturnType<typeof parseArgs>, cwd: string): string {
  return resolve(cwd, one(args, 'source-root') ?? '.');
}

/** Largest source file shown in the HTML report. */
const MAX_SOURCE = 8 * 1024 * 1024;

/**
 * Reads a source for annotated views. Only files below the report root are read (a data file naming another
 * path cannot pull it into a report), only regular files, and at most MAX_SOURCE bytes.
 */
export function readSource(f: FileSummary): string | null {
  if (isAbsolute(f.file)) return null;
  let fd: number | undefined;
  try {
    fd = openSync(f.sourceAbs, 'r');
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_SOURCE) return null;
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, buf, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString('utf8');
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** spincheck's version, from the package.json above this module (source tree or installed dist). */
export function toolVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'spincheck' && pkg.version) return pkg.version;
    } catch {
      // not here; keep walking up
    }
    const up = dirname(dir);
    if (up === dir) return '0.0.0';
    dir = up;
  }
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The formats a report command asked for (text by default); an unknown one is a usage error. */
export function chosenFormats(args: ReturnType<typeof parseArgs>): string[] {
  const formats = many(args, 'format');
  const chosen = formats.length > 0 ? formats : ['text'];
  for (const f of chosen) if (!FORMATS[f]) throw new UsageError(`unknown format '${f}' (known: ${Object.keys(FORMATS).join(', ')})`);
  return chosen;
}

/** Renders and writes the formats a report command asked for. */
export function emitReport(merged: Report, args: ReturnType<typeof parseArgs>, io: CliEnv): void {
  const chosen = chosenFormats(args);
  const localPath = (module: string) => wineLocalPath(module, io.env, io.cwd);
  const report = symbolizeReport(merged, { env: io.env, cwd: io.cwd, root: reportRoot(args, io.cwd), localPath });
  const output = one(args, 'output');
  const color = io.isTTY && !io.env.NO_COLOR && !output;
  const ctx = { color, sourceRoot: reportRoot(args, io.cwd), toolVersion: toolVersion(), sourceText: readSource };
  if (!output) {
    if (chosen.length > 1) throw new UsageError('several formats need --output DIR');
    io.stdout((FORMATS[chosen[0] as string] as (typeof FORMATS)[string]).render(report, ctx));
    if (chosen[0] !== 'text') for (const p of report.problems) io.stderr(`spincheck: warning: ${clean(p)}\n`);
    if (chosen[0] !== 'text') for (const n of report.notes) io.stderr(`spincheck: note: ${clean(n)}\n`);
    if (chosen[0] !== 'text' && report.unchecked) io.stderr(`spincheck: warning: nothing was checked: ${clean(report.unchecked)}\n`);
    return;
  }
  // Several formats, or an existing directory (or a path ending in /): fixed file names inside it.
  const target = resolve(io.cwd, output);
  const intoDir = chosen.length > 1 || isDir(target) || output.endsWith('/') || output.endsWith(sep);
  for (const f of chosen) {
    const format = FORMATS[f] as (typeof FORMATS)[string];
    writeOutput(intoDir ? join(target, format.file) : target, format.render(report, ctx));
  }
  if (!chosen.includes('text')) io.stdout(FORMATS.text?.render(report, { ...ctx, color: io.isTTY && !io.env.NO_COLOR }) ?? '');
}

/** Reads failure options shared by `report` and `run`. */
export function failOptions(args: ReturnType<typeof parseArgs>): FailOptions {
  const failOn = parseFailOn(one(args, 'fail-on') ?? 'violations,findings');
  const min = one(args, 'min-site-coverage');
  const minCoverage = min === undefined ? undefined : Number(min);
  if (minCoverage !== undefined && !(minCoverage >= 0 && minCoverage <= 100)) {
    throw new UsageError('--min-site-coverage takes a percentage from 0 to 100');
  }
  return { failOn, minCoverage, strict: flag(args, 'strict') };
}

export function reportCommand(io: CliEnv): number {
  const args = parseArgs(io.argv, REPORT_OPTIONS);
  const dirs = args.positional.length > 0 ? args.positional.map((d) => resolve(io.cwd, d)) : [defaultDataDir(io.env, io.cwd)];
  const fail = failOptions(args);
  chosenFormats(args);
  const spec: DataDirs = { sites: dirs, runs: dirs };
  const report = mergeData(loadData(spec), { root: reportRoot(args, io.cwd) });
  emitReport(report, args, io);
  return verdict(report, fail);
}
