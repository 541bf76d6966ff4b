// 2. Pass-through: the wrapper's extra time on a file with nothing to instrument, over a bare `node -e 0` start
// (spincheck-cc as installed, served by the warm server; and the Node wrapper alone).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../lib/context.js';
import { have, wrapperEnv, workDir } from '../lib/context.js';
import { alternate, instructions, perRound, stats, timed } from '../lib/measure.js';
import type { Row } from '../lib/results.js';
import { row, skipped } from '../lib/results.js';

const GOAL = { target: 1.2, limit: 1.5 };

export function benchPassThrough(ctx: Context): Row[] {
  const what = "pass-through: wrapper's extra time per compile / `node -e 0`";
  if (!have('gcc')) return [skipped('passthrough.ratio', 2, what, 'x', 'gcc missing', GOAL)];
  const dir = workDir(ctx, 'pass');
  writeFileSync(join(dir, 'util.c'), '/* nothing to instrument */\nint util_add(int a, int b) { return a + b; }\n');
  const env = wrapperEnv(ctx, join(dir, '.spincheck'));
  const compile = ['gcc', '-O1', '-c', 'util.c', '-o', 'util.o'];
  const variants = {
    node: () => timed({ cmd: 'node', args: ['-e', '0'], cwd: dir, env }).ms,
    plain: () => timed({ cmd: compile[0] as string, args: compile.slice(1), cwd: dir, env }).ms,
    spincheck: () => timed({ cmd: ctx.cc, args: compile, cwd: dir, env }).ms,
    nodeWrapper: () => timed({ cmd: ctx.ccNode, args: compile, cwd: dir, env }).ms,
  };
  const rounds = ctx.opts.quick ? 3 : 30;
  ctx.log(`pass-through: ${rounds} rounds of node -e 0, gcc -c, spincheck-cc gcc -c, spincheck-cc.js gcc -c`);
  alternate(ctx.opts.quick ? 1 : 3, variants);
  const s = alternate(rounds, variants);
  const ratio = perRound([s.spincheck, s.plain, s.node], (w, p, n) => (w - p) / n);
  const extra = perRound([s.spincheck, s.plain], (w, p) => w - p);
  const nodeRatio = perRound([s.nodeWrapper, s.plain, s.node], (w, p, n) => (w - p) / n);

  // The same ratio in instructions (callgrind, the wrapper process alone; its compiler is the plain compile):
  // noise-free, but blind to what the kernel spends on fork/exec and page faults.
  const insWhat = 'pass-through: instructions of the Node wrapper process / `node -e 0` (callgrind)';
  let insRow: Row = skipped('passthrough.instructions-ratio', 2, insWhat, 'x', ctx.opts.quick ? 'not in --quick runs' : 'valgrind missing');
  if (!ctx.opts.quick && have('valgrind')) {
    const scratch = join(dir, 'cg');
    const ins = [0, 1].map(() => {
      const w = instructions({ cmd: 'node', args: [ctx.ccNode, ...compile], cwd: dir, env }, scratch);
      const n = instructions({ cmd: 'node', args: ['-e', '0'], cwd: dir, env }, scratch);
      return w !== null && n !== null ? w / n : null;
    });
    const ok = ins.filter((x): x is number => x !== null);
    insRow = ok.length > 0 ? row('passthrough.instructions-ratio', 2, insWhat, 'x', stats(ok), {}, 'the wrapper process alone (the compiler it starts is not counted) over a bare start: the wall-clock ratio without fork/exec, page faults and load') : skipped('passthrough.instructions-ratio', 2, insWhat, 'x', 'valgrind failed');
  }
  return [
    row('passthrough.ratio', 2, what, 'x', stats(ratio), GOAL),
    insRow,
    row('passthrough.node-wrapper-ratio', 2, "pass-through: the Node wrapper's extra time (spincheck-cc.js, no warm server) / `node -e 0`", 'x', stats(nodeRatio)),
    row('passthrough.extra-ms', 2, 'pass-through: extra time per compile (spincheck-cc gcc -c minus gcc -c)', 'ms', stats(extra)),
    row('passthrough.node-ms', 2, 'pass-through: `node -e 0`', 'ms', stats(s.node)),
    row('passthrough.gcc-ms', 2, 'pass-through: plain `gcc -O1 -c` of the file', 'ms', stats(s.plain)),
  ];
}
