// 3. Instrumenter throughput on large files, and its share of one instrumented compile.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bigDriverFile, writeDriverTree } from '../gen/driver-tree.js';
import type { Context } from '../lib/context.js';
import { DDK, MINGW, have, wrapperEnv, workDir } from '../lib/context.js';
import { alternate, perRound, stats, timed } from '../lib/measure.js';
import type { Row } from '../lib/results.js';
import { row, skipped } from '../lib/results.js';
import { sqliteAmalgamation } from '../lib/sqlite.js';

interface ChildResult {
  bytes: number;
  lines: number;
  loadMs: number;
  firstMs: number;
  warmMs: number[];
  sites: number;
  declined: string | null;
  rssMB: number;
  warmCpuMs: number[];
  parseCpuMs: number[];
  outBytes: number;
  /** With --analyse: loading the path analysis, and running it (not in firstMs). */
  analysisLoadMs: number;
  analysisMs: number;
  findings: number;
}

/** Warmed-up calls (each with a parse alone after it) of one throughput measurement. */
const WARM_SAMPLES = 6;

/** Instruments `file` in a fresh Node process (as the wrapper does: load, then one call), `warm` more calls after. */
function child(ctx: Context, file: string, extra: string[] = [], warm = 0, mayDecline = false): ChildResult {
  const r = timed({ cmd: process.execPath, args: [ctx.childInstrument, file, ...extra, '--warm', String(warm)], cwd: ctx.root });
  const res = JSON.parse(r.stdout) as ChildResult;
  if (res.declined && !mayDecline) throw new Error(`${file}: the instrumenter declined it: ${res.declined}`);
  return res;
}

/** A file the instrumenter declined (compiled unchanged, recorded as unchecked): what deciding so cost. */
function declineRows(id: string, what: string, r: ChildResult): Row[] {
  const note = `declined: ${r.declined}; ${r.lines} lines, ${(r.bytes / 1e6).toFixed(2)} MB`;
  return [
    row(`${id}.decline-ms`, 3, `${what}: time to decline it (parse and health check, in a fresh process)`, 'ms', stats([r.firstMs]), {}, note),
    row(`${id}.rss-mb`, 6, `memory: declining ${what.replace(/^instrumenter: /, '')} (peak RSS of the process)`, 'MB', stats([r.rssMB])),
  ];
}

/** Throughput rows; a file the instrumenter may decline (`mayDecline`) gives the decline's cost instead. */
function throughput(ctx: Context, id: string, what: string, file: string, extra: string[], reps: number, note: string, mayDecline = false): Row[] {
  // Fresh processes, as the wrapper runs; the first one also times two more (warmed-up) calls. A file that may be
  // declined is tried alone first, so the decline's memory is that of one call.
  const tried = mayDecline ? child(ctx, file, extra, 0, true) : null;
  if (tried?.declined) return declineRows(id, what, tried);
  // The first process then times WARM_SAMPLES warmed-up calls, each followed by a parse alone (a warm worker's steady
  // state: V8 needs a few calls to reach it, so the samples are taken in one process, not two in each).
  const first = child(ctx, file, extra, WARM_SAMPLES);
  const runs = [first, ...Array.from({ length: reps - 1 }, () => child(ctx, file, extra))];
  const mb = first.bytes / 1e6;
  const detail = `${first.lines} lines, ${mb.toFixed(2)} MB, ${first.sites} sites; ${note}`;
  return [
    row(`${id}.mbps`, 3, `${what}: first call in a fresh process (as in the wrapper)`, 'MB/s', stats(runs.map((r) => mb / (r.firstMs / 1000))), {}, detail),
    row(`${id}.warm-mbps`, 3, `${what}: warmed-up calls`, 'MB/s', stats(runs.flatMap((r) => r.warmMs.map((m) => mb / (m / 1000))))),
    ...partsRows(id, what, first),
    row(`${id}.rss-mb`, 6, `memory: instrumenting ${what.replace(/^instrumenter: /, '')} (peak RSS of the process)`, 'MB', stats(runs.map((r) => r.rssMB))),
  ];
}

/**
 * The parse apart from the passes, and the output's size. CPU time of warmed-up calls: each sample is one call minus
 * the parse timed right after it in the same process (load falls on both alike); the rows give the median.
 */
function partsRows(id: string, what: string, r: ChildResult): Row[] {
  const mb = r.bytes / 1e6;
  const parses = r.parseCpuMs;
  const passes = r.warmCpuMs.map((call, i) => call - (r.parseCpuMs[i] as number));
  return [
    row(`${id}.parse-mbps`, 3, `${what}: the parse alone (tree-sitter, CPU time)`, 'MB/s', stats(parses.map((p) => mb / (p / 1000)))),
    row(`${id}.passes-mbps`, 3, `${what}: everything but the parse (warmed-up call minus parse, CPU time)`, 'MB/s', stats(passes.map((p) => mb / (p / 1000))), { atLeast: 2 }),
    row(`${id}.size-ratio`, 3, `${what}: instrumented output / input size`, 'x', stats([r.outBytes / r.bytes])),
  ];
}

