// 6. Memory: peak RSS of the wrapper process per compile (pass-through and instrumented), `node -e 0` for reference.
// `spincheck report`'s peak RSS is measured in section 5, on its run.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDriverTree } from '../gen/driver-tree.js';
import type { Context } from '../lib/context.js';
import { DDK, MINGW, have, serverPids, wrapperEnv, workDir } from '../lib/context.js';
import { childPids, processPeakRssMb, stats, takeRss, timed } from '../lib/measure.js';
import type { Row } from '../lib/results.js';
import { row, skipped } from '../lib/results.js';

export function benchMemory(ctx: Context): Row[] {
  const dir = workDir(ctx, 'memory');
  const rssFile = join(dir, 'rss.txt');
  const env = wrapperEnv(ctx, join(dir, '.spincheck'), { BENCH_RSS_OUT: rssFile });
  const reps = ctx.opts.quick ? 1 : 3;
  /** Peak RSS (MB) of `node --require probe ARGS...`, `reps` times. */
  const peak = (args: string[], cwd: string): number[] => {
    for (let i = 0; i < reps; i++) timed({ cmd: 'node', args: ['--require', ctx.probe, ...args], cwd, env });
    return takeRss(rssFile).map((k) => k / 1024);
  };
  const rows: Row[] = [];
  rows.push(row('memory.node-mb', 6, 'memory: `node -e 0` peak RSS (reference)', 'MB', stats(peak(['-e', '0'], dir))));
  if (have('gcc')) {
    writeFileSync(join(dir, 'util.c'), 'int util_add(int a, int b) { return a + b; }\n');
    const rss = peak([ctx.ccNode, 'gcc', '-O1', '-c', 'util.c', '-o', 'util.o'], dir);
    rows.push(row('memory.wrapper-passthrough-mb', 6, 'memory: Node wrapper peak RSS, compile with nothing to instrument', 'MB', stats(rss)));
  }
  const what = 'memory: Node wrapper peak RSS, instrumented compile (serial.c, ntddk.h)';
  if (have(MINGW) && existsSync(join(DDK, 'ntddk.h'))) {
    const tree = workDir(ctx, 'tree');
    if (!existsSync(join(tree, 'serial.c'))) writeDriverTree(tree);
    const rss = peak([ctx.ccNode, MINGW, '-O1', `-I${DDK}`, '-c', 'serial.c', '-o', 'serial-mem.o'], tree);
    rows.push(row('memory.wrapper-instrumented-mb', 6, what, 'MB', stats(rss), {}, 'the compiler it runs is not counted'));
    rows.push(...serverRows(ctx, tree, env));
  } else {
    rows.push(skipped('memory.wrapper-instrumented-mb', 6, what, 'MB', `${MINGW} or the DDK headers missing`));
  }
  return rows;
}

/** The warm server's peak RSS after it served instrumented compiles of the tree's files, and its workers'. */
function serverRows(ctx: Context, tree: string, env: NodeJS.ProcessEnv): Row[] {
  const what = 'memory: warm server peak RSS after serving the driver tree (VmHWM)';
  const files = ['serial.c', 'keyboard.c', 'usbstor.c'].filter((f) => existsSync(join(tree, f)));
  for (let i = 0; i < 3; i++) {
    for (const f of files) timed({ cmd: ctx.cc, args: [MINGW, '-O1', `-I${DDK}`, '-c', f, '-o', `mem-${f}.o`], cwd: tree, env });
  }
  const peakOf = (pids: number[]) => pids.map(processPeakRssMb).filter((mb): mb is number => mb !== null);
  const peaks = peakOf(serverPids(ctx));
  if (peaks.length === 0) return [skipped('memory.server-mb', 6, what, 'MB', 'no warm server running')];
  const workers = peakOf(serverPids(ctx).flatMap(childPids));
  const workersWhat = 'memory: each instrumenting worker of the warm server, peak RSS (VmHWM)';
  return [
    row('memory.server-mb', 6, what, 'MB', stats(peaks), {}, 'one long-lived process for all compiles'),
    workers.length > 0 ? row('memory.server-worker-mb', 6, workersWhat, 'MB', stats(workers), {}, 'at most one per core') : skipped('memory.server-worker-mb', 6, workersWhat, 'MB', 'no worker running'),
  ];
}
