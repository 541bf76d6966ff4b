// The spin-lock kinds in every report format: their rule ids (<LockRule>/<kind>), the lock's text and acquire site,
// the new sites' coverage, read back from a data directory as the runtime and the instrumenter write it.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import type { Site } from '../../src/model/index.js';
import { SPIN_LOCK_KINDS } from '../../src/model/index.js';
import { FORMATS } from '../../src/report/formats.js';
import { loadData } from '../../src/report/load.js';
import { mergeData } from '../../src/report/merge.js';
import { db as siteDb, lineOf } from './fixtures.js';
import { bin } from '../helpers/bins.js';
import { haveTool, run } from '../helpers/tools.js';
import { haveSarifSchema, reportSchemaValidator, sarifSchemaErrors } from './tools.js';

const SPIN_C = `#include "wdm.h"
NTSTATUS SpinRead(PDEVICE_OBJECT d, PIRP irp)
{
    PEXT ext = d->DeviceExtension;
    KIRQL irql;
    KeAcquireSpinLock(&ext->QueueLock, &irql);
    if (irp->Flags)
        return STATUS_PENDING;
    KeReleaseSpinLock(&ext->QueueLock, irql);
    KeAcquireSpinLockAtDpcLevel(&ext->DataLock);
    KeAcquireSpinLockAtDpcLevel(&ext->DataLock);
    KeReleaseInStackQueuedSpinLock(&handle);
    KeReleaseQueuedSpinLock(LockQueueIoDatabaseLock, irql);
    return STATUS_SUCCESS;
}
`;

type S = Omit<Site, 'index'>;

function fixture(): { root: string; data: string; line: (text: string) => number } {
  const root = mkdtempSync(join(tmpdir(), 'spincheck-spin-report-'));
  const data = join(root, '.spincheck');
  mkdirSync(join(data, 'sites'), { recursive: true });
  mkdirSync(join(data, 'runs'), { recursive: true });
  const path = join(root, 'spin.c');
  writeFileSync(path, SPIN_C);
  const l = (t: string, n = 0) => lineOf(SPIN_C, t, n);
  const fn = 'SpinRead';
  const sites: S[] = [
    { kind: 'routine-entry', line: l('{'), column: 1, function: fn, role: 'dispatch', roleSource: 'role-type' },
    { kind: 'acquire', line: l('KeAcquireSpinLock('), column: 5, function: fn, api: 'KeAcquireSpinLock', lock: '&ext->QueueLock' },
    { kind: 'routine-exit', line: l('return STATUS_PENDING'), column: 9, function: fn, role: 'dispatch', via: 'return' },
    { kind: 'release', line: l('KeReleaseSpinLock('), column: 5, function: fn, api: 'KeReleaseSpinLock', lock: '&ext->QueueLock' },
    { kind: 'acquire', line: l('KeAcquireSpinLockAtDpcLevel', 0), column: 5, function: fn, api: 'KeAcquireSpinLockAtDpcLevel', lock: '&ext->DataLock' },
    { kind: 'acquire', line: l('KeAcquireSpinLockAtDpcLevel', 1), column: 5, function: fn, api: 'KeAcquireSpinLockAtDpcLevel', lock: '&ext->DataLock' },
    { kind: 'release', line: l('KeReleaseInStackQueuedSpinLock'), column: 5, function: fn, api: 'KeReleaseInStackQueuedSpinLock', lock: '&handle' },
    { kind: 'release', line: l('KeReleaseQueuedSpinLock'), column: 5, function: fn, api: 'KeReleaseQueuedSpinLock', lock: 'LockQueueIoDatabaseLock' },
    { kind: 'routine-exit', line: l('return STATUS_SUCCESS'), column: 5, function: fn, role: 'dispatch', via: 'return' },
  ];
  const db = siteDb(path, SPIN_C, sites, [{ name: fn, role: 'dispatch', roleSource: 'role-type', line: l('NTSTATUS SpinRead'), entrySite: 0 }]);
  writeFileSync(join(data, 'sites', `${db.tu}.json`), JSON.stringify(db));
  const v = (kind: string, site: number, acq: number | null) =>
    JSON.stringify({ t: 'violation', kind, tu: db.tu, site, acquireTu: acq === null ? null : db.tu, acquireSite: acq, byIoManager: false, thread: 1, stack: [[db.tu, 0]] });
  const run = [
    JSON.stringify({ format: 'spincheck-run', version: 1, pid: 7, startedAt: 1 }),
    v('spin-lock-exit-held', 2, 1),
    v('spin-lock-double-acquire', 5, 4),
    v('spin-lock-release-not-held', 6, null),
    v('spin-lock-release-other-thread', 7, 1),
    JSON.stringify({ t: 'counters', tu: db.tu, source: path, hits: [1, 1, 1, 0, 1, 1, 1, 1, 0], held: [0, 0, 0, 0, 0, 0, 0, 0, 0] }),
  ];
  writeFileSync(join(data, 'runs', 'run-7-a.jsonl'), `${run.join('\n')}\n`);
  return { root, data, line: (t) => l(t) };
}

