// A real driver with a two-branch cancel routine on the kernel model: Wine's nsiproxy.sys
// (dlls/nsiproxy.sys/device.c from Debian's `wine` source package, fetched at test time, never committed),
// compiled unchanged against Wine's own headers through spincheck-cc, linked with the model, a stand-in for its
// Unix side and a harness (test/kernel-model/wine-drivers), run under Wine. Its cancel routine icmp_echo_cancel
// has a branch for a request still queued (no handle) and one for a request its listen thread holds (it calls
// icmp_cancel_listen): the plain scenario runs each once; the cancellation campaign (4 injected runs) is clean;
// the arrival campaign finds that the driver completes requests it never cancelled with their cancel routine
// still set (bug check 0x48 on Windows), in the runs where the arriving request is not cancelled.
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { debSourceDsc, haveDebTools, scratchDir, sh } from '../real/helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string) => join(root, 'dist', 'bin', `${name}.js`);
const MINGW = 'x86_64-w64-mingw32-gcc';
const ready = haveTool('make') && haveTool(MINGW) && haveTool('wine') && haveDebTools() && haveTool('tar');

interface Finding { kind: string; code: number; message: string; run?: string }
interface Report {
  violations: unknown[];
  findings: Finding[];
  files: Array<{ file: string; routines: Array<{ name: string; role: string; entries: number }>; sites: Array<{ function: string; hits: number }> }>;
}

describe.runIf(ready)("Wine's nsiproxy.sys on the kernel model", () => {
  let dir = '';
  let data = '';
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: '', KMODEL_VERBOSE: '', KMODEL_ISOLATE: '', ...extra });
  const runHarness = (args: string[], extra: Record<string, string> = {}) => {
    const r = run(process.execPath, [bin('spincheck'), 'run', '--data-dir', data, '--format', 'json', '--fail-on', 'none', '--', './nsiproxy.exe', ...args], { cwd: dir, env: env(extra) });
    const json = r.stdout.indexOf('{\n');
    return { ...r, stdout: r.stdout.replace(/\r/g, ''), report: (json >= 0 ? JSON.parse(r.stdout.slice(json)) : null) as Report | null };
  };
  const cancelRoutine = (report: Report | null) =>
    report?.files.find((f) => f.file.endsWith('nsiproxy.sys/device.c'))?.routines.find((r) => r.name === 'icmp_echo_cancel');

  beforeAll(() => {
    const dsc = debSourceDsc('wine');
    if (!dsc) return;
    const pkgDir = dirname(dsc);
    const orig = readdirSync(pkgDir).find((f) => /\.orig\.tar\.(xz|gz|bz2)$/.test(f)) as string;
    const src = scratchDir('km-nsiproxy');
    sh('tar', ['xf', join(pkgDir, orig), '--wildcards', '*/dlls/nsiproxy.sys/*', '*/include/*'], src, process.env);
    const wine = join(src, readdirSync(src).find((d) => d.startsWith('wine')) as string);
    const top = mkdtempSync(join(tmpdir(), 'spincheck-nsiproxy-'));
    dir = join(top, 'wine-drivers');
    data = join(top, 'data');
    cpSync(join(root, 'test', 'kernel-model', 'wine-drivers'), dir, { recursive: true });
    cpSync(join(root, 'test', 'kernel-model', 'http-sys'), join(top, 'http-sys'), { recursive: true });
    const make = run('make', ['-C', dir, `CC=${bin('spincheck-cc')} ${MINGW}`, `KM=${join(root, 'templates', 'kernel-model')}`, `WINE=${wine}`, 'nsiproxy.exe'], { env: env() });
    expect(make.stderr).not.toMatch(/error|undefined reference/);
    expect(make.status).toBe(0);
  }, 600_000);

  it('runs unchanged: the cancel routine takes its queued branch and its listening branch once each', () => {
    if (!dir) return;
    const r = runHarness([]);
    expect(r.stdout).toContain('nsiproxy-harness: cancelled 1 queued, 1 listening\n');
    expect(r.stdout).toContain('nsiproxy-harness: passed');
    expect(r.stdout).not.toContain('FAILED');
    expect(cancelRoutine(r.report)).toMatchObject({ role: 'cancel', entries: 2 });
    expect(r.report?.violations).toEqual([]);
    expect(r.report?.findings).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('the cancellation campaign: every injected run is clean', () => {
    if (!dir) return;
    const r = runHarness(['--inject'], { KMODEL_VERBOSE: '1' });
    const summary = r.stderr.match(/kmodel: campaign summary: (\d+) runs \(1 without injection, (\d+) injected\): (\d+) clean,/);
    expect(summary).not.toBeNull();
    const [, runs, injected, clean] = (summary as RegExpMatchArray).map(Number);
    expect(injected).toBeGreaterThan(0);
    expect(clean).toBe(runs);
    expect(r.stdout).toContain(`nsiproxy-harness: ${injected} injected cancellations`);
    expect(r.report?.findings).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('the arrival campaign: a request the driver completes without cancelling it still has its cancel routine (0x48)', () => {
    if (!dir) return;
    const r = runHarness(['--arrive'], { KMODEL_VERBOSE: '1' });
    const outcomes = [...r.stderr.matchAll(/kmodel: campaign run \d+ \[arrival of IRP #\d+ \(IRP_MJ_DEVICE_CONTROL 0x12100C\) ([^\]]*)\]: (\w+)/g)];
    expect(outcomes.length).toBeGreaterThan(0);
    const bugchecked = outcomes.filter((o) => o[2] === 'bugcheck');
    expect(bugchecked.length).toBeGreaterThan(0);
    // An arrival cancelled once queued is completed by the cancel path, which clears the routine: some are clean.
    expect(outcomes.some((o) => o[2] === 'clean' && (o[1] as string).endsWith('cancelled once queued'))).toBe(true);
    const findings = r.report?.findings ?? [];
    expect(findings.length).toBe(bugchecked.length);
    for (const f of findings) {
      expect(f).toMatchObject({ kind: 'bugcheck', code: 0x48 });
      expect(f.message).toMatch(/CANCEL_STATE_IN_COMPLETED_IRP: IoCompleteRequest\(.*\): the IRP still has its cancel routine/);
      expect(f.run).toMatch(/^arrival of IRP #\d+ \(IRP_MJ_DEVICE_CONTROL 0x12100C\) /);
    }
    expect(cancelRoutine(r.report)?.entries).toBeGreaterThan(2);
    expect(r.report?.violations).toEqual([]);
  });
});
