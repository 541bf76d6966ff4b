// A real driver with a two-branch cancel routine on the kernel model: Wine's nsiproxy.sys
// (dlls/nsiproxy.sys/device.c from Debian's `wine` source package, fetched at test time, never committed),
// compiled unchanged against Wine's own headers through spincheck-cc, linked with the model, a stand-in for its
// Unix side and a harness (test/kernel-model/wine-drivers), run under Wine. Its cancel routine icmp_echo_cancel
// has a branch for a request still queued (no handle) and one for a request its listen thread holds (it calls
// icmp_cancel_listen): the plain scenario runs each once; the cancellation campaign (4 injected runs) is clean;
// the arrival campaign finds that the driver completes requests it never cancelled with their cancel routine
// still set (bug check 0x48 on Windows), in the runs where the arriving request is not cancelled.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWineHarness, campaignSummary, type Report, type WineHarness, wineDriversReady } from './wine-drivers.js';

describe.runIf(wineDriversReady)("Wine's nsiproxy.sys on the kernel model", () => {
  let harness: WineHarness | null = null;
  const cancelRoutine = (report: Report | null) =>
    report?.files.find((f) => f.file.endsWith('nsiproxy.sys/device.c'))?.routines.find((r) => r.name === 'icmp_echo_cancel');

  beforeAll(() => {
    harness = buildWineHarness('nsiproxy.sys', 'nsiproxy');
  }, 600_000);

  it('runs unchanged: the cancel routine takes its queued branch and its listening branch once each', () => {
    if (!harness) return;
    const r = harness.run([]);
    expect(r.stdout).toContain('nsiproxy-harness: cancelled 1 queued, 1 listening\n');
    expect(r.stdout).toContain('nsiproxy-harness: passed');
    expect(r.stdout).not.toContain('FAILED');
    expect(cancelRoutine(r.report)).toMatchObject({ role: 'cancel', entries: 2 });
    expect(r.report?.violations).toEqual([]);
    expect(r.report?.findings).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('the cancellation campaign: every injected run is clean', () => {
    if (!harness) return;
    const r = harness.run(['--inject'], { KMODEL_VERBOSE: '1' });
    const { runs, injected, clean } = campaignSummary(r.stderr);
    expect(injected).toBeGreaterThan(0);
    expect(clean).toBe(runs);
    expect(r.stdout).toContain(`nsiproxy-harness: ${injected} injected cancellations`);
    expect(r.report?.findings).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('the arrival campaign: a request the driver completes without cancelling it still has its cancel routine (0x48)', () => {
    if (!harness) return;
    const r = harness.run(['--arrive'], { KMODEL_VERBOSE: '1' });
    const outcomes = [...r.stderr.matchAll(/kmodel: campaign run \d+ \[arrival of IRP #\d+ \(IRP_MJ_DEVICE_CONTROL 0x12100C\) ([^\]]*)\]: (\w+)/g)];
    expect(outcomes.length).toBeGreaterThan(0);
    const bugchecked = outcomes.filter((o) => o[2] === 'bugcheck');
    expect(bugchecked.length).toBeGreaterThan(0);
    // An arrival cancelled once queued is completed by the cancel path, which clears the routine: some are clean.
    expect(outcomes.some((o) => o[2] === 'clean' && (o[1] as string).endsWith('cancelled once queued'))).toBe(true);
    const findings = r.report?.findings ?? [];
    // Every run is clean or ends with its bugcheck: a hang anywhere fails (the run at the listen thread's
    // IoCompleteRequest once hung under load, when a bugcheck ended the process through exit(); see bugcheck.test.ts).
    expect(outcomes.filter((o) => o[2] !== 'clean' && o[2] !== 'bugcheck').map((o) => `${o[1]}: ${o[2]}`)).toEqual([]);
    expect(campaignSummary(r.stderr).hung).toBe(0);
    const details = JSON.stringify(findings.map((f) => [f.kind, f.run, f.message]));
    expect(findings.length, details).toBe(bugchecked.length);
    for (const f of findings) {
      expect(f).toMatchObject({ kind: 'bugcheck', code: 0x48 });
      expect(f.message).toMatch(/CANCEL_STATE_IN_COMPLETED_IRP: IoCompleteRequest\(.*\): the IRP still has its cancel routine/);
      expect(f.run).toMatch(/^arrival of IRP #\d+ \(IRP_MJ_DEVICE_CONTROL 0x12100C\) /);
    }
    expect(cancelRoutine(r.report)?.entries).toBeGreaterThan(2);
    expect(r.report?.violations).toEqual([]);
  });
});
