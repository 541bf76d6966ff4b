// End to end: the example two-file driver and its harness built with real make and gcc through spincheck-cc,
// run as real processes; the report must name exactly the seeded violations, at their lines.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { bin } from '../helpers/bins.js';
import { queueDriverSeeds } from '../helpers/queue-driver-seeds.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ready = haveTool('make') && haveTool('gcc');

interface JsonReport {
  violations: Array<{ kind: string; location: { file: string; line: number; function: string }; acquire: { file: string; line: number } | null; count: number }>;
  totals: { sites: number; sitesHit: number; violations: number };
  files: Array<{ file: string; routines: Array<{ name: string; role: string; entries: number }> }>;
}

describe.runIf(ready)('example queue driver through make CC=spincheck-cc', () => {
  let dir: string;
  let data: string;
  const env = () => ({ ...process.env, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: '' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spincheck-e2e-'));
    cpSync(join(root, 'examples', 'queue-driver'), join(dir, 'drv'), {
      recursive: true,
      filter: (src) => !/\.(o|d)$|harness(-buggy)?$|\.spincheck/.test(src),
    });
    data = join(dir, 'data');
    const make = run('make', ['-C', join(dir, 'drv'), `CC=${bin('spincheck-cc')}`, `KIT=${join(root, 'templates', 'harness-kit')}`], { env: env() });
    expect(make.stderr).toBe('');
    expect(make.status).toBe(0);
  });

  function runHarness(name: string) {
    const runDir = join(dir, `run-${name}`);
    const r = run(process.execPath, [bin('spincheck'), 'run', '--data-dir', data, '--format', 'json', '--', `./${name}`], {
      cwd: join(dir, 'drv'),
      env: env(),
    });
    return { ...r, runDir, report: JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as JsonReport };
  }

  it('the clean build runs without violations and covers the routines', () => {
    const r = runHarness('harness');
    expect(r.status).toBe(0);
    expect(r.report.violations).toEqual([]);
    const routines = Object.fromEntries(r.report.files.flatMap((f) => f.routines.map((x) => [x.name, x])));
    expect(routines.QdRead?.entries).toBe(4);
    expect(routines.QdCancelRead?.entries).toBe(2);
    expect(routines.QdCleanup?.entries).toBe(1);
    expect(routines.QdDeviceControl?.entries).toBe(2);
    expect(r.report.totals.sitesHit).toBeGreaterThan(0);
  });

  it('the seeded build reports exactly the seeded violations, each once, at their lines', () => {
    const r = runHarness('harness-buggy');
    expect(r.status).toBe(66);
    const got = r.report.violations.map((v) => [v.kind, v.location.file.split('/').pop(), v.location.line, v.location.function, v.acquire && `${v.acquire.file.split('/').pop()}:${v.acquire.line}`, v.count]);
    expect(got).toEqual(queueDriverSeeds(join(dir, 'drv')).map((s) => [s.kind, s.file, s.line, s.function, s.acquire, 1]));
    expect(r.stderr).toContain('SUMMARY: spincheck: dispatch-exit-held');
  });

  it('spincheck report prints compiler-style lines and fails on violations', () => {
    const r = run(process.execPath, [bin('spincheck'), 'report', data], { env: env() });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^\S*driver\.c:\d+:5: error: \[CancelSpinLock\/dispatch-exit-held\] .* in QdRead; acquired at \S*queue\.c:\d+:5$/m);
    expect(r.stdout).toContain(`SUMMARY: spincheck: ${queueDriverSeeds(join(dir, 'drv')).length} violations;`);
  });
});
