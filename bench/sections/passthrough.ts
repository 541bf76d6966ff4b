// 2. Pass-through: the wrapper's extra time on a file with nothing to instrument, over a bare `node -e 0` start.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../lib/context.js';
import { have, wrapperEnv, workDir } from '../lib/context.js';
import { alternate, perRound, stats, timed } from '../lib/measure.js';
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
  };
  const rounds = ctx.opts.quick ? 3 : 30;
  ctx.log(`pass-through: ${rounds} rounds of node -e 0, gcc -c, spincheck-cc gcc -c`);
  alternate(ctx.opts.quick ? 1 : 3, variants);
  const s = alternate(rounds, variants);
  const ratio = perRound([s.spincheck, s.plain, s.node], (w, p, n) => (w - p) / n);
  const extra = perRound([s.spincheck, s.plain], (w, p) => w - p);

  return [
    row('passthrough.ratio', 2, what, 'x', stats(ratio), GOAL),
    row('passthrough.extra-ms', 2, 'pass-through: extra time per compile (spincheck-cc gcc -c minus gcc -c)', 'ms', stats(extra)),
    row('passthrough.node-ms', 2, 'pass-through: `node -e 0`', 'ms', stats(s.node)),
    row('passthrough.gcc-ms', 2, 'pass-through: plain `gcc -O1 -c` of the file', 'ms', stats(s.plain)),
  ];
}
