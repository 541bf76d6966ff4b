// `spincheck report`: load data directories, merge, write the requested formats, exit by the verdict.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_DATA_DIR } from '../model/index.js';
import { FORMATS } from '../report/formats.js';
import type { DataDirs } from '../report/load.js';
import { loadData } from '../report/load.js';
import { mergeData } from '../report/merge.js';
import type { Report } from '../report/merge.js';
import { coverageSites } from '../report/merge.js';
import { UsageError, flag, many, one, parseArgs } from './args.js';

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

/** Writes a file atomically (temp name + rename). */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function defaultDataDir(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, env.SPINCHECK_DIR || DEFAULT_DATA_DIR);
}

/** Exit status for a report: 1 on violations (unless --fail-on none) or a missed coverage floor, 2 on bad data with --strict. */
export function verdict(report: Report, failOn: string, minCoverage: number | undefined, strict: boolean): number {
  if (strict && report.problems.length > 0) return 2;
  if (failOn === 'violations' && report.violations.length > 0) return 1;
  if (minCoverage !== undefined) {
    const sites = report.files.flatMap(coverageSites);
    const pct = sites.length === 0 ? 100 : (100 * sites.filter((s) => s.hits > 0).length) / sites.length;
    if (pct < minCoverage) return 1;
  }
  return 0;
}

/** Renders and writes the formats a report command asked for. */
export function emitReport(report: Report, args: ReturnType<typeof parseArgs>, io: CliEnv): void {
  const formats = many(args, 'format');
  const chosen = formats.length > 0 ? formats : ['text'];
  for (const f of chosen) if (!FORMATS[f]) throw new UsageError(`unknown format '${f}' (known: ${Object.keys(FORMATS).join(', ')})`);
  const output = one(args, 'output');
  const color = io.isTTY && !io.env.NO_COLOR && !output;
  const ctx = { color, sourceRoot: resolve(io.cwd, one(args, 'source-root') ?? '.') };
  if (!output) {
    if (chosen.length > 1) throw new UsageError('several formats need --output DIR');
    io.stdout((FORMATS[chosen[0] as string] as (typeof FORMATS)[string]).render(report, ctx));
    if (chosen[0] !== 'text') for (const p of report.problems) io.stderr(`spincheck: warning: ${p}\n`);
    return;
  }
  const target = resolve(io.cwd, output);
  for (const f of chosen) {
    const format = FORMATS[f] as (typeof FORMATS)[string];
    writeAtomic(chosen.length > 1 ? join(target, format.file) : target, format.render(report, ctx));
  }
  if (!chosen.includes('text')) io.stdout(FORMATS.text?.render(report, { ...ctx, color: io.isTTY && !io.env.NO_COLOR }) ?? '');
}

/** Reads failure options shared by `report` and `run`. */
export function failOptions(args: ReturnType<typeof parseArgs>): { failOn: string; minCoverage: number | undefined; strict: boolean } {
  const failOn = one(args, 'fail-on') ?? 'violations';
  if (failOn !== 'violations' && failOn !== 'none') throw new UsageError('--fail-on takes violations or none');
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
  const spec: DataDirs = { sites: dirs, runs: dirs };
  const report = mergeData(loadData(spec));
  emitReport(report, args, io);
  return verdict(report, fail.failOn, fail.minCoverage, fail.strict);
}
