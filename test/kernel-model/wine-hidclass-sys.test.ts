// The third real driver with a cancel routine on the kernel model: Wine's hidclass.sys (dlls/hidclass.sys and
// dlls/hidparse.sys from Debian's `wine` source package, fetched at test time, never committed), compiled
// unchanged against Wine's own headers through spincheck-cc, over a HID minidriver and a bus driver of our own
// (test/kernel-model/wine-drivers/hid-minidriver.c), with the harness as the PnP manager, run under Wine. Its
// read queue's cancel routine, read_cancel_routine, has one path (no branch): the plain scenario runs it once,
// and every site in it; the campaigns run it again at every window. What the runs find in Wine 8.0's code:
// hidparse.sys's HidP_FreeCollectionDescription never frees the preparsed data HidP_GetCollectionDescription
// allocated (a pool leak in every run), and a read cancelled before hid_queue_push_irp sets its cancel routine
// loses the cancel: the inverted check `irp->Cancel && !IoSetCancelRoutine(irp, NULL)` takes the routine back and
// queues the read without one, and the next pop drops it uncompleted (an IRP never completed).
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWineHarness, campaignSummary, type Report, type WineHarness, wineDriversReady } from './wine-drivers.js';

/** The leak every run reports: HidP_GetCollectionDescription's preparsed data, never freed. */
const preparsedLeak = /pool leak: \d+ bytes, tag 'None', allocation #\d+/;

describe.runIf(wineDriversReady)("Wine's hidclass.sys on the kernel model", () => {
  let harness: WineHarness | null = null;
  const device = (report: Report | null) => report?.files.find((f) => f.file.endsWith('hidclass.sys/device.c'));
  const cancelRoutine = (report: Report | null) => device(report)?.routines.find((r) => r.name === 'read_cancel_routine');
  // Its sites, but the catch-all exit (`via: other`: an exit the rewrite cannot see, counted only when taken).
  const cancelSites = (report: Report | null) =>
    device(report)?.sites.filter((s) => s.function === 'read_cancel_routine' && s.via !== 'other') ?? [];

  beforeAll(() => {
    harness = buildWineHarness(['hidclass.sys', 'hidparse.sys'], 'hid');
  }, 600_000);

  it('starts through PnP, opens the collection by its interface, and runs the cancel routine once, every site of it', () => {
    if (!harness) return;
    const r = harness.run([]);
    expect(r.stdout).not.toContain('FAILED');
    expect(r.stdout).toContain('hid-harness: reads cancelled 1, completed by a report 1, by removal 1; raw inputs ');
    expect(r.stdout).toContain('hid-harness: passed');
    expect(cancelRoutine(r.report)).toMatchObject({ role: 'cancel', entries: 1 });
    const sites = cancelSites(r.report);
    // entry, IoReleaseCancelSpinLock, the queue lock's acquire and release, the exit at the closing brace
    expect(sites.map((s) => s.kind)).toEqual(['routine-entry', 'release', 'acquire', 'release', 'routine-exit']);
    for (const s of sites) expect(s.hits, `${s.kind} at line ${s.line}`).toBeGreaterThan(0);
    expect(r.report?.violations).toEqual([]);
    // The one finding: hidparse.sys's preparsed data is never freed.
    expect(r.report?.findings.map((f) => f.kind)).toEqual(['pool-leak']);
    expect(r.report?.findings[0]?.message).toMatch(preparsedLeak);
  });

  it('the cancellation campaign: a read cancelled before its cancel routine is set is never completed', () => {
    if (!harness) return;
    const r = harness.run(['--inject'], { KMODEL_VERBOSE: '1' });
    const { runs, injected, bugchecked, hung } = campaignSummary(r.stderr);
    expect(injected).toBeGreaterThan(0);
    expect(r.stdout).toContain(`hid-harness: ${injected} injected cancellations`);
    expect(bugchecked + hung).toBe(0);
    expect(r.stderr).not.toMatch(/: crashed/);
    const findings = r.report?.findings ?? [];
    // The leak in every run (each injected run's finding names its injection).
    expect(findings.filter((f) => f.kind === 'pool-leak' && preparsedLeak.test(f.message)).length).toBeGreaterThan(injected);
    expect(findings.every((f) => f.kind === 'pool-leak' || f.kind === 'irp-leak')).toBe(true);
    const lost = findings.filter((f) => f.kind === 'irp-leak');
    expect(lost.length).toBeGreaterThan(0);
    for (const f of lost) {
      expect(f.message).toMatch(/IRP #\d+ \(IRP_MJ_READ\) was never completed/);
      // cancelled in pdo_read before hid_queue_push_irp: at its spin-lock releases, or at hid_queue_pop_report's
      expect(f.run).toMatch(/^injected IoCancelIrp of IRP #\d+ \(IRP_MJ_READ\) at KeReleaseSpinLock called from (pdo_read|hid_queue_pop_report)\+0x[0-9a-f]+ \(hid\.exe\)$/);
    }
    // Cancels once the read is queued take the cancel routine and complete it: those runs lose nothing.
    expect(r.stderr).toMatch(/injected IoCancelIrp of IRP #\d+ \(IRP_MJ_READ\) at the return of the dispatch routine driver_read/);
    expect(cancelRoutine(r.report)?.entries).toBeGreaterThan(runs);
    expect(r.report?.violations).toEqual([]);
  });

  it('the arrival campaign: creates, reads and closes (of its own opens) arriving at every window lose nothing', () => {
    if (!harness) return;
    const r = harness.run(['--arrive'], { KMODEL_VERBOSE: '1' });
    const { injected, bugchecked, hung } = campaignSummary(r.stderr);
    const crashed = Number(/, (\d+) crashed/.exec(r.stderr)?.[1]);
    expect(injected).toBeGreaterThan(0);
    expect(r.stdout).toContain(`hid-harness: ${injected} arrival runs`);
    expect([bugchecked, hung, crashed]).toEqual([0, 0, 0]);
    for (const kind of ['IRP_MJ_CREATE', 'IRP_MJ_READ', 'IRP_MJ_CLOSE of its own open, IRP #\\d+'])
      expect(r.stderr).toMatch(new RegExp(`kmodel: campaign run \\d+ \\[arrival of IRP #\\d+ \\(${kind}\\) at [^\\]]*, cancelled once queued\\]`));
    // The one finding, in every run: hidparse.sys's preparsed data, never freed.
    const findings = r.report?.findings ?? [];
    expect(findings.length).toBeGreaterThan(injected);
    for (const f of findings) {
      expect(f.kind).toBe('pool-leak');
      expect(f.message).toMatch(preparsedLeak);
    }
    expect(cancelRoutine(r.report)?.entries).toBeGreaterThan(injected);
    expect(r.report?.violations).toEqual([]);
  });
});
