// Wine's http.sys (fetched from Debian's wine source package at test time, built unchanged) under the kernel
// model's campaigns (harness: test/kernel-model/wine-drivers/http-harness.c). Its cancel routine
// http_receive_request_cancel has one path, which every run with a cancel takes. Both campaigns are clean. (The
// arrival campaign once closed the harness's own request queue while a cancel routine of a request on it ran, and
// dispatch_close then spun: a close cannot arrive while a request holds its file object, so that was the
// campaign's doing. A close now arrives on a queue the campaign opened itself.) A hung run would end after
// KMODEL_RUN_TIMEOUT, set to 5 s here, and fail the test.
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

  it('the arrival campaign is clean: creates, IOCTLs and closes (of its own opens) at every window', () => {
    if (!harness) return;
    const r = harness.run(['--arrive'], { KMODEL_VERBOSE: '1', KMODEL_RUN_TIMEOUT: '5' });
    const { runs, injected, clean } = campaignSummary(r.stderr);
    expect(r.stdout).toContain(`http-harness: ${injected} arrival runs`);
    expect(clean, r.stderr.split('\n').filter((l) => /^kmodel: campaign run .*\]: (?!clean)/.test(l)).join('\n')).toBe(runs);
    expect(r.stderr).toMatch(/kmodel: campaign run \d+ \[arrival of IRP #\d+ \(IRP_MJ_CLOSE of its own open, IRP #\d+\) at IoReleaseCancelSpinLock called from http_receive_request_cancel\+0x[0-9a-f]+ \(http\.exe\)/);
    for (const h of cancelRoutineSites(r.report)) expect(h).toBeGreaterThan(0);
    expect(r.report?.findings).toEqual([]);
    expect(r.report?.violations).toEqual([]);
    expect(r.status).toBe(0);
  });
});
