// A small StartIo driver of our own (test/kernel-model/tone: a StartIo queue, a cancel routine with a current-IRP
// branch and a queued branch, a timer DPC, paging control and the HAL's beep) on the kernel model, built unchanged
// through spincheck-cc and kmodel.mk and run under Wine: it links; a campaign runs each injected run in a process
// of its own, labels each window by the driver's call site or the kernel step, and survives a seeded double
// completion, which ends its run with its report and shows in `spincheck report` as a finding of its own kind; the
// arrival campaign reaches the queued branch of the cancel routine, which cancels alone cannot.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string) => join(root, 'dist', 'bin', `${name}.js`);
const MINGW = 'x86_64-w64-mingw32-gcc';
const ready = haveTool('make') && haveTool(MINGW) && haveTool('wine');

interface Finding { kind: string; code: number; message: string; run?: string; processes: number }
interface Report { violations: unknown[]; findings: Finding[]; files: Array<{ file: string; sites: Array<{ kind: string; function: string; line: number; hits: number }> }> }

describe.runIf(ready)('a StartIo driver of our own on the kernel model', () => {
  let dir: string;
  let data: string;
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: '', KMODEL_VERBOSE: '', KMODEL_ISOLATE: '', ...extra });
  const runHarness = (program: string, args: string[], extra: Record<string, string> = {}) => {
    const r = run(process.execPath, [bin('spincheck'), 'run', '--data-dir', data, '--format', 'json', '--', `./${program}.exe`, ...args], { cwd: dir, env: env(extra) });
    const json = r.stdout.indexOf('{\n');
    return { ...r, stdout: r.stdout.replace(/\r/g, ''), report: (json >= 0 ? JSON.parse(r.stdout.slice(json)) : null) as Report | null };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spincheck-tone-'));
    data = join(dir, 'data');
    cpSync(join(root, 'test', 'kernel-model', 'tone'), dir, { recursive: true });
    const make = run('make', ['-C', dir, `CC=${bin('spincheck-cc')} ${MINGW}`, `KM=${join(root, 'templates', 'kernel-model')}`], { env: env() });
    expect(make.stderr).not.toMatch(/error|undefined reference/);
    expect(make.status).toBe(0);
  }, 600_000);

  it('links unchanged: paging control and the HAL beep are no-ops; the campaign runs each injected run in a process of its own', () => {
    const r = runHarness('harness', ['--inject'], { KMODEL_VERBOSE: '1' });
    expect(r.stderr).toContain('kmodel: cancel campaign: each run in a process of its own');
    const summary = r.stderr.match(/kmodel: campaign summary: (\d+) runs \(1 without injection, (\d+) injected\): (\d+) clean,/);
    expect(summary).not.toBeNull();
    const [, runs, injected, clean] = summary as RegExpMatchArray;
    expect(Number(injected)).toBeGreaterThan(4);
    expect(Number(clean)).toBe(Number(runs));
    expect(r.stdout).toContain(`harness: ${injected} injected cancellations`);
    expect(r.report?.findings).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('labels each window by the driver call site or the kernel step, never by the model\'s own release', () => {
    const r = runHarness('harness', ['--inject'], { KMODEL_VERBOSE: '1' });
    const labels = [...r.stderr.matchAll(/kmodel: campaign run \d+ \[injected IoCancelIrp of IRP #\d+ \(IRP_MJ_DEVICE_CONTROL\) ([^\]]*)\]/g)].map((m) => m[1]);
    expect(labels).toEqual(expect.arrayContaining([
      expect.stringMatching(/^at IoStartPacket called from ToneDeviceControl\+0x[0-9a-f]+ \(harness\.exe\)$/),
      'inside IoStartPacket, before StartIo',
      expect.stringMatching(/^at IoAcquireCancelSpinLock called from ToneStartIo\+0x[0-9a-f]+ \(harness\.exe\)$/),
      expect.stringMatching(/^at IoStartNextPacket called from ToneStartIo\+0x[0-9a-f]+ \(harness\.exe\)$/),
    ]));
    for (const l of labels) expect(l).toMatch(/ called from Tone[A-Za-z]+\+0x[0-9a-f]+ \(harness\.exe\)$|^inside Io[A-Za-z]+, before StartIo$|^at the return of /);
  });

  /** Hits of the release in the cancel routine's queued branch (the second IoReleaseCancelSpinLock of ToneCancel). */
  function queuedBranchHits(report: Report | null): number {
    const source = readFileSync(join(dir, 'tone.c'), 'utf8').split('\n');
    const start = source.findIndex((l) => l.startsWith('static VOID NTAPI ToneCancel('));
    const line = source.findIndex((l, i) => i > start && l.includes('/* Queued:')) + 3;
    expect(source[line - 1]).toContain('IoReleaseCancelSpinLock(Irp->CancelIrql);');
    const file = report?.files.find((f) => f.file.endsWith('tone.c') && !f.file.includes('seed'));
    const site = file?.sites.find((s) => s.kind === 'release' && s.line === line);
    expect(site).toBeDefined();
    return site?.hits ?? 0;
  }

  it('cancels alone never reach the queued branch of the cancel routine; the arrival campaign does', () => {
    const cancels = runHarness('harness', ['--inject']);
    expect(queuedBranchHits(cancels.report)).toBe(0);
    const r = runHarness('harness', ['--arrive'], { KMODEL_VERBOSE: '1' });
    expect(r.stderr).toContain('kmodel: arrive campaign: each run in a process of its own');
    expect(r.stderr).toMatch(/kmodel: campaign run \d+ \[arrival of IRP #\d+ \(IRP_MJ_DEVICE_CONTROL 0x10004\) at IoAcquireCancelSpinLock called from ToneStartIo\+0x[0-9a-f]+ \(harness\.exe\), cancelled once queued\]: clean/);
    const summary = r.stderr.match(/kmodel: campaign summary: (\d+) runs \(1 without injection, (\d+) injected\): (\d+) clean,/);
    expect(summary).not.toBeNull();
    expect(Number(summary?.[3])).toBe(Number(summary?.[1]));
    expect(r.stdout).toContain(`harness: ${summary?.[2]} arrival runs`);
    expect(queuedBranchHits(r.report)).toBeGreaterThan(0);
    expect(r.report?.violations).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('KmOnWindow calls the harness back at every window, as another processor: it can send a request inside StartIo', () => {
    const r = runHarness('harness', ['--hook']);
    expect(r.stdout).toMatch(/harness: a request arrived at IoAcquireCancelSpinLock called from ToneStartIo\+0x[0-9a-f]+ \(harness\.exe\); completed\n/);
    expect(r.report?.findings).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('a seeded double completion ends its run with its report; the campaign goes on to its summary, and the report shows the finding', () => {
    const r = runHarness('seed', ['--inject']);
    const bugchecks = [...r.stderr.matchAll(/kmodel: campaign run (\d+) \[injected IoCancelIrp of IRP #(\d+) \(IRP_MJ_DEVICE_CONTROL\) ([^\]]*)\]: bugcheck: bugcheck 0x44 MULTIPLE_IRP_COMPLETE_REQUESTS/g)];
    expect(bugchecks.length).toBeGreaterThan(0);
    const summary = r.stderr.match(/kmodel: campaign summary: (\d+) runs \(1 without injection, (\d+) injected\): (\d+) clean, \d+ with model errors, (\d+) bugchecked/);
    expect(summary).not.toBeNull();
    const [, runs, injected, clean, bugchecked] = (summary as RegExpMatchArray).map(Number);
    expect(bugchecked).toBe(bugchecks.length);
    expect(clean).toBeGreaterThan(0);
    // Runs after the first bugcheck happened: the campaign survived it.
    expect(Math.max(...bugchecks.map((b) => Number(b[1])))).toBeLessThan(runs as number);
    expect(r.stdout).toContain(`harness: ${injected} injected cancellations`);
    const findings = r.report?.findings.filter((f) => f.kind === 'double-completion') ?? [];
    expect(findings.length).toBe(bugchecks.length);
    for (const f of findings) {
      expect(f.code).toBe(0x44);
      expect(f.run).toMatch(/^injected IoCancelIrp of IRP #\d+ \(IRP_MJ_DEVICE_CONTROL\) /);
    }
    expect(r.status).not.toBe(0);
  });

  it('the report shows model findings in every format beside the violations', () => {
    const formats: Record<string, RegExp> = {
      text: /spincheck: error: \[kmodel\/double-completion\] bugcheck 0x44 MULTIPLE_IRP_COMPLETE_REQUESTS/,
      sarif: /"ruleId": "kmodel\/double-completion"/,
      junit: /<failure message="\[kmodel\/double-completion\]/,
      html: /Kernel model findings \(\d+\)[\s\S]*kmodel\/double-completion/,
      json: /"kind": "double-completion"/,
    };
    for (const [format, pattern] of Object.entries(formats)) {
      const r = run(process.execPath, [bin('spincheck'), 'report', data, '--format', format, '--fail-on', 'none'], { cwd: dir, env: env() });
      expect(r.stdout, format).toMatch(pattern);
    }
  });
});
