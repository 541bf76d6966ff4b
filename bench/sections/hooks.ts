// 4. Hooks: the lock-heavy harness built plain and through spincheck-cc; its own timing of the dispatch loop.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PAIRS_PER_CALL, writeLockHarness } from '../gen/lock-harness.js';
import type { Context } from '../lib/context.js';
import { have, wrapperEnv, workDir } from '../lib/context.js';
import { alternate, instructions, perRound, stats, timed } from '../lib/measure.js';
import type { Row } from '../lib/results.js';
import { row, skipped } from '../lib/results.js';

const GOAL = { target: 1.25, limit: 1.5 };

interface HarnessRun {
  ns: number;
  pairs: number;
  calls: number;
}

export function benchHooks(ctx: Context): Row[] {
  const what = (t: number) => `hooks: lock-heavy harness, ${t} thread${t > 1 ? 's' : ''}, instrumented / plain`;
  if (!have('gcc') || !have('make')) return [skipped('hooks.ratio.1t', 4, what(1), 'x', 'gcc or make missing', GOAL)];
  const kit = join(ctx.root, 'templates/harness-kit');
  const plainDir = workDir(ctx, 'hooks-plain');
  const instDir = workDir(ctx, 'hooks-inst');
  writeLockHarness(plainDir, kit);
  writeLockHarness(instDir, kit);
  const buildData = join(ctx.work, 'hooks-data');
  const env = wrapperEnv(ctx, buildData);
  ctx.log('hooks: building the harness plain and through spincheck-cc (the first link builds the runtime archive)');
  timed({ cmd: 'make', args: ['-s'], cwd: plainDir, env });
  timed({ cmd: 'make', args: ['-s', `CC=${ctx.cc} gcc`], cwd: instDir, env });
  const nm = timed({ cmd: 'nm', args: [join(instDir, 'harness')], cwd: instDir }).stdout;
  if (!/ T spincheck_acquire_pre\b/.test(nm) || !/ T spincheck_enter\b/.test(nm)) {
    throw new Error('the instrumented harness has no spincheck runtime linked in');
  }
  const runData = join(ctx.work, 'hooks-run');
  const runEnv = wrapperEnv(ctx, runData, { SPINCHECK_OPTIONS: `data_dir=${runData}` });
  const run = (dir: string, threads: number, pairs: number) => (): number => {
    const r = timed({ cmd: join(dir, 'harness'), args: [String(threads), String(pairs)], cwd: dir, env: runEnv });
    const res = JSON.parse(r.stdout) as HarnessRun;
    if (/spincheck:.*violation/.test(r.stderr)) throw new Error(`the lock-heavy harness reported violations:\n${r.stderr}`);
    return res.ns;
  };
  const rounds = ctx.opts.quick ? 1 : 5;
  const rows: Row[] = [];
  for (const [threads, pairs] of [
    [1, ctx.opts.quick ? 1_000_000 : 20_000_000],
    [4, ctx.opts.quick ? 400_000 : 8_000_000],
  ] as const) {
    ctx.log(`hooks: ${threads} thread(s), ${pairs} acquire/release pairs, ${rounds} round(s)`);
    const s = alternate(rounds, { plain: run(plainDir, threads, pairs), spincheck: run(instDir, threads, pairs) }, () =>
      rmSync(runData, { recursive: true, force: true }),
    );
    const calls = Math.floor(pairs / PAIRS_PER_CALL / threads) * threads;
    const done = calls * PAIRS_PER_CALL;
    // Per pair: acquire_pre, acquire_post, release_pre; per dispatch call: enter and leave.
    const events = 3 * done + 2 * calls;
    const note = `${done} pairs (${calls} dispatch calls of ${PAIRS_PER_CALL}), a mutex-based mock (pthread mutex, IRQL saved and restored)`;
    const t = `${threads}t`;
    rows.push(
      row(`hooks.ratio.${t}`, 4, what(threads), 'x', stats(perRound([s.spincheck, s.plain], (a, b) => a / b)), threads === 1 ? GOAL : {}, note),
      row(`hooks.ns-per-event.${t}`, 4, `hooks: ns per hook event, ${threads} thread${threads > 1 ? 's' : ''}`, 'ns', stats(perRound([s.spincheck, s.plain], (a, b) => (a - b) / events))),
      row(`hooks.plain-ns-per-pair.${t}`, 4, `hooks: plain acquire/release pair, ${threads} thread${threads > 1 ? 's' : ''}`, 'ns', stats(s.plain.map((ns) => ns / done))),
    );
  }
  // Instructions the hooks add per pair (callgrind, 1 thread): a figure that does not move with machine load.
  const insWhat = 'hooks: instructions added per acquire/release pair (callgrind, 1 thread)';
  if (!ctx.opts.quick && have('valgrind')) {
    const pairs = 200_000;
    const count = (dir: string) => instructions({ cmd: join(dir, 'harness'), args: ['1', String(pairs)], cwd: dir, env: runEnv }, join(ctx.work, 'hooks-cg'));
    const plain = count(plainDir);
    const inst = count(instDir);
    rows.push(
      plain !== null && inst !== null
        ? row('hooks.instructions-per-pair', 4, insWhat, 'instr', stats([(inst - plain) / pairs]), {}, `plain: ${(plain / pairs).toFixed(0)} instructions per pair, whole process`)
        : skipped('hooks.instructions-per-pair', 4, insWhat, 'instr', 'valgrind failed'),
    );
  } else {
    rows.push(skipped('hooks.instructions-per-pair', 4, insWhat, 'instr', ctx.opts.quick ? 'not in --quick runs' : 'valgrind missing'));
  }
  return rows;
}
