// Smoke test of the benchmark suite: `bench/run.mjs --quick` runs and writes a well-formed table. Timings are not
// asserted (benchmarks measure; tests check behaviour).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Row as BenchRow } from '../../bench/lib/results.js';
import { ROOT } from '../wrapper/helpers.js';

const DIFFERENCES = /^(hooks(\.spin)?\.ns-per-event|passthrough\.(ratio|extra-ms|node-wrapper-ratio)$)/;

describe('npm run bench -- --quick', () => {
  it('prints one table and writes it as JSON: seven sections, positive finite figures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-bench-'));
    const out = join(dir, 'bench.json');
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'bench/run.mjs'), '--quick', '--out', out], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 300_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^#\s+measurement\s+median\s+min\s+max/m);
      expect(r.stdout).toMatch(/machine: .+, \d+ cores/);

      const result = JSON.parse(readFileSync(out, 'utf8')) as {
        format: string;
        version: number;
        quick: boolean;
        machine: { cpuModel: string; cores: number };
        rows: BenchRow[];
        errors: string[];
      };
      expect(result.format).toBe('spincheck-bench');
      expect(result.version).toBe(1);
      expect(result.quick).toBe(true);
      expect(result.errors).toEqual([]);
      expect(result.machine.cores).toBeGreaterThan(0);
      expect(result.machine.cpuModel.length).toBeGreaterThan(0);
      expect(new Set(result.rows.map((row) => row.section))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
      expect(new Set(result.rows.map((row) => row.id)).size).toBe(result.rows.length);

      const ids = result.rows.map((row) => row.id);
      for (const id of ['build.ratio', 'passthrough.ratio', 'instrumenter.generated.mbps', 'hooks.ratio.1t', 'hooks.ns-per-event.4t', 'hooks.spin.ratio.1t', 'hooks.spin.ratio.4t', 'reports.seconds', 'memory.report-mb', 'instrumenter.generated.passes-mbps', 'instrumenter.generated.size-ratio', 'server.two-over-one', 'server.tree.bottleneck-j']) {
        expect(ids).toContain(id);
      }
      for (const row of result.rows) {
        expect(['met', 'missed', 'over-limit', 'info', 'skipped']).toContain(row.status);
        if (row.status === 'skipped') {
          expect(row.note, row.id).toBeTruthy();
          continue;
        }
        expect(row.n, row.id).toBeGreaterThan(0);
        for (const v of [row.median, row.min, row.max]) expect(Number.isFinite(v), `${row.id}: ${v}`).toBe(true);
        expect(row.min as number, row.id).toBeLessThanOrEqual(row.median as number);
        expect(row.median as number, row.id).toBeLessThanOrEqual(row.max as number);
        // Ratios, throughputs, times and sizes are positive. Differences may dip below 0: ns per hook event, and the
        // pass-through's extra time (a few ms through the warm server, inside the noise of a gcc run).
        if (DIFFERENCES.test(row.id)) continue;
        expect(row.median as number, row.id).toBeGreaterThan(0);
        if (row.unit === 'x') expect(row.min as number, row.id).toBeGreaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 360_000);

  it('refuses to measure a dist/bin older than the sources, naming the newer source', () => {
    const root = mkdtempSync(join(tmpdir(), 'spincheck-bench-stale-'));
    try {
      mkdirSync(join(root, 'bench'));
      cpSync(join(ROOT, 'bench/run.mjs'), join(root, 'bench/run.mjs'));
      symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
      mkdirSync(join(root, 'dist/bin'), { recursive: true });
      mkdirSync(join(root, 'src/instrument'), { recursive: true });
      for (const f of ['spincheck-cc.js', 'spincheck.js']) writeFileSync(join(root, 'dist/bin', f), '');
      writeFileSync(join(root, 'src/instrument/old.ts'), '');
      writeFileSync(join(root, 'src/instrument/edited.ts'), '');
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(join(root, 'src/instrument/old.ts'), hourAgo, hourAgo);
      const built = new Date(Date.now() - 1_800_000);
      for (const f of ['spincheck-cc.js', 'spincheck.js']) utimesSync(join(root, 'dist/bin', f), built, built);
      const stale = spawnSync(process.execPath, [join(root, 'bench/run.mjs'), '--only', '99'], { cwd: root, encoding: 'utf8' });
      expect(stale.status).toBe(2);
      expect(stale.stderr.trim()).toBe(`bench: dist/bin is older than ${join(root, 'src/instrument/edited.ts')}: run \`npm run build\` first (\`npm run bench\` does)`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
