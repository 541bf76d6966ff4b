// The arrival campaign's IRP_MJ_CLOSE closes a file object the campaign opened itself, never the harness's: a
// real I/O manager sends a close only when the last reference to a file object goes away. A driver of our own
// (test/kernel-model/file-state) keeps per-file state from IRP_MJ_CREATE to IRP_MJ_CLOSE and bug checks when a
// read or a close finds it gone; its harness opens, reads, makes the device exclusive (creates fail), reads, ends
// that, and closes. Every run of its arrival campaign is clean: a close arrives after a create of its own, and
// where that create fails (the device exclusive) the run is one without an arrival; nothing arrives on the
// harness's file object once the harness has sent its close.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOwnHarness, type OwnHarness, ownDriversReady } from './own-drivers.js';
import { campaignSummary, type Report } from './wine-drivers.js';

describe.runIf(ownDriversReady)("the arrival campaign's close: on a file object of its own", () => {
  let harness: OwnHarness<Report>;

  beforeAll(() => {
    harness = buildOwnHarness<Report>('file-state', { KMODEL_VERBOSE: '1' });
  }, 600_000);

  it('a driver that frees per-file state on close neither crashes nor reports under any arrival', () => {
    const r = harness.run(['--arrive']);
    const { stdout, report } = r;
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
