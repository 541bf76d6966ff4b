// `spincheck run -- CMD...`: runs a test command with a fresh run directory, then reports that run only.
import { join } from 'node:path';
import { RUN_SUBDIR } from '../model/index.js';
import { loadData } from '../report/load.js';
import { mergeData } from '../report/merge.js';
import { UsageError, one, parseArgs } from './args.js';
import type { CliEnv } from './report.js';
import { REPORT_OPTIONS, chosenFormats, defaultDataDir, emitReport, failOptions, reportRoot, verdict } from './report.js';
import { type Launch, WineError, launchFor } from './wine.js';
import { makeDirs } from '../io/make-dirs.js';

/** Exit status of a finished child: its code, or 128 + signal number as a shell reports it. */
export function childStatus(exitCode: number | undefined, signal: string | undefined, signals: Record<string, number>): number {
  if (signal) return 128 + (signals[signal] ?? 1);
  return exitCode ?? 1;
}

export async function runCommand(io: CliEnv): Promise<number> {
  const args = parseArgs(io.argv, { ...REPORT_OPTIONS, 'data-dir': { value: true } });
  if (args.rest.length === 0) throw new UsageError('usage: spincheck run [--format F] [--output P] -- COMMAND [ARGS...]');
  const fail = failOptions(args);
  chosenFormats(args);
  const dataDir = one(args, 'data-dir') ?? defaultDataDir(io.env, io.cwd);
  const runDir = join(dataDir, RUN_SUBDIR, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  makeDirs(runDir);
  const { execa } = await import('execa');
  const [cmd, ...cmdArgs] = args.rest as [string, ...string[]];
  let launch: Launch;
  try {
    launch = await launchFor(cmd, cmdArgs, { ...io.env, SPINCHECK_DIR: runDir }, io.cwd);
  } catch (e) {
    if (!(e instanceof WineError)) throw e;
    io.stderr(`spincheck: ${e.message}\n`);
    return 127;
  }
  const child = await execa(launch.cmd, launch.args, {
    cwd: io.cwd,
    env: launch.env,
    extendEnv: false,
    stdio: 'inherit',
    reject: false,
  });
  const { constants } = await import('node:os');
  const status = child.failed && child.exitCode === undefined && !child.signal
    ? (io.stderr(`spincheck: cannot run ${cmd}: ${child.shortMessage}\n`), 127)
    : childStatus(child.exitCode, child.signal, constants.signals as Record<string, number>);
  const report = mergeData(loadData({ sites: [dataDir], runs: [runDir] }), { root: reportRoot(args, io.cwd) });
  emitReport(report, args, io);
  const judged = verdict(report, fail);
  return status !== 0 ? status : judged;
}
