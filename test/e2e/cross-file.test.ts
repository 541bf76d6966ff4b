// End to end: a dispatch routine defined in one file with no role declaration, registered in another, is
// checked at run time; a routine-shaped helper that is never registered is not.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { bin } from '../helpers/bins.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const kit = join(root, 'templates', 'harness-kit');

const ENTRY_C = `#include "wdm_user.h"
DRIVER_DISPATCH ReadRoutine;
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
    DriverObject->MajorFunction[IRP_MJ_READ] = ReadRoutine;
    return STATUS_SUCCESS;
}
`;
const ROUTINES_C = `#include "wdm_user.h"
/* No role declarations here: both are only shaped like routines. */
NTSTATUS LockingHelper(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&Irp->CancelIrql);
    return STATUS_SUCCESS;
}

NTSTATUS ReadRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    LockingHelper(DeviceObject, Irp);
    if (Irp->Cancel)
        return STATUS_CANCELLED;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    return STATUS_SUCCESS;
}
`;
const HARNESS_C = `#include "wdm_user.h"
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject);
int main(void)
{
    DRIVER_OBJECT driver;
    DEVICE_OBJECT device;
    IRP irp;
    DriverEntry(&driver);
    device.DriverObject = &driver;
    WdmInitIrp(&irp, &device, IRP_MJ_READ);
    WdmCallDriver(&device, &irp);
    WdmInitIrp(&irp, &device, IRP_MJ_READ);
    irp.Cancel = TRUE;
    WdmCallDriver(&device, &irp);
    return 0;
}
`;

describe.runIf(haveTool('gcc'))('run-time registration across files', () => {
  it('checks the registered routine at its exit and leaves the unregistered helper alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-xfile-'));
    writeFileSync(join(dir, 'entry.c'), ENTRY_C);
    writeFileSync(join(dir, 'routines.c'), ROUTINES_C);
    writeFileSync(join(dir, 'harness.c'), HARNESS_C);
    const env = { ...process.env, SPINCHECK_CC: 'gcc', SPINCHECK_DIR: join(dir, 'data'), SPINCHECK_OPTIONS: '' };
    for (const src of ['entry.c', 'routines.c', 'harness.c', join(kit, 'wdm_user.c')]) {
      const r = run(bin('spincheck-cc'), ['-I', kit, '-Wall', '-Wextra', '-Werror', '-c', src], { cwd: dir, env });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const link = run(bin('spincheck-cc'), ['entry.o', 'routines.o', 'harness.o', 'wdm_user.o', '-o', 'harness', '-lpthread'], { cwd: dir, env });
    expect(link.status).toBe(0);
    const r = run(process.execPath, [bin('spincheck'), 'run', '--format', 'json', '--', './harness'], { cwd: dir, env });
    expect(r.status).toBe(66);
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
      violations: Array<{ kind: string; location: { line: number; function: string }; acquire: { line: number } }>;
      files: Array<{ routines: Array<{ name: string; role: string; entries: number }> }>;
    };
    // A routine-shaped function that never ran as a registered routine is not listed as one.
    expect(report.violations.map((v) => [v.kind, v.location.function, v.location.line, v.acquire.line])).toEqual([
      ['dispatch-exit-held', 'ReadRoutine', 14, 6],
    ]);
    const routines = Object.fromEntries(report.files.flatMap((f) => f.routines.map((x) => [x.name, [x.role, x.entries]])));
    expect(routines.ReadRoutine).toEqual(['candidate', 2]);
    expect(routines.LockingHelper).toBeUndefined();
  });
});
