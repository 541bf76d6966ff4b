// The harness kit: its spin locks and cancellation injection, built and run for real (and through spincheck).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { bin } from '../helpers/bins.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const kit = join(root, 'templates', 'harness-kit');
const KIT_SOURCES = [join(kit, 'wdm_user.c'), join(kit, 'wdm_harness.c')];

/** A driver whose cancel routine leaks the lock in its queued branch: only a cancel while queued finds it. */
const DRIVER_C = `#include "wdm_user.h"
typedef struct { LIST_ENTRY Queue; } EXT;
DRIVER_DISPATCH QueueRead;
DRIVER_DISPATCH Drain;
DRIVER_CANCEL CancelQueued;
VOID CancelQueued(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}
NTSTATUS QueueRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    EXT *ext = (EXT *)DeviceObject->DeviceExtension;
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    IoSetCancelRoutine(Irp, CancelQueued);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    IoMarkIrpPending(Irp);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}
NTSTATUS Drain(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    EXT *ext = (EXT *)DeviceObject->DeviceExtension;
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    while (!IsListEmpty(&ext->Queue)) {
        PIRP queued = CONTAINING_RECORD(RemoveHeadList(&ext->Queue), IRP, Tail.Overlay.ListEntry);
        IoSetCancelRoutine(queued, NULL);
        IoCompleteRequest(queued, IO_NO_INCREMENT);
    }
    IoReleaseCancelSpinLock(irql);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
    DriverObject->MajorFunction[IRP_MJ_READ] = QueueRead;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = Drain;
    return STATUS_SUCCESS;
}
`;

const HARNESS_C = `#include <stdio.h>
#include <string.h>
#include "wdm_harness.h"
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject);
typedef struct { LIST_ENTRY Queue; } EXT;
static void Scenario(void *Context)
{
    EXT ext;
    IRP read, cleanup;
    (void)Context;
    InitializeListHead(&ext.Queue);
    WdmLoadDriver(DriverEntry, &ext);
    WdmSend(&read, IRP_MJ_READ);
    WdmSend(&cleanup, IRP_MJ_CLEANUP);
}
int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--inject") == 0) printf("runs %lu\\n", (unsigned long)WdmInjectCancellation(Scenario, NULL));
    else Scenario(NULL);
    return 0;
}
`;

const LOCKS_C = `#include <stdio.h>
#include "wdm_user.h"
int main(void)
{
    KSPIN_LOCK lock;
    KIRQL old, inner;
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    printf("held at %u, was %u\\n", KeGetCurrentIrql(), old);
    KeAcquireSpinLock(&lock, &inner);
    KeReleaseSpinLock(&lock, old);
    printf("released to %u\\n", KeGetCurrentIrql());
    KeReleaseSpinLock(&lock, old);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    printf("freed: %u\\n", KeTryToAcquireSpinLockAtDpcLevel(&lock));
    KeReleaseSpinLockFromDpcLevel(&lock);
    KeReleaseSpinLockFromDpcLevel(&lock);
    KeLowerIrql(old);
    return 0;
}
`;

/** The cancel spin lock and IoCancelIrp of the shared core (templates/io-core), through the kit. */
const CANCEL_C = `#include <stdio.h>
#include "wdm_user.h"
static VOID Routine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    printf("routine at %u, CancelIrql %u, Cancel %u\\n", KeGetCurrentIrql(), Irp->CancelIrql, Irp->Cancel);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}
int main(void)
{
    KIRQL old, inner = 7;
    IRP irp;
    BOOLEAN called;
    IoAcquireCancelSpinLock(&old);
    IoAcquireCancelSpinLock(&inner);
    printf("held at %u, saved %u, second acquire refused: %u\\n", KeGetCurrentIrql(), old, inner);
    IoReleaseCancelSpinLock(old);
    IoReleaseCancelSpinLock(DISPATCH_LEVEL);
    printf("released to %u\\n", KeGetCurrentIrql());
    WdmInitIrp(&irp, NULL, IRP_MJ_READ);
    called = IoCancelIrp(&irp);
    printf("no routine: %u, Cancel %u\\n", called, irp.Cancel);
    irp.Cancel = FALSE;
    IoSetCancelRoutine(&irp, Routine);
    called = IoCancelIrp(&irp);
    printf("routine: %u, after at %u\\n", called, KeGetCurrentIrql());
    return 0;
}
`;