const fx = fixture();
const report = mergeData(loadData({ sites: [fx.data], runs: [fx.data] }), { root: fx.root });
const ctx = { color: false, sourceRoot: fx.root, toolVersion: '1.0.0', sourceText: () => SPIN_C };
const render = (format: string) => (FORMATS[format] as (typeof FORMATS)[string]).render(report, ctx);

describe('spin-lock kinds in the reports', () => {
  it('the report model carries each violation with its lock text and lock form', () => {
    expect(report.violations.map((v) => [v.kind, v.location.line, v.lock, v.api])).toEqual([
      ['spin-lock-exit-held', fx.line('return STATUS_PENDING'), '&ext->QueueLock', undefined],
      ['spin-lock-double-acquire', lineOf(SPIN_C, 'KeAcquireSpinLockAtDpcLevel', 1), '&ext->DataLock', 'KeAcquireSpinLockAtDpcLevel'],
      ['spin-lock-release-not-held', fx.line('KeReleaseInStackQueuedSpinLock'), '&handle', 'KeReleaseInStackQueuedSpinLock'],
      ['spin-lock-release-other-thread', fx.line('KeReleaseQueuedSpinLock'), 'LockQueueIoDatabaseLock', 'KeReleaseQueuedSpinLock'],
    ]);
  });

  it('text: one diagnostic per violation, with its rule, the lock and, for the exit, the lock\'s acquire', () => {
    const lines = render('text').split('\n').filter((l) => l.includes(': error: '));
    expect(lines).toEqual([
      `spin.c:${fx.line('return STATUS_PENDING')}:9: error: [CancelSpinLock/spin-lock-exit-held] dispatch or cancel routine returned holding a spin lock it acquired; in SpinRead; lock &ext->QueueLock; acquired at spin.c:${fx.line('KeAcquireSpinLock(')}:5`,
      `spin.c:${lineOf(SPIN_C, 'KeAcquireSpinLockAtDpcLevel', 1)}:5: error: [SpinLockDpc/spin-lock-double-acquire] spin lock acquired by the thread that already holds it; in SpinRead; lock &ext->DataLock; acquired at spin.c:${lineOf(SPIN_C, 'KeAcquireSpinLockAtDpcLevel', 0)}:5`,
      `spin.c:${fx.line('KeReleaseInStackQueuedSpinLock')}:5: error: [QueuedSpinLock/spin-lock-release-not-held] spin lock released while no thread holds it; in SpinRead; lock &handle`,
      `spin.c:${fx.line('KeReleaseQueuedSpinLock')}:5: error: [QueuedSpinLock/spin-lock-release-other-thread] spin lock released by a thread other than its holder; in SpinRead; lock LockQueueIoDatabaseLock; acquired at spin.c:${fx.line('KeAcquireSpinLock(')}:5`,
    ]);
  });

  it('json: valid against docs/report-schema.json (version 2), with the kinds and lock fields', () => {
    const json = JSON.parse(render('json')) as { version: number; violations: Array<{ kind: string; lock?: string }>; files: Array<{ sites: Array<{ api?: string }> }> };
    const validate = reportSchemaValidator();
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.version).toBe(2);
    expect(json.violations.map((v) => v.kind).sort()).toEqual([...SPIN_LOCK_KINDS].sort());
    expect(json.files[0]?.sites[1]?.api).toBe('KeAcquireSpinLock');
  });

  it('sarif: each result under its <LockRule>/<kind> rule, naming the lock', () => {
    const log = JSON.parse(render('sarif')) as Sarif.Log;
    const run = log.runs[0] as Sarif.Run;
    if (haveSarifSchema()) expect(sarifSchemaErrors(log)).toEqual([]);
    const ids = (run.results ?? []).map((r) => r.ruleId);
    expect(ids).toEqual([
      'CancelSpinLock/spin-lock-exit-held', 'SpinLockDpc/spin-lock-double-acquire',
      'QueuedSpinLock/spin-lock-release-not-held', 'QueuedSpinLock/spin-lock-release-other-thread',
    ]);
    for (const r of run.results ?? []) {
      const rule = run.tool.driver.rules?.[r.ruleIndex as number];
      expect(rule?.id).toBe(r.ruleId);
      expect(rule?.properties?.tags).toContain(r.ruleId?.split('/')[0]);
    }
    const exit = run.results?.[0];
    expect(exit?.message.text).toContain("(lock '&ext->QueueLock')");
    expect(exit?.relatedLocations?.[0]?.message?.text).toBe('Spin lock &ext->QueueLock acquired here.');
    expect(exit?.relatedLocations?.[0]?.physicalLocation?.region?.startLine).toBe(fx.line('KeAcquireSpinLock('));
  });

  it('junit: a failure per violation, typed by its rule, naming the lock', () => {
    const xml = render('junit');
    expect(xml).toContain('type="SpinLockDpc/spin-lock-double-acquire"');
    expect(xml).toContain('message="[CancelSpinLock/spin-lock-exit-held] dispatch or cancel routine returned holding a spin lock it acquired (lock &amp;ext-&gt;QueueLock)"');
    expect(xml.match(/<failure /g)?.length).toBe(4);
  });

  it('html: a card per kind with its rule, the lock escaped and the step that ends it', () => {
    const html = render('html');
    for (const k of SPIN_LOCK_KINDS) expect(html).toContain(`<span class="kind">${k}</span>`);
    expect(html).toContain('lock <code>&#38;ext-&#62;QueueLock</code>');
    expect(html).toContain('<code>&#38;ext-&#62;DataLock</code> at <a href="#f1-L10">');
    expect(html).toContain('QueuedSpinLock/spin-lock-release-not-held');
    expect(html).toContain('no thread held the spin lock &#38;handle');
    expect(html).not.toContain('&ext->');
  });

  it('lcov and cobertura: the new lock sites count as lines, hit or not', () => {
    const lcov = render('lcov');
    expect(lcov).toContain(`DA:${fx.line('KeAcquireSpinLock(')},1`);
    expect(lcov).toContain(`DA:${fx.line('KeReleaseSpinLock(')},0`);
    const cob = render('cobertura');
    expect(cob).toContain(`<line number="${fx.line('KeReleaseQueuedSpinLock')}" hits="1"`);
    expect(cob).toContain(`<line number="${fx.line('KeReleaseSpinLock(')}" hits="0"`);
  });
});

