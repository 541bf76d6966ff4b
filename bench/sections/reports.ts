// 5. Reports: `spincheck report` over 10,000 run files and 5,000 sites, writing every format; seconds and peak RSS.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeRunData } from '../gen/run-data.js';
import type { Context } from '../lib/context.js';
import { wrapperEnv, workDir } from '../lib/context.js';
import { stats, takeRss, timed } from '../lib/measure.js';
import type { Row } from '../lib/results.js';
import { row, skipped } from '../lib/results.js';

const FALLBACK_FORMATS = ['text', 'json', 'sarif', 'lcov', 'html', 'junit'];

/** Every format this build of `spincheck report` knows, from its own "unknown format" message. */
function availableFormats(ctx: Context, dir: string, env: NodeJS.ProcessEnv): string[] {
  const empty = join(dir, 'empty');
  mkdirSync(join(empty, 'sites'), { recursive: true });
  const r = spawnSync(process.execPath, [ctx.cli, 'report', empty, '--format', '--no-such-format--'], { cwd: dir, env, encoding: 'utf8' });
  const known = /known: ([^)\n]+)/.exec(r.stderr)?.[1];
  return known ? known.split(/,\s*/).filter(Boolean) : FALLBACK_FORMATS;
}

export function benchReports(ctx: Context): Row[] {
  const dir = workDir(ctx, 'reports');
  const dataDir = join(dir, 'data');
  const spec = ctx.opts.quick ? { sites: 500, runs: 200, coverage: 0.2 } : { sites: 5000, runs: 10_000, coverage: 0.2 };
  ctx.log(`reports: generating ${spec.runs} run files over ${spec.sites} sites`);
  const data = writeRunData(dir, dataDir, spec);
  const env = wrapperEnv(ctx, dataDir);
  const formats = availableFormats(ctx, dir, env);
  const out = join(dir, 'out');
  const rssFile = join(dir, 'rss.txt');
  const args = [
    '--require', ctx.probe, ctx.cli, 'report', 'data', ...formats.flatMap((f) => ['--format', f]), '--output', 'out', '--fail-on', 'none',
  ];
  const rounds = ctx.opts.quick ? 1 : 3;
  ctx.log(`reports: ${rounds} round(s) of spincheck report --format ${formats.join(',')}`);
  const seconds: number[] = [];
  for (let i = 0; i < rounds; i++) {
    rmSync(out, { recursive: true, force: true });
    seconds.push(timed({ cmd: process.execPath, args, cwd: dir, env: { ...env, BENCH_RSS_OUT: rssFile } }).ms / 1000);
  }
  const rss = takeRss(rssFile).map((k) => k / 1024);
  const note = `${data.runs} run files (${(data.bytes / 1e6).toFixed(0)} MB), ${data.sites} sites in ${data.tus} units, ${data.violations} violations; formats: ${formats.join(', ')}`;
  const memWhat = 'memory: `spincheck report` peak RSS (the run above)';
  return [
    row('reports.seconds', 5, `reports: merge ${data.runs} run files over ${data.sites} sites, write every format`, 's', stats(seconds), { target: 5 }, note),
    rss.length > 0 ? row('memory.report-mb', 6, memWhat, 'MB', stats(rss)) : skipped('memory.report-mb', 6, memWhat, 'MB', 'the RSS probe wrote nothing'),
  ];
}
