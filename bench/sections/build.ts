// 1. Build: make -j2 of the generated WDM driver tree, spincheck-cc in front of mingw-w64 gcc vs the plain compiler
// (and vs the Node wrapper per compile, what spincheck-cc was before the warm server).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeDriverTree } from '../gen/driver-tree.js';
import type { Context } from '../lib/context.js';
import { DDK, MINGW, have, serverPids, wrapperEnv, workDir } from '../lib/context.js';
import { existsSync as exists } from 'node:fs';
import { GNU_TIME, alternate, perRound, processTreeCpuSeconds, stats, timed, timedCpu } from '../lib/measure.js';
import type { Row } from '../lib/results.js';
import { row, skipped } from '../lib/results.js';

const GOAL = { target: 1.15, limit: 1.25 };
type Variant = 'plain' | 'spincheck' | 'node';

export function benchBuild(ctx: Context): Row[] {
  const what = 'build: make -j2, 11 WDM files (ntddk.h, mingw-w64 -O1), spincheck-cc / plain';
  if (!have(MINGW) || !existsSync(join(DDK, 'ntddk.h'))) {
    return [skipped('build.ratio', 1, what, 'x', `${MINGW} or ${DDK}/ntddk.h missing (Debian: mingw-w64)`, GOAL)];
  }
  const dir = workDir(ctx, 'tree');
  const tree = writeDriverTree(dir);
  const dataDir = join(ctx.work, 'tree-data');
  const env = wrapperEnv(ctx, dataDir);
  // Wall time is the figure; the CPU time of the whole build (GNU time, make and everything it ran) is kept
  // beside it because it hardly moves with the load other work puts on a shared machine.
  const withCpu = exists(GNU_TIME);
  const cpu: Record<Variant, number[]> = { plain: [], spincheck: [], node: [] };
  // The warm server (and its instrumenting workers) is no child of make: its CPU time during the build is added from /proc.
  const serverCpu = (): number => serverPids(ctx).reduce((sum, pid) => sum + processTreeCpuSeconds(pid), 0);
  const make = (k: Variant, cc: string) => () => {
    const spec = { cmd: 'make', args: ['-s', '-j2', `CC=${cc}`], cwd: dir, env };
    if (!withCpu) return timed(spec).ms / 1000;
    const before = serverCpu();
    const r = timedCpu(spec, join(ctx.work, 'build'));
    cpu[k].push(r.cpu + Math.max(0, serverCpu() - before));
    return r.ms / 1000;
  };
  const variants = { plain: make('plain', MINGW), spincheck: make('spincheck', `${ctx.cc} ${MINGW}`), node: make('node', `${ctx.ccNode} ${MINGW}`) };
  const clean = () => {
    timed({ cmd: 'make', args: ['-s', 'clean'], cwd: dir, env });
    rmSync(dataDir, { recursive: true, force: true });
  };
  const rounds = ctx.opts.quick ? 1 : 5;
  ctx.log(`build: ${tree.sources.length} files, ${rounds} round(s) of plain, spincheck-cc and Node-wrapper builds`);
  if (!ctx.opts.quick) alternate(1, variants, clean); // warm the page cache and the headers
  for (const k of Object.keys(cpu) as Variant[]) cpu[k].length = 0;
  const s = alternate(rounds, variants, clean);
  const ratio = perRound([s.spincheck, s.plain], (a, b) => a / b);
  return [
    row('build.ratio', 1, what, 'x', stats(ratio), GOAL),
    row('build.plain-s', 1, 'build: plain make -j2 wall time', 's', stats(s.plain)),
    row('build.spincheck-s', 1, 'build: make -j2 CC=spincheck-cc wall time', 's', stats(s.spincheck)),
    withCpu
      ? row('build.cpu-ratio', 1, 'build: CPU time of the whole build (user + system, warm server included), spincheck-cc / plain', 'x', stats(perRound([cpu.spincheck, cpu.plain], (a, b) => a / b)))
      : skipped('build.cpu-ratio', 1, 'build: CPU time of the whole build, spincheck-cc / plain', 'x', `${GNU_TIME} missing`),
    row('build.node-ratio', 1, 'build: the Node wrapper per compile (spincheck-cc.js, no warm server) / plain', 'x', stats(perRound([s.node, s.plain], (a, b) => a / b))),
  ];
}
