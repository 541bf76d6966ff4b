// The harness kit's spin locks, every form of src/model/lock-api.ts, between two real threads: a held lock is
// held (the other thread's try fails, its acquire waits for the release), an in-stack handle releases the lock it
// recorded, shared/exclusive locks admit readers together and a writer alone, the IRQL is saved and restored as
// the DDK does, reinitialising a lock ends the holder's hold, a double acquire nests and a release while not held
// is refused, with a message.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCK_FORMS } from '../../src/model/lock-api.js';
import { haveTool, run } from '../helpers/tools.js';
import { SPIN_LOCKS_STDOUT } from './spin-locks-expected.js';

const here = dirname(fileURLToPath(import.meta.url));
const kit = join(here, '..', '..', 'templates', 'harness-kit');
const program = join(here, 'spin-locks.c');

describe.runIf(haveTool('gcc'))('harness kit spin locks', () => {
  it('the test program calls every form of the lock-API table', () => {
    const src = readFileSync(program, 'utf8');
    expect(LOCK_FORMS.map((f) => f.name).filter((name) => !src.includes(`${name}(`))).toEqual([]);
  });

  for (const cc of ['gcc', 'clang'].filter((c) => haveTool(c))) {
    it(`are real locks between two threads, with the DDK's IRQL, built by ${cc}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'spincheck-kit-spin-'));
      const build = run(cc, ['-std=c99', '-O1', '-Wall', '-Wextra', '-Werror', '-I', kit, program, join(kit, 'wdm_user.c'), join(kit, 'wdm_harness.c'), '-o', 'spin', '-lpthread'], { cwd: dir });
      expect(build.stderr).toBe('');
      const r = run(join(dir, 'spin'), [], { cwd: dir });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(SPIN_LOCKS_STDOUT);
      expect(r.stderr).toBe(
        'wdm_user: KeReleaseSpinLock: the spin lock is not held by this thread; refused\n' +
          'wdm_user: KeAcquireSpinLock: this thread already holds the spin lock (a real system hangs here); nested\n' +
          'wdm_user: ExReleaseSpinLockSharedFromDpcLevel: the spin lock is not held by this thread; refused\n',
      );
    });
  }
});

/** A driver that sets its cancel routine under its device lock; the cancel routine takes the lock too. */
const LOCKED_QUEUE_C = `#include <stdio.h>
#include <string.h>
#include "wdm_harness.h"
typedef struct { KSPIN_LOCK Lock; LIST_ENTRY Queue; } EXT;
static EXT Ext;
static VOID Cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&Ext.Lock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&Ext.Lock, irql);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}
static NTSTATUS Read(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    KeAcquireSpinLock(&Ext.Lock, &irql);
    IoSetCancelRoutine(Irp, Cancel);
    InsertTailList(&Ext.Queue, &Irp->Tail.Overlay.ListEntry);
    IoMarkIrpPending(Irp);
    KeReleaseSpinLock(&Ext.Lock, irql);
    return STATUS_PENDING;
}
static NTSTATUS Entry(PDRIVER_OBJECT DriverObject)
{
    DriverObject->MajorFunction[IRP_MJ_READ] = Read;
    return STATUS_SUCCESS;
}
static void Scenario(void *Context)
{
    IRP read;
    (void)Context;
    KeInitializeSpinLock(&Ext.Lock);
    InitializeListHead(&Ext.Queue);
    WdmLoadDriver(Entry, &Ext);
    WdmSend(&read, IRP_MJ_READ);
    if (!read.Completed) WdmCancel(&read);
}
int main(void)
{
    printf("runs %lu\\n", (unsigned long)WdmInjectCancellation(Scenario, NULL));
    return 0;
}
`;

describe.runIf(haveTool('gcc'))('harness kit cancel windows', () => {
  it('open only where the thread holds no spin lock: never inside a device lock', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-kit-window-'));
    writeFileSync(join(dir, 'queue.c'), LOCKED_QUEUE_C);
    const build = run('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-I', kit, 'queue.c', join(kit, 'wdm_user.c'), join(kit, 'wdm_harness.c'), '-o', 'queue', '-lpthread'], { cwd: dir });
    expect(build.stderr).toBe('');
    const r = run(join(dir, 'queue'), [], { cwd: dir });
    // Windows with the read in flight: the device lock's release and the dispatch routine's return, then in the
    // harness's own cancel the cancel lock's release and the device lock's release in the cancel routine. Not
    // IoSetCancelRoutine under the device lock, where a cancel would run the cancel routine into the lock its own
    // thread holds (the kit would say so on stderr).
    expect(r.stdout).toBe('runs 4\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
