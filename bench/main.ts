// The benchmark suite (issues 10, 21): runs the seven measurements, prints one table, writes it as JSON.
//   node bench/run.mjs [--quick] [--only 1,2,...] [--out FILE] [--keep]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Context, Options } from './lib/context.js';
import { serverPids } from './lib/context.js';
import type { Row } from './lib/results.js';
import { finishMachine, machine, renderTable, skipped } from './lib/results.js';
import { benchBuild } from './sections/build.js';
import { benchHooks } from './sections/hooks.js';
import { benchInstrumenter } from './sections/instrumenter.js';
import { benchMemory } from './sections/memory.js';
import { benchPassThrough } from './sections/passthrough.js';
import { benchReports } from './sections/reports.js';
import { benchServer } from './sections/server.js';

export const RESULT_FORMAT = 'spincheck-bench';
export const RESULT_VERSION = 1;

const SECTIONS: Array<[number, string, (ctx: Context) => Row[]]> = [
  [1, 'build', benchBuild],
  [2, 'pass-through', benchPassThrough],
  [3, 'instrumenter', benchInstrumenter],
  [4, 'hooks', benchHooks],
  [5, 'reports', benchReports],
  [6, 'memory', benchMemory],
  [7, 'server', benchServer],
];

const USAGE = 'usage: npm run bench -- [--quick] [--only 1,2,...] [--out FILE] [--keep]';

/** The options, or the message to print (usage or a bad argument) and the exit status. */
function parseOptions(argv: string[], root: string): Options | { message: string; status: number } {
  const opts: Options = { quick: false, only: null, out: join(root, 'test-output/bench/latest.json'), keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') return { message: USAGE, status: 0 };
    if (a === '--quick') opts.quick = true;
    else if (a === '--keep') opts.keep = true;
    else if (a === '--only' && argv[i + 1]) opts.only = new Set((argv[++i] as string).split(',').map(Number));
    else if (a === '--out' && argv[i + 1]) opts.out = resolve(argv[++i] as string);
    else return { message: `bench: unknown argument ${a} (${USAGE})`, status: 2 };
  }
  return opts;
}

/** Stops a warm server the bench started (its work directory is about to go). */
function stopServer(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already idle and gone
  }
}

/** Runs the suite; `root` is the repository, `built` the bundled bench directory. */
export async function main(argv: string[], root: string, built: string): Promise<number> {
  const opts = parseOptions(argv, root);
  if ('message' in opts) {
    (opts.status === 0 ? process.stdout : process.stderr).write(`${opts.message}\n`);
    return opts.status;
  }
  const started = Date.now();
  const m = machine();
  const outputDir = join(root, 'test-output/bench');
  mkdirSync(outputDir, { recursive: true });
  const work = mkdtempSync(join(outputDir, 'work-'));
  const ctx: Context = {
    root,
    work,
    cache: process.env.SPINCHECK_BENCH_CACHE ? resolve(process.env.SPINCHECK_BENCH_CACHE) : join(root, 'test-output/bench-cache'),
    opts,
    cc: join(root, 'dist/bin/spincheck-cc'),
    ccNode: join(root, 'dist/bin/spincheck-cc.js'),
    cli: join(root, 'dist/bin/spincheck.js'),
    probe: join(root, 'bench/lib/rss-probe.cjs'),
    childInstrument: join(built, 'child/instrument.mjs'),
    log: (message) => process.stderr.write(`bench: ${message}\n`),
  };
  ctx.log(`${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; load ${m.loadStart}${opts.quick ? '; --quick' : ''}`);
  const rows: Row[] = [];
  const errors: string[] = [];
  try {
    for (const [n, name, run] of SECTIONS) {
      if (opts.only && !opts.only.has(n)) continue;
      const t = Date.now();
      try {
        rows.push(...run(ctx));
      } catch (e) {
        const message = (e as Error).message;
        errors.push(`${name}: ${message}`);
        rows.push(skipped(`${name}.error`, n, `${name}: failed`, '-', message.split('\n')[0] ?? message));
      }
      ctx.log(`${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    for (const pid of serverPids(ctx)) stopServer(pid);
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
  }
  rows.sort((a, b) => a.section - b.section);
  const result = {
    format: RESULT_FORMAT,
    version: RESULT_VERSION,
    quick: opts.quick,
    startedAt: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    machine: finishMachine(m),
    rows,
    errors,
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
  const mm = result.machine;
  process.stdout.write(
    `\nspincheck benchmarks${opts.quick ? ' (--quick: small workloads, figures are not comparable)' : ''}\n` +
      `machine: ${mm.cpuModel}, ${mm.cores} cores, ${mm.memoryGiB} GiB; Node ${mm.node}; Linux ${mm.kernel}; load ${mm.loadStart} -> ${mm.loadEnd}\n\n` +
      `${renderTable(rows)}\n\n` +
      `${rows.filter((r) => r.note && r.status !== 'skipped').map((r) => `${r.id}: ${r.note}`).join('\n')}\n` +
      `written to ${opts.out} in ${result.seconds} s\n`,
  );
  for (const e of errors) process.stderr.write(`bench: error: ${e}\n`);
  return errors.length > 0 ? 1 : 0;
}
