// The arrival campaign's IRP_MJ_CLOSE closes a file object the campaign opened itself, never the harness's: a
// real I/O manager sends a close only when the last reference to a file object goes away. A driver of our own
// (test/kernel-model/file-state) keeps per-file state from IRP_MJ_CREATE to IRP_MJ_CLOSE and bug checks when a
// read or a close finds it gone; its harness opens, reads, makes the device exclusive (creates fail), reads, ends
// that, and closes. Every run of its arrival campaign is clean: a close arrives after a create of its own, and
// where that create fails (the device exclusive) the run is one without an arrival; nothing arrives on the
// harness's file object once the harness has sent its close.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { campaignSummary, type Report } from './wine-drivers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string) => join(root, 'dist', 'bin', `${name}.js`);
const MINGW = 'x86_64-w64-mingw32-gcc';
const ready = haveTool('make') && haveTool(MINGW) && haveTool('wine');

describe.runIf(ready)("the arrival campaign's close: on a file object of its own", () => {
  let dir: string;
  let data: string;
  const env = () => ({ ...process.env, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: '', KMODEL_VERBOSE: '1', KMODEL_ISOLATE: '' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spincheck-file-state-'));
    data = join(dir, 'data');
    cpSync(join(root, 'test', 'kernel-model', 'file-state'), dir, { recursive: true });
    const make = run('make', ['-C', dir, `CC=${bin('spincheck-cc')} ${MINGW}`, `KM=${join(root, 'templates', 'kernel-model')}`], { env: env() });
    expect(make.stderr).not.toMatch(/error|warning|undefined reference/);
    expect(make.status).toBe(0);
  }, 600_000);

  it('a driver that frees per-file state on close neither crashes nor reports under any arrival', () => {
    const r = run(process.execPath, [bin('spincheck'), 'run', '--data-dir', data, '--format', 'json', '--fail-on', 'none', '--', './harness.exe', '--arrive'], { cwd: dir, env: env() });
    const stdout = r.stdout.replace(/\r/g, '');
    const report = JSON.parse(stdout.slice(stdout.indexOf('{\n'))) as Report;
    const { runs, injected, clean } = campaignSummary(r.stderr);
    expect(stdout).toContain(`fs-harness: ${injected} arrival runs\n`);
    expect(clean, r.stderr.split('\n').filter((l) => /^kmodel: campaign run .*\]: (?!clean)/.test(l)).join('\n')).toBe(runs);
    const closes = [...r.stderr.matchAll(/kmodel: campaign run \d+ \[((?:no )?(?:arrival of IRP #\d+ \()?IRP_MJ_CLOSE[^\]]*)\]: (\w+)/g)].map((m) => m[1] as string);
    // Before the harness's close: each close arrival is preceded by a create of its own.
    const arrived = closes.filter((c) => c.startsWith('arrival'));
    expect(arrived.length).toBeGreaterThan(0);
    for (const c of arrived) expect(c).toMatch(/^arrival of IRP #(\d+) \(IRP_MJ_CLOSE of its own open, IRP #\d+\) /);
    // While the device is exclusive (between the IOCTLs), the campaign's own create fails: runs without an arrival.
    const refused = closes.filter((c) => c.endsWith('(its own IRP_MJ_CREATE did not succeed)'));
    expect(refused.length).toBeGreaterThan(0);
    for (const c of refused) expect(c).toMatch(/^no IRP_MJ_CLOSE arrival at .*(FsControl|FsRead)\+/);
    expect(report.findings).toEqual([]);
    expect(report.violations).toEqual([]);
    expect(r.status).toBe(0);
  });
});
