// The lock-heavy harness of the hooks benchmark: a dispatch routine doing acquire/release pairs on a mutex-based
// mock of the cancel spin lock (issue 10's definition) or of a device-extension KSPIN_LOCK (issue 16), driven by N
// threads; it times its own loop and prints ns.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Pairs per dispatch call: the routine loops this many times, as a cleanup routine draining a queue does. */
export const PAIRS_PER_CALL = 1000;

/** Which lock the dispatch routine takes: the cancel spin lock, or its device extension's KSPIN_LOCK. */
export type HarnessLock = 'cancel' | 'spin';

/** One acquire/release pair of each lock, as a driver writes it. */
const PAIR: Record<HarnessLock, string> = {
  cancel: `        IoAcquireCancelSpinLock(&irql);
        ext->Moved++;
        IoReleaseCancelSpinLock(irql);`,
  spin: `        KeAcquireSpinLock(&ext->Lock, &irql);
        ext->Moved++;
        KeReleaseSpinLock(&ext->Lock, irql);`,
};

const driverC = (lock: HarnessLock) => `/* lockdrv.c: a dispatch routine that takes and drops the ${lock === 'cancel' ? 'cancel spin lock' : "device extension's spin lock"} ${PAIRS_PER_CALL} times per IRP. */
#include "wdm_user.h"

typedef struct _LOCK_EXTENSION {
    LIST_ENTRY Queue;
    ULONG Moved;
    KSPIN_LOCK Lock;
} LOCK_EXTENSION, *PLOCK_EXTENSION;

DRIVER_DISPATCH LockDispatchCleanup;

NTSTATUS LockDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLOCK_EXTENSION ext = (PLOCK_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;
    ULONG i;

    for (i = 0; i < ${PAIRS_PER_CALL}u; i++) {
${PAIR[lock]}
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = i;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = LockDispatchCleanup;
    return STATUS_SUCCESS;
}
`;

const MAIN_C = `/* main.c: runs the dispatch routine from T threads until P acquire/release pairs are done; prints the wall and
   the process CPU time of the loop in ns. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "wdm_user.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject);

typedef struct { LIST_ENTRY Queue; ULONG Moved; KSPIN_LOCK Lock; } EXT;
static DRIVER_OBJECT Driver;
static long CallsPerThread;

static void *Worker(void *arg)
{
    EXT ext;
    DEVICE_OBJECT dev;
    IRP irp;
    long n;
    (void)arg;
    memset(&ext, 0, sizeof ext);
    memset(&dev, 0, sizeof dev);
    dev.DriverObject = &Driver;
    dev.DeviceExtension = &ext;
    KeInitializeSpinLock(&ext.Lock);
    for (n = 0; n < CallsPerThread; n++) {
        memset(&irp, 0, sizeof irp);
        irp.MajorFunction = IRP_MJ_CLEANUP;
        Driver.MajorFunction[IRP_MJ_CLEANUP](&dev, &irp);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long threads = argc > 1 ? atol(argv[1]) : 1, pairs = argc > 2 ? atol(argv[2]) : 10000000, t;
    pthread_t ids[64];
    struct timespec a, b, ca, cb;
    if (threads < 1 || threads > 64) return 2;
    DriverEntry(&Driver);
    CallsPerThread = pairs / ${PAIRS_PER_CALL} / threads;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (t = 0; t < threads; t++) pthread_create(&ids[t], NULL, Worker, NULL);
    for (t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
    printf("{\\"ns\\": %.0f, \\"cpu\\": %.0f, \\"pairs\\": %ld, \\"calls\\": %ld}\\n",
           (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec),
           (double)(cb.tv_sec - ca.tv_sec) * 1e9 + (double)(cb.tv_nsec - ca.tv_nsec),
           CallsPerThread * threads * ${PAIRS_PER_CALL}, CallsPerThread * threads);
    return 0;
}
`;

const MOCK_C = `/* lockmock.c: mutex-based mocks of the cancel spin lock and of KSPIN_LOCKs (the lock word holds a pthread mutex's
   address): a pthread mutex each, the IRQL saved and restored. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include "wdm_user.h"

static pthread_mutex_t CancelLock = PTHREAD_MUTEX_INITIALIZER;
static __thread KIRQL Irql;

void IoAcquireCancelSpinLock(PKIRQL OldIrql)
{
    pthread_mutex_lock(&CancelLock);
    *OldIrql = Irql;
    Irql = DISPATCH_LEVEL;
}

void IoReleaseCancelSpinLock(KIRQL NewIrql)
{
    Irql = NewIrql;
    pthread_mutex_unlock(&CancelLock);
}

void KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m) abort();
    pthread_mutex_init(m, NULL);
    *SpinLock = (ULONG_PTR)m;
}

void KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    pthread_mutex_lock((pthread_mutex_t *)*SpinLock);
    *OldIrql = Irql;
    Irql = DISPATCH_LEVEL;
}

void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    Irql = NewIrql;
    pthread_mutex_unlock((pthread_mutex_t *)*SpinLock);
}

void IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    (void)Irp;
    (void)PriorityBoost;
}
`;

/** Writes the harness sources and its Makefile into `dir`; the WDM types come from the harness kit's header. */
export function writeLockHarness(dir: string, kitDir: string, lock: HarnessLock = 'cancel'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lockdrv.c'), driverC(lock));
  writeFileSync(join(dir, 'main.c'), MAIN_C);
  writeFileSync(join(dir, 'lockmock.c'), MOCK_C);
  copyFileSync(join(kitDir, 'wdm_user.h'), join(dir, 'wdm_user.h'));
  writeFileSync(
    join(dir, 'Makefile'),
    `# Generated by bench/gen/lock-harness.ts.
CC = gcc
CFLAGS = -O2 -Wall
harness: lockdrv.o main.o lockmock.o
\t$(CC) -o $@ $^ -lpthread
%.o: %.c wdm_user.h
\t$(CC) $(CFLAGS) -c -o $@ $<
clean:
\trm -f *.o harness
`,
  );
}
