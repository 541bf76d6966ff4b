// Wine's http.sys (fetched from Debian's wine source package at test time, built unchanged) under the kernel
// model's campaigns (harness: test/kernel-model/wine-drivers/http-harness.c). Its cancel routine
// http_receive_request_cancel has one path, which every run with a cancel takes. The cancellation campaign is
// clean. The arrival campaign finds a hang: a close arriving while a cancel routine has released the cancel spin
// lock and not yet unlinked its IRP spins in dispatch_close (it calls IoCancelIrp on that IRP until it leaves the
// queue, holding the lock the cancel routine waits for). Hung runs end after KMODEL_RUN_TIMEOUT, set to 5 s here
// (the campaign takes about a minute instead of five).
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWineHarness, campaignSummary, type Report, type WineHarness, wineDriversReady } from './wine-drivers.js';

/** Hits of each spincheck site in http_receive_request_cancel (its entry, its release, the exit at its end; not
 *  the exit by any other way, such as an exception, which the source has no path to). */
function cancelRoutineSites(report: Report | null) {
  const file = report?.files.find((f) => f.file.endsWith('http.sys/http.c'));
  return (file?.sites ?? []).filter((s) => s.function === 'http_receive_request_cancel' && s.via !== 'other').map((s) => s.hits);
}

describe.runIf(wineDriversReady)("Wine's http.sys under the cancellation and arrival campaigns", () => {
  let harness: WineHarness | null = null;

  beforeAll(() => {
    harness = buildWineHarness('http.sys', 'http');
  }, 600_000);

  it('the cancellation campaign is clean, and every site of the cancel routine runs', () => {
    if (!harness) return;
    const r = harness.run(['--inject'], { KMODEL_VERBOSE: '1' });
    expect(r.stderr).toContain('kmodel: cancel campaign');
    const { runs, injected, clean } = campaignSummary(r.stderr);
    expect(injected).toBeGreaterThan(2);
    expect(clean).toBe(runs);
    expect(r.stdout).toContain(`http-harness: ${injected} injected cancellations`);
    const hits = cancelRoutineSites(r.report);
    expect(hits.length).toBe(3);
    for (const h of hits) expect(h).toBeGreaterThan(0);
    expect(r.report?.violations).toEqual([]);
    expect(r.report?.findings).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('the arrival campaign: a close arriving inside the cancel routine hangs dispatch_close', () => {
    if (!harness) return;
    const r = harness.run(['--arrive'], { KMODEL_VERBOSE: '1', KMODEL_RUN_TIMEOUT: '5' });
    const { injected, hung } = campaignSummary(r.stderr);
    expect(r.stdout).toContain(`http-harness: ${injected} arrival runs`);
    expect(hung).toBeGreaterThan(0);
    const hangs = (r.report?.findings ?? []).filter((f) => f.kind === 'hang');
    expect(hangs.length).toBe(hung);
    for (const f of hangs) {
      expect(f.run).toMatch(/^arrival of IRP #\d+ \(IRP_MJ_CLOSE\) at IoReleaseCancelSpinLock called from http_receive_request_cancel\+0x[0-9a-f]+ \(http\.exe\)/);
    }
    for (const h of cancelRoutineSites(r.report)) expect(h).toBeGreaterThan(0);
    expect(r.report?.violations).toEqual([]);
  });
});
