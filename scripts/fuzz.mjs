#!/usr/bin/env node
// Long semantic-preservation fuzz runs with csmith (the test suite runs a fixed seed set; this runs many more).
//
//   node scripts/fuzz.mjs [--seeds N] [--start SEED] [--jobs J] [--minutes M] [--wrapper PATH]
//
// Each seed: a csmith program, decorated with hook sites, built plainly and through spincheck-cc with gcc and
// clang at -O0/-O2; outputs and exit statuses must match. Every failing program is saved as a regression case
// in test/real/csmith-regressions/seed-<SEED>.c (run by test/real/csmith.test.ts). Exit status 1 on a failure.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const o = { seeds: 200, start: Math.floor(Date.now() / 1000) % 1_000_000_000, jobs: 2, minutes: 0, wrapper: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--seeds') o.seeds = Number(v());
    else if (a === '--start') o.start = Number(v());
    else if (a === '--jobs') o.jobs = Number(v());
    else if (a === '--minutes') o.minutes = Number(v());
    else if (a === '--wrapper') o.wrapper = resolve(v());
    else {
      console.error(`fuzz: unknown argument ${a}`);
      process.exit(64);
    }
  }
  return o;
}

async function loadCore(work) {
  const out = join(work, 'csmith-fuzz.mjs');
  await build({
    entryPoints: [join(ROOT, 'test/real/csmith-fuzz.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return import(pathToFileURL(out).href);
}

const o = parseArgs(process.argv.slice(2));
for (const tool of ['csmith', 'gcc', 'clang']) {
  if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(`fuzz: ${tool} is not installed (Debian: csmith libcsmith-dev gcc clang)`);
    process.exit(2);
  }
}
const wrapper = o.wrapper || join(ROOT, 'dist/bin/spincheck-cc');
if (!o.wrapper) {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const work = mkdtempSync(join(tmpdir(), 'spincheck-fuzz-'));
const core = await loadCore(work);
const env = {};
for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SPINCHECK_')) env[k] = v;
env.SPINCHECK_CACHE_DIR = join(work, 'cache');

const deadline = o.minutes > 0 ? Date.now() + o.minutes * 60_000 : Infinity;
const regressions = join(ROOT, 'test/real/csmith-regressions');
const counts = { ok: 0, skipped: 0, fail: 0, compared: 0, plainCompiled: 0, instrumentedCompiled: 0 };
const started = Date.now();
const tasks = [];
for (let k = 0; k < o.seeds; k++) {
  const seed = o.start + k;
  tasks.push(async () => {
    if (Date.now() > deadline) return;
    const dir = join(work, `seed-${seed}`);
    const r = await core.checkSeed(seed, dir, { wrapper, env });
    counts[r.verdict]++;
    counts.compared += r.compared;
    counts.plainCompiled += r.plainCompiled;
    counts.instrumentedCompiled += r.instrumentedCompiled;
    if (r.verdict === 'fail') {
      mkdirSync(regressions, { recursive: true });
      writeFileSync(join(regressions, `seed-${seed}.c`), readFileSync(join(dir, 'raw.c')));
      console.log(`FAIL seed ${seed} (saved as test/real/csmith-regressions/seed-${seed}.c)\n${r.detail}`);
    } else {
      rmSync(dir, { recursive: true, force: true });
      console.log(`seed ${seed}: ${r.verdict}${r.verdict === "skipped" ? ` (${r.detail})` : ""}`);
    }
  });
}
await core.pool(o.jobs, tasks);
const secs = ((Date.now() - started) / 1000).toFixed(0);
console.log(
  `\nfuzz: seeds ${o.start}..${o.start + o.seeds - 1}: ${counts.ok} ok, ${counts.skipped} skipped (no verdict), ` +
    `${counts.fail} failed; ${counts.compared} runs compared; ${counts.instrumentedCompiled} of ${counts.plainCompiled} ` +
    `plain compiles also compiled instrumented; ${secs} s`,
);
if (counts.fail === 0) rmSync(work, { recursive: true, force: true });
else console.log(`fuzz: work files kept in ${work}`);
process.exit(counts.fail > 0 ? 1 : 0);
