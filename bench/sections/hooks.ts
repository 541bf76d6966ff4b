// 4. Hooks: the lock-heavy harnesses (cancel lock, device KSPIN_LOCK) built plain and through spincheck-cc; their
// own timing of the dispatch loop.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessLock } from '../gen/lock-harness.js';
import { PAIRS_PER_CALL, writeLockHarness } from '../gen/lock-harness.js';
import type { Context } from '../lib/context.js';
import { have, wrapperEnv, workDir } from '../lib/context.js';
import { alternate, instructions, perRound, stats, timed } from '../lib/measure.js';
import type { Row } from '../lib/results.js';
import { row, skipped } from '../lib/results.js';

const GOAL = { target: 1.25, limit: 1.5 };
/** Issue 16: the spin-lock hooks, single- and multi-threaded. */
const SPIN_GOAL = { target: 1.1, limit: 1.25 };

/** Per lock: the row ids' prefix, the words in the rows' names, the hook calls a pair makes, the hook the
 *  instrumented harness must link. */
const LOCKS: Record<HarnessLock, { id: string; words: string; eventsPerPair: number; hook: string }> = {
  // acquire_pre, acquire_post, release_pre
  cancel: { id: 'hooks', words: 'hooks: lock-heavy harness', eventsPerPair: 3, hook: 'spincheck_acquire_pre' },
  // the acquire's lock argument (its IRQL pointer with it), the post hook, the release's lock argument (its IRQL with it)
  spin: { id: 'hooks.spin', words: 'spin-lock hooks: KSPIN_LOCK-heavy harness', eventsPerPair: 3, hook: 'spincheck_spin_acquire_pre' },
};

interface HarnessRun {
  ns: number;
  /** The process's CPU time over the same loop. */
  cpu: number;
  pairs: number;
  calls: number;
}