export function benchInstrumenter(ctx: Context): Row[] {
  const dir = workDir(ctx, 'big');
  const lines = ctx.opts.quick ? 5000 : 50_000;
  const big = join(dir, 'big_driver.c');
  writeFileSync(big, bigDriverFile(lines));
  const reps = ctx.opts.quick ? 1 : 3;
  ctx.log(`instrumenter: ${lines}-line generated driver file, ${reps} fresh process(es)`);
  const rows = throughput(ctx, 'instrumenter.generated', `instrumenter: generated ${lines}-line driver file`, big, [], reps, 'roles from declarations and shapes');
  const analysed = Array.from({ length: reps }, () => child(ctx, big, ['--analyse']));
  rows.push(row('analysis.generated-ratio', 3, `path analysis: time over the instrumenter's on the generated ${lines}-line file`, '%', stats(analysed.map((r) => (100 * r.analysisMs) / r.firstMs)), {}, `${analysed[0]?.findings ?? 0} findings`));

  const sqliteWhat = 'instrumenter: SQLite amalgamation (every function a dispatch routine)';
  if (ctx.opts.quick) {
    rows.push(skipped('instrumenter.sqlite.mbps', 3, sqliteWhat, 'MB/s', 'not in --quick runs'));
  } else {
    const sq = sqliteAmalgamation(ctx.cache, ctx.log);
    if ('error' in sq) rows.push(skipped('instrumenter.sqlite.mbps', 3, sqliteWhat, 'MB/s', `no SQLite source: ${sq.error}`));
    else {
      ctx.log('instrumenter: SQLite amalgamation');
      rows.push(...throughput(ctx, 'instrumenter.sqlite', sqliteWhat, sq.path, ['--all-functions'], 1, 'SPINCHECK_ALL_FUNCTIONS, so every definition is rewritten', true));
    }
  }

  // Share of one instrumented compile: load + instrument in a fresh process, over spincheck-cc's whole compile.
  const shareWhat = 'instrumenter: share of one instrumented compile (load + instrument / Node-wrapper compile)';
  if (!have(MINGW) || !existsSync(join(DDK, 'ntddk.h'))) {
    rows.push(skipped('instrumenter.share', 3, shareWhat, '%', `${MINGW} or the DDK headers missing`));
    return rows;
  }
  const tree = workDir(ctx, 'tree');
  if (!existsSync(join(tree, 'serial.c'))) writeDriverTree(tree);
  const env = wrapperEnv(ctx, join(ctx.work, 'share-data'));
  const args = ['-O1', '-Wall', `-I${DDK}`, '-c', 'serial.c', '-o', 'serial-share.o'];
  const rounds = ctx.opts.quick ? 1 : 5;
  const s = alternate(rounds, {
    plain: () => timed({ cmd: MINGW, args, cwd: tree, env }).ms,
    spincheck: () => timed({ cmd: ctx.cc, args: [MINGW, ...args], cwd: tree, env }).ms,
    nodeWrapper: () => timed({ cmd: ctx.ccNode, args: [MINGW, ...args], cwd: tree, env }).ms,
    instrument: () => {
      const r = child(ctx, join(tree, 'serial.c'));
      return r.loadMs + r.firstMs;
    },
    analysis: () => {
      const r = child(ctx, join(tree, 'serial.c'), ['--analyse']);
      return r.analysisLoadMs + r.analysisMs;
    },
  });
  const analysisWhat = 'path analysis: share of one instrumented compile (load + analyse / Node-wrapper compile)';
  rows.push(
    row('instrumenter.share', 3, shareWhat, '%', stats(perRound([s.instrument, s.nodeWrapper], (i, w) => (100 * i) / w)), {}, 'serial.c of the build tree'),
    row('instrumenter.one-file-ms', 3, 'instrumenter: load + instrument serial.c in a fresh process', 'ms', stats(s.instrument)),
    row('instrumenter.one-compile-ratio', 3, 'one compile of serial.c: spincheck-cc (warm server) / plain', 'x', stats(perRound([s.spincheck, s.plain], (w, p) => w / p))),
    row('analysis.share', 3, analysisWhat, '%', stats(perRound([s.analysis, s.nodeWrapper], (a, w) => (100 * a) / w)), { target: 5, limit: 10 }, 'serial.c of the build tree'),
    row('instrumenter.one-compile-node-ratio', 3, 'one compile of serial.c: the Node wrapper / plain', 'x', stats(perRound([s.nodeWrapper, s.plain], (w, p) => w / p))),
  );
  return rows;
}
