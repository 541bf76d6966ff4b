// Per-thread counts (docs/runtime.md, "Counters"): threads counting at the same sites, in and outside a routine, add
// up exactly once every thread has ended; a mid-run dump shows the ended routines' counts and the dumping thread's
// own, not those of a routine still running in another thread.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { instrument } from '../../src/instrument/index.js';
import type { CountersRecord, RunRecord } from '../../src/model/index.js';
import { haveTool, run } from '../helpers/tools.js';

const here = join(dirname(fileURLToPath(import.meta.url)), 'counts');
const runtimeDir = join(here, '..', '..', '..', 'src', 'runtime-c');
const source = readFileSync(join(here, 'count_driver.c'), 'utf8');
const result = instrument(source, { tuId: 'counts', sourceName: 'count_driver.c' });
const lineOf = (marker: string) => source.split('\n').findIndex((l) => l.includes(`/* ${marker} */`)) + 1;
/** The lock-call site on the marker's line. */
const siteOf = (marker: string) => {
  const i = result.sites.findIndex((s) => s.line === lineOf(marker) && (s.kind === 'acquire' || s.kind === 'release'));
  if (i < 0) throw new Error(`no site at ${marker}`);
  return i;
};

const WORKERS = 4, CALLS = 50, PAIRS = 1000, LOOSE = 777;
const workers = WORKERS * CALLS * PAIRS;
// At the dump: the workers', A's 3 calls of 100, B's first call (1), the main thread's own 50; B's 70 come at its exit.
const atDump = workers + 300 + 1 + 50;

/** Build the harness with `cc` (extra `flags`), run it (through `runner`, e.g. wine), check both counters records. */
function check(cc: string, flags: string[], runner: string[] = []) {
  const work = mkdtempSync(join(tmpdir(), 'spincheck-counts-'));
  writeFileSync(join(work, 'count_driver.c'), result.code);
  const exe = join(work, runner.length ? 'harness.exe' : 'harness');
  const b = run(cc, ['-std=gnu99', '-Wall', '-Wextra', '-Werror', '-O2', `-I${here}`, `-I${join(here, '..', '..', 'golden')}`, `-I${runtimeDir}`,
    join(work, 'count_driver.c'), join(here, 'harness.c'), join(runtimeDir, 'spincheck_runtime.c'), '-o', exe, '-pthread', ...flags]);
  expect(b.stderr).toBe('');
  expect(b.status).toBe(0);
  const dir = join(work, 'data');
  const r = run(runner[0] ?? exe, runner.length ? [...runner.slice(1), exe] : [], { env: { ...process.env, SPINCHECK_DIR: dir, SPINCHECK_OPTIONS: '', WINEDEBUG: '-all' } });
  expect(r.status, r.stderr).toBe(0);
  const runs = join(dir, 'runs');
  const recs = (existsSync(runs) ? readdirSync(runs) : []).flatMap((f) =>
    readFileSync(join(runs, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunRecord));
  expect(recs.filter((x) => x.t === 'violation')).toEqual([]);
  const counters = recs.filter((x): x is CountersRecord => x.t === 'counters' && x.tu === 'counts');
  expect(counters).toHaveLength(3);
  const [dump, heldDump, last] = counters as [CountersRecord, CountersRecord, CountersRecord];
  const at = (c: CountersRecord, m: string) => c.hits[siteOf(m)];
  for (const m of ['SPIN-ACQ', 'SPIN-REL', 'CANCEL-ACQ', 'CANCEL-REL']) {
    expect(at(dump, m), `${m} at the dump`).toBe(atDump);
    expect(at(last, m), `${m} at exit`).toBe(atDump + 70);
  }
  // Dumped holding the outer lock (taken a second time at the same site): that acquire counts, its release not yet,
  // and once released it counts once; the three nested routines' exits added the counts while it was held.
  const held = (c: CountersRecord) => ['HELD-ACQ', 'HELD-REL', 'INNER-ACQ', 'INNER-REL', 'DUMP-ACQ', 'DUMP-REL'].map((m) => at(c, m));
  expect(held(heldDump)).toEqual([3, 3, 15, 15, 2, 1]);
  expect(held(last)).toEqual([3, 3, 15, 15, 2, 2]);
  // Counted outside any routine: added when each worker thread ended.
  for (const m of ['LOOSE-ACQ', 'LOOSE-REL']) {
    expect(at(dump, m), m).toBe(WORKERS * LOOSE);
    expect(at(last, m), m).toBe(WORKERS * LOOSE);
  }
}

describe('per-thread counts (4 threads)', () => {
  it.runIf(haveTool('gcc'))('add up exactly after join; a mid-run dump shows ended routines and its own thread (gcc, inline fast paths)', () => {
    check('gcc', []);
  });
  // The runtime's fast paths, thread exit through a fiber-local storage callback.
  it.runIf(haveTool('x86_64-w64-mingw32-gcc') && haveTool('wine'))('the same with x86_64-w64-mingw32-gcc under Wine', () => {
    check('x86_64-w64-mingw32-gcc', ['-static'], ['wine']);
  });
});