// The same through the real pipeline: spincheck-cc builds a driver on the DDK's macro shapes (test/e2e/spin), the run
// writes the data, `spincheck run` reports it: the lock's text reaches the report from the site database.
describe.runIf(haveTool('gcc'))('spin-lock kinds reported from a real build', () => {
  const spinDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'e2e', 'spin');
  const driver = readFileSync(join(spinDir, 'spin_driver.c'), 'utf8');
  const marked = (marker: string) => lineOf(driver, `/* ${marker} */`);

  it('names the exit, the lock as written and its acquire; filed under the lock form\'s rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-spin-run-'));
    const env = { ...process.env, SPINCHECK_CC: 'gcc', SPINCHECK_DIR: join(dir, 'data'), SPINCHECK_OPTIONS: '' };
    for (const src of [join(spinDir, 'spin_driver.c'), join(spinDir, 'harness.c')]) {
      const r = run(bin('spincheck-cc'), ['-I', spinDir, '-I', join(spinDir, '..', '..', 'golden'), '-Wall', '-Wextra', '-Werror', '-c', src], { cwd: dir, env });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const link = run(bin('spincheck-cc'), ['spin_driver.o', 'harness.o', '-o', 'harness', '-lpthread'], { cwd: dir, env });
    expect(link.status, link.stderr).toBe(0);
    for (const scenario of ['leak', 'double', 'leak-two']) {
      const r = run(join(dir, 'harness'), [scenario], { cwd: dir, env });
      expect(r.status, r.stderr).toBe(66);
    }
    const report = run(process.execPath, [bin('spincheck'), 'report', '--format', 'text', join(dir, 'data')], { cwd: dir, env });
    const errors = report.stdout.split('\n').filter((l) => l.includes(': error: '));
    // The path as the text report shows a source outside the report root (absolute, or relative to the root).
    const file = '\\S*spin_driver\\.c';
    expect(errors).toEqual([
      expect.stringMatching(new RegExp(`^${file}:${marked('BUG-spin-lock-exit-held')}:\\d+: error: \\[CancelSpinLock/spin-lock-exit-held\\] .*; in SpinLeak; lock &ext->QueueLock; acquired at ${file}:${marked('ACQ-spin-lock-exit-held')}:3`)),
      expect.stringMatching(new RegExp(`^${file}:${marked('BUG-spin-lock-double-acquire')}:\\d+: error: \\[SpinLock/spin-lock-double-acquire\\] .*; in SpinDouble; lock &ext->DataLock; acquired at ${file}:${marked('ACQ-spin-lock-double-acquire')}:3`)),
      // Two locks held at one exit: a diagnostic each, with its own lock, acquire and count (the routine ran 3 times).
      expect.stringMatching(new RegExp(`^${file}:${marked('BUG-leak-two')}:\\d+: error: \\[CancelSpinLock/spin-lock-exit-held\\] .*; in SpinLeakTwo; lock &ext->QueueLock; acquired at ${file}:${marked('ACQ-leak-two-queue')}:3; 3 times$`)),
      expect.stringMatching(new RegExp(`^${file}:${marked('BUG-leak-two')}:\\d+: error: \\[CancelSpinLock/spin-lock-exit-held\\] .*; in SpinLeakTwo; lock &ext->DataLock; acquired at ${file}:${marked('ACQ-leak-two-data')}:3; 3 times$`)),
    ]);
    const junit = run(process.execPath, [bin('spincheck'), 'report', '--format', 'junit', join(dir, 'data')], { cwd: dir, env }).stdout;
    expect(junit).toContain(`name="SpinLeakTwo: spin-lock-exit-held at line ${marked('BUG-leak-two')} (&amp;ext-&gt;QueueLock)"`);
    expect(junit).toContain(`name="SpinLeakTwo: spin-lock-exit-held at line ${marked('BUG-leak-two')} (&amp;ext-&gt;DataLock)"`);
  });
});