describe.runIf(haveTool('gcc'))('harness kit', () => {
  it('spin locks raise the IRQL, restore it, nest a second acquire and refuse a release while free', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-kit-'));
    writeFileSync(join(dir, 'locks.c'), LOCKS_C);
    const build = run('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-I', kit, 'locks.c', ...KIT_SOURCES, '-o', 'locks', '-lpthread'], { cwd: dir });
    expect(build.stderr).toBe('');
    const r = run(join(dir, 'locks'), [], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('held at 2, was 0\nreleased to 0\nfreed: 1\n');
    expect(r.stderr).toBe(
      'wdm_user: KeAcquireSpinLock: this thread already holds the spin lock (a real system hangs here); nested\n' +
        'wdm_user: KeReleaseSpinLockFromDpcLevel: the spin lock is not held by this thread; refused\n',
    );
  });

  it('the cancel spin lock and IoCancelIrp follow the shared core: IRQL saved and restored, misuse refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-kit-'));
    writeFileSync(join(dir, 'cancel.c'), CANCEL_C);
    const build = run('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-I', kit, 'cancel.c', ...KIT_SOURCES, '-o', 'cancel'], { cwd: dir });
    expect(build.stderr).toBe('');
    const r = run(join(dir, 'cancel'), [], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'held at 2, saved 0, second acquire refused: 7\n' +
        'released to 0\n' +
        'no routine: 0, Cancel 1\n' +
        'routine at 2, CancelIrql 0, Cancel 1\n' +
        'routine: 1, after at 0\n',
    );
  });

  it('cancellation injection reaches the cancel path the plain scenario never takes, and spincheck sees its bug', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-kit-'));
    writeFileSync(join(dir, 'driver.c'), DRIVER_C);
    writeFileSync(join(dir, 'harness.c'), HARNESS_C);
    const env = { ...process.env, SPINCHECK_CC: 'gcc', SPINCHECK_DIR: join(dir, 'data'), SPINCHECK_OPTIONS: '' };
    const build = run(bin('spincheck-cc'), ['-I', kit, '-Wall', '-Wextra', 'driver.c', 'harness.c', ...KIT_SOURCES, '-o', 'harness', '-lpthread'], { cwd: dir, env });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const report = (args: string[]) => {
      const r = run(process.execPath, [bin('spincheck'), 'run', '--format', 'json', '--', './harness', ...args], { cwd: dir, env });
      return { ...r, json: JSON.parse(r.stdout.slice(r.stdout.indexOf('\n{') + 1)) as { violations: Array<{ kind: string; location: { function: string } }> } };
    };
    const plain = report([]);
    expect(plain.status).toBe(0);
    expect(plain.json.violations).toEqual([]);
    const injected = report(['--inject']);
    expect(injected.stdout).toMatch(/^runs [1-9]\d*$/m);
    // Each injected run is a child process (fork): the violation is in its run data, the child's status (66) in
    // the campaign's summary, and the harness itself exits with the violation status too (spincheck run passes
    // a failing command's status on), as it did when every run shared its process.
    expect(injected.stderr).toMatch(/wdm: cancellation run \d+ \[cancel pair \d+\]: ended with a non-zero status/);
    expect(injected.stderr).toMatch(/spincheck: [1-9]\d* isolated campaign run\(s\) of process \d+ did not end clean/);
    expect(injected.status).toBe(66);
    expect(injected.json.violations.map((v) => [v.kind, v.location.function])).toEqual([['cancel-exit-held', 'CancelQueued']]);
  });
});

/** A driver with a re-entrancy bug: a read arriving while another read is inside its dispatch routine crashes. */
const REENTRANT_C = `#include "wdm_user.h"
typedef struct { volatile int Busy; } EXT;
static NTSTATUS Read(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    EXT *ext = (EXT *)DeviceObject->DeviceExtension;
    KIRQL irql;
    if (ext->Busy) *(volatile int *)0 = 1;
    ext->Busy = 1;
    IoAcquireCancelSpinLock(&irql);
    IoReleaseCancelSpinLock(irql);
    ext->Busy = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
    DriverObject->MajorFunction[IRP_MJ_READ] = Read;
    return STATUS_SUCCESS;
}
`;

const ARRIVAL_HARNESS_C = `#include <stdio.h>
#include "wdm_harness.h"
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject);
static struct { int Busy; } ext;
static IRP arrived;
static void Scenario(void *Context)
{
    IRP read;
    (void)Context;
    ext.Busy = 0;
    WdmLoadDriver(DriverEntry, &ext);
    WdmSend(&read, IRP_MJ_READ);
}
static void Arrive(UCHAR Major, void *Context)
{
    (void)Context;
    WdmSend(&arrived, Major);
}
int main(void)
{
    unsigned long runs = WdmInjectArrivals(Scenario, NULL, Arrive);
    printf("arrival runs %lu\\n", runs);
    return 0;
}
`;

describe.runIf(haveTool('gcc'))('harness kit campaigns', () => {
  it('arrivals send a new request at each window; each run is a process of its own, so a crash ends that run only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-kit-arrive-'));
    writeFileSync(join(dir, 'driver.c'), REENTRANT_C);
    writeFileSync(join(dir, 'harness.c'), ARRIVAL_HARNESS_C);
    const build = run('gcc', ['-I', kit, '-Wall', '-Wextra', 'driver.c', 'harness.c', ...KIT_SOURCES, '-o', 'harness', '-lpthread'], { cwd: dir });
    expect(build.stderr).toBe('');
    const r = run('./harness', [], { cwd: dir, env: { ...process.env, WDM_ISOLATE: '' } });
    // Windows of the one read: the release inside it, the return of its dispatch routine.
    expect(r.stderr).toContain('wdm: arrival run 1 [arrival of major function 3 at window 1]: crashed');
    expect(r.stderr).toContain('wdm: arrival summary: 3 runs: 2 clean, 0 ended with a non-zero status, 1 crashed, 0 hung, 0 could not start');
    expect(r.stdout).toBe('arrival runs 2\n');
    expect(r.status).toBe(0);
    // In one process (WDM_ISOLATE=0) the crash ends the whole campaign.
    const inProcess = run('./harness', [], { cwd: dir, env: { ...process.env, WDM_ISOLATE: '0' } });
    expect(inProcess.signal).toBe('SIGSEGV');
  });
});

describe.runIf(haveTool('x86_64-w64-mingw32-gcc'))('harness kit on Windows', () => {
  it('compiles warning-free with mingw-w64 (Win32 port: SwitchToThread, Interlocked operations)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-kit-win-'));
    for (const src of [...KIT_SOURCES, join(kit, 'wdm_port_win32.c')]) {
      const r = run('x86_64-w64-mingw32-gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-I', kit, '-c', src, '-o', join(dir, 'x.o')]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
});
