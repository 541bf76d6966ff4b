// Semantic preservation on csmith programs: a fixed seed set (chosen among seeds whose plain programs terminate
// quickly), plus every saved regression case. `node scripts/fuzz.mjs` runs many more seeds.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { checkSeed, CSMITH_INCLUDE, pool } from './csmith-fuzz.js';
import type { SeedOutcome } from './csmith-fuzz.js';
import { CLI, ROOT, scratchDir, wrapperEnv } from './helpers.js';

/** Seeds (csmith 2.3.0, the arguments in csmith-fuzz.ts) whose programs terminate within a second. */
const SEEDS = [2, 4, 5, 8, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21, 23, 24, 26, 27, 28, 29, 30, 31, 32];
const REGRESSIONS = join(ROOT, 'test/real/csmith-regressions');

function haveCsmithHeaders(): boolean {
  if (existsSync(join(CSMITH_INCLUDE, 'csmith.h'))) return true;
  const why = `${CSMITH_INCLUDE}/csmith.h is missing (Debian package libcsmith-dev)`;
  if (process.env.CI) throw new Error(why);
  console.warn(`\n*** SKIPPING: ${why} ***\n`);
  return false;
}

const ok = haveTool('csmith') && haveTool('gcc') && haveTool('clang') && haveCsmithHeaders();

describe.runIf(ok)('csmith programs: instrumented builds compute what plain builds compute', () => {
  const env = wrapperEnv();
  const work = scratchDir('csmith');
  const summary = (rs: SeedOutcome[]): string => {
    const n = (v: string): number => rs.filter((r) => r.verdict === v).length;
    const sum = (k: 'compared' | 'plainCompiled' | 'instrumentedCompiled'): number => rs.reduce((s, r) => s + r[k], 0);
    return `${rs.length} programs: ${n('ok')} ok, ${n('skipped')} without verdict, ${n('fail')} failed; ${sum('compared')} runs compared; ` +
      `${sum('instrumentedCompiled')} of ${sum('plainCompiled')} plain compiles compiled instrumented`;
  };

  it('fixed seeds: gcc and clang at -O0 and -O2, same output and exit status', async () => {
    const results = await pool(2, SEEDS.map((seed) => () => checkSeed(seed, join(work, `seed-${seed}`), { wrapper: CLI, env })));
    console.log(`csmith fixed seeds: ${summary(results)}`);
    expect(results.filter((r) => r.verdict === 'fail').map((r) => `seed ${r.seed}: ${r.detail}`)).toEqual([]);
    expect(results.filter((r) => r.verdict === 'ok').length).toBeGreaterThanOrEqual(SEEDS.length - 2);
  }, 600_000);

  const saved = existsSync(REGRESSIONS) ? readdirSync(REGRESSIONS).filter((f) => f.endsWith('.c')).sort() : [];
  if (saved.length > 0) it.each(saved)('regression case %s', async (file) => {
    const seed = Number(/\d+/.exec(file)?.[0] ?? 0);
    const r = await checkSeed(seed, join(work, `reg-${file}`), { wrapper: CLI, env }, readFileSync(join(REGRESSIONS, file), 'utf8'));
    expect(r.verdict, r.detail).not.toBe('fail');
  }, 300_000);
});
