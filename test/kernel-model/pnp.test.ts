// The kernel model's PnP and synchronous-request calls, on two small drivers of our own (test/kernel-model/pnp: a
// bus driver with one PDO, a function driver over it), built through spincheck-cc and run under Wine with the
// harness as the PnP manager: KmAddDevice, KmStartDevice; IoBuildSynchronousFsdRequest (IRP_MJ_PNP, a buffered
// IRP_MJ_READ) and IoBuildDeviceIoControlRequest (METHOD_BUFFERED, METHOD_NEITHER internal, one that pends) with
// their status blocks, events and output copied back at completion; IoInvalidateDeviceRelations starting a new
// child PDO once; IoRegisterDeviceInterface/IoSetDeviceInterfaceState and KmFindInterface; removal.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOwnHarness, type OwnHarness, ownDriversReady } from './own-drivers.js';

describe.runIf(ownDriversReady)("the kernel model's PnP, synchronous requests and device interfaces", () => {
  let harness: OwnHarness<{ violations: unknown[]; findings: unknown[] }>;

  beforeAll(() => {
    harness = buildOwnHarness('pnp');
  }, 600_000);

  it('starts the stack and its child, answers each built request, and removes them', () => {
    const r = harness.run([]);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('pnp-harness: '));
    expect(lines.filter((l) => l.startsWith('pnp-harness: FAILED')), r.stdout).toEqual([]);
    expect(lines).toHaveLength(13);
    expect(lines).toContain('pnp-harness: ok: the invalidated bus relations start the new child once');
    expect(lines).toContain('pnp-harness: ok: at its completion: event, status block, output');
    expect(r.report.violations).toEqual([]);
    expect(r.report.findings).toEqual([]); // no pool left: the IDs, the relations and the link were freed
    expect(r.status).toBe(0);
  });
});