/** The rows of one harness: the ratio and ns per hook event for 1 and 4 threads. */
function benchLock(ctx: Context, lock: HarnessLock): Row[] {
  const L = LOCKS[lock];
  const goal = lock === 'spin' ? SPIN_GOAL : GOAL;
  const what = (t: number) => `${L.words}, ${t} thread${t > 1 ? 's' : ''}, instrumented / plain`;
  if (!have('gcc') || !have('make')) return [skipped(`${L.id}.ratio.1t`, 4, what(1), 'x', 'gcc or make missing', goal)];
  const kit = join(ctx.root, 'templates/harness-kit');
  const plainDir = workDir(ctx, `hooks-${lock}-plain`);
  const instDir = workDir(ctx, `hooks-${lock}-inst`);
  writeLockHarness(plainDir, kit, lock);
  writeLockHarness(instDir, kit, lock);
  const buildData = join(ctx.work, 'hooks-data');
  const env = wrapperEnv(ctx, buildData);
  ctx.log(`hooks (${lock}): building the harness plain and through spincheck-cc (the first link builds the runtime archive)`);
  timed({ cmd: 'make', args: ['-s'], cwd: plainDir, env });
  timed({ cmd: 'make', args: ['-s', `CC=${ctx.cc} gcc`], cwd: instDir, env });
  const nm = timed({ cmd: 'nm', args: [join(instDir, 'harness')], cwd: instDir }).stdout;
  if (!new RegExp(` T ${L.hook}\\b`).test(nm) || !/ T spincheck_enter\b/.test(nm)) {
    throw new Error(`the instrumented ${lock} harness has no spincheck runtime linked in`);
  }
  const runData = join(ctx.work, 'hooks-run');
  const runEnv = wrapperEnv(ctx, runData, { SPINCHECK_OPTIONS: `data_dir=${runData}` });
  /** One timed run: returns the wall time, appends the CPU time to `cpu`. */
  const run = (dir: string, threads: number, pairs: number, cpu: number[]) => (): number => {
    const r = timed({ cmd: join(dir, 'harness'), args: [String(threads), String(pairs)], cwd: dir, env: runEnv });
    const res = JSON.parse(r.stdout) as HarnessRun;
    if (/spincheck:.*violation/.test(r.stderr)) throw new Error(`the lock-heavy harness reported violations:\n${r.stderr}`);
    cpu.push(res.cpu);
    return res.ns;
  };
  const rounds = ctx.opts.quick ? 1 : 5;
  const rows: Row[] = [];
  for (const [threads, pairs] of [
    [1, ctx.opts.quick ? 1_000_000 : 20_000_000],
    [4, ctx.opts.quick ? 400_000 : 8_000_000],
  ] as const) {
    ctx.log(`hooks (${lock}): ${threads} thread(s), ${pairs} acquire/release pairs, ${rounds} round(s)`);
    const cpu = { plain: [] as number[], spincheck: [] as number[] };
    const s = alternate(rounds, { plain: run(plainDir, threads, pairs, cpu.plain), spincheck: run(instDir, threads, pairs, cpu.spincheck) }, () =>
      rmSync(runData, { recursive: true, force: true }),
    );
    const calls = Math.floor(pairs / PAIRS_PER_CALL / threads) * threads;
    const done = calls * PAIRS_PER_CALL;
    // Per dispatch call: enter and leave.
    const events = L.eventsPerPair * done + 2 * calls;
    const mock = lock === 'spin' ? "each thread's own KSPIN_LOCK" : 'the cancel spin lock';
    const note = `${done} pairs (${calls} dispatch calls of ${PAIRS_PER_CALL}), a mutex-based mock of ${mock} (pthread mutex, IRQL saved and restored)`;
    const t = `${threads}t`;
    const ths = `${threads} thread${threads > 1 ? 's' : ''}`;
    rows.push(
      row(`${L.id}.ratio.${t}`, 4, what(threads), 'x', stats(perRound([s.spincheck, s.plain], (a, b) => a / b)), threads === 1 || lock === 'spin' ? goal : {}, note),
      // CPU time moves less with other work on the machine than the wall clock (the process waits less for a core).
      row(`${L.id}.cpu-ratio.${t}`, 4, `${L.words.split(':')[0]}: process CPU time, ${ths}, instrumented / plain`, 'x', stats(perRound([cpu.spincheck, cpu.plain], (a, b) => a / b))),
      row(`${L.id}.ns-per-event.${t}`, 4, `${L.words.split(':')[0]}: ns per hook event, ${ths}`, 'ns', stats(perRound([s.spincheck, s.plain], (a, b) => (a - b) / events))),
      row(`${L.id}.plain-ns-per-pair.${t}`, 4, `${L.words.split(':')[0]}: plain acquire/release pair, ${ths}`, 'ns', stats(s.plain.map((ns) => ns / done))),
    );
  }
  // Instructions the hooks add per pair (callgrind, 1 thread): a figure that does not move with machine load.
  const insWhat = `${L.words.split(':')[0]}: instructions added per acquire/release pair (callgrind, 1 thread)`;
  if (!ctx.opts.quick && have('valgrind')) {
    const pairs = 200_000;
    const count = (dir: string) => instructions({ cmd: join(dir, 'harness'), args: ['1', String(pairs)], cwd: dir, env: runEnv }, join(ctx.work, 'hooks-cg'));
    const plain = count(plainDir);
    const inst = count(instDir);
    rows.push(
      plain !== null && inst !== null
        ? row(`${L.id}.instructions-per-pair`, 4, insWhat, 'instr', stats([(inst - plain) / pairs]), {}, `plain: ${(plain / pairs).toFixed(0)} instructions per pair, whole process`)
        : skipped(`${L.id}.instructions-per-pair`, 4, insWhat, 'instr', 'valgrind failed'),
    );
  } else {
    rows.push(skipped(`${L.id}.instructions-per-pair`, 4, insWhat, 'instr', ctx.opts.quick ? 'not in --quick runs' : 'valgrind missing'));
  }
  return rows;
}

export function benchHooks(ctx: Context): Row[] {
  return [...benchLock(ctx, 'cancel'), ...benchLock(ctx, 'spin')];
}
