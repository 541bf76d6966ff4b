/* spin-locks.c: every spin-lock form between two real threads, on the harness kit (test/kit/spin-locks.test.ts)
   or, built with -DSPIN_KMODEL against the DDK headers, on the kernel model (test/kernel-model/spin-locks.test.ts,
   with spin-threads.c for the Win32 threads). */
#ifdef SPIN_KMODEL
#include <ntddk.h>
#if !defined(_X86_)
/* amd64: the x86 HAL's Kf/Kef forms do not exist; the DDK's amd64 names instead. */
#define KfAcquireSpinLock KeAcquireSpinLockRaiseToDpc
#define KfReleaseSpinLock KeReleaseSpinLock
#define KefAcquireSpinLockAtDpcLevel KeAcquireSpinLockAtDpcLevel
#define KefReleaseSpinLockFromDpcLevel KeReleaseSpinLockFromDpcLevel
#endif
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kmodel.h"
/* spin-threads.c: a Win32 thread, its join, a short sleep. */
void SpinStart(void (*Routine)(void));
void SpinJoin(void);
void SpinPause(void);
static LONG volatile Stage;
static int Now(void) { return (int)InterlockedCompareExchange(&Stage, 0, 0); }
static void Go(int stage) { InterlockedExchange(&Stage, stage); }
static void Yield(void) { SpinPause(); }
#else
#define _XOPEN_SOURCE 700
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "wdm_user.h"
static volatile int Stage;
static pthread_t Thread;
static int Now(void) { return __atomic_load_n(&Stage, __ATOMIC_ACQUIRE); }
static void Go(int stage) { __atomic_store_n(&Stage, stage, __ATOMIC_RELEASE); }
static void Yield(void) { sched_yield(); }
static void *Run(void *Routine) { ((void (*)(void))Routine)(); return NULL; }
static void SpinStart(void (*Routine)(void)) { pthread_create(&Thread, NULL, Run, (void *)Routine); }
static void SpinJoin(void) { pthread_join(Thread, NULL); }
static void SpinPause(void) { struct timespec ts = { 0, 20000000 }; nanosleep(&ts, NULL); }
#endif

static KSPIN_LOCK Lock;
static EX_SPIN_LOCK ExLock;
static char OtherLog[2048];

static void Wait(int stage) { while (Now() < stage) Yield(); }
/* The main thread lets the other one reach its acquire before it releases (the acquire must wait). */
static void Pause(void) { SpinPause(); }
static void Log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(OtherLog + strlen(OtherLog), sizeof OtherLog - strlen(OtherLog), fmt, ap);
    va_end(ap);
}

/* The other thread: meets each lock as the main thread holds it (stages hand the turn back and forth). */
static void Other(void)
{
    KIRQL old, passive;
    KLOCK_QUEUE_HANDLE h;
    int seen;
    Wait(1);
    KeRaiseIrql(DISPATCH_LEVEL, &passive);
    Log("try while held: %u\n", KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    KeLowerIrql(passive);
    Go(2);
    KeAcquireSpinLock(&Lock, &old);
    seen = Now();
    KeReleaseSpinLock(&Lock, old);
    Log("acquired at stage %d\n", seen);
    Go(4);
    Wait(5);
    KeRaiseIrql(DISPATCH_LEVEL, &passive);
    Log("try while a handle holds it: %u\n", KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    KeLowerIrql(passive);
    Go(6);
    KeAcquireInStackQueuedSpinLock(&Lock, &h);
    seen = Now();
    KeReleaseInStackQueuedSpinLock(&h);
    Log("in-stack acquired at stage %d\n", seen);
    Go(8);
    Wait(9);
    old = ExAcquireSpinLockShared(&ExLock);
    Log("shared beside a reader; exclusive try: %u\n", (unsigned)ExTryAcquireSpinLockExclusiveAtDpcLevel(&ExLock));
    ExReleaseSpinLockShared(&ExLock, old);
    Go(10);
    Wait(11);
    KeRaiseIrql(DISPATCH_LEVEL, &passive);
    Log("shared try while exclusive: %u\n", (unsigned)ExTryAcquireSpinLockSharedAtDpcLevel(&ExLock));
    KeLowerIrql(passive);
    Go(12);
    old = ExAcquireSpinLockShared(&ExLock);
    seen = Now();
    ExReleaseSpinLockShared(&ExLock, old);
    Log("shared acquired at stage %d\n", seen);
    Go(14);
    Wait(15);
    Go(16);
    IoAcquireVpbSpinLock(&old);
    seen = Now();
    IoReleaseVpbSpinLock(old);
    Log("VPB lock acquired at stage %d\n", seen);
}

int main(void)
{
    KIRQL old, dpc;
    KLOCK_QUEUE_HANDLE h;
#ifdef SPIN_KMODEL
    PKINTERRUPT intr;
#else
    KINTERRUPT interrupt, *intr = &interrupt;
#endif
    KeInitializeSpinLock(&Lock);
    SpinStart(Other);

    KeAcquireSpinLock(&Lock, &old);
    printf("held at %u, saved %u\n", KeGetCurrentIrql(), old);
    Go(1);
    Wait(2);
    Pause();
    Go(3);
    KeReleaseSpinLock(&Lock, old);
    printf("released to %u\n", KeGetCurrentIrql());
    Wait(4);

    KeAcquireInStackQueuedSpinLock(&Lock, &h);
    printf("handle names the lock: %d, saved %u, at %u\n", h.LockQueue.Lock == &Lock, h.OldIrql, KeGetCurrentIrql());
    Go(5);
    Wait(6);
    Pause();
    Go(7);
    KeReleaseInStackQueuedSpinLock(&h);
    printf("handle released to %u\n", KeGetCurrentIrql());
    Wait(8);

    old = ExAcquireSpinLockShared(&ExLock);
    Go(9);
    Wait(10);
    printf("convert as the only reader: %lu\n", (unsigned long)ExTryConvertSharedSpinLockExclusive(&ExLock));
    Go(11);
    Wait(12);
    Pause();
    Go(13);
    ExReleaseSpinLockExclusive(&ExLock, old);
    Wait(14);

    old = KeAcquireQueuedSpinLock(LockQueueIoVpbLock);
    Go(15);
    Wait(16);
    Pause();
    Go(17);
    KeReleaseQueuedSpinLock(LockQueueIoVpbLock, old);
    SpinJoin();
    printf("%s", OtherLog);

    KeRaiseIrql(DISPATCH_LEVEL, &old);
    dpc = KeAcquireSpinLockForDpc(&Lock);
    printf("ForDpc at DISPATCH_LEVEL: saved %u, at %u\n", dpc, KeGetCurrentIrql());
    KeReleaseSpinLockForDpc(&Lock, dpc);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&Lock, &h);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&h);
    ExAcquireSpinLockAtDpcLevel(&Lock);
    ExReleaseSpinLockFromDpcLevel(&Lock);
    KeAcquireSpinLockAtDpcLevel(&Lock);
    KeReleaseSpinLockFromDpcLevel(&Lock);
    KefAcquireSpinLockAtDpcLevel(&Lock);
    KefReleaseSpinLockFromDpcLevel(&Lock);
    ExAcquireSpinLockExclusiveAtDpcLevel(&ExLock);
    ExReleaseSpinLockExclusiveFromDpcLevel(&ExLock);
    ExAcquireSpinLockSharedAtDpcLevel(&ExLock);
    ExReleaseSpinLockSharedFromDpcLevel(&ExLock);
    printf("DPC-level forms leave the IRQL at %u\n", KeGetCurrentIrql());
    KeLowerIrql(old);
    KeAcquireInStackQueuedSpinLockForDpc(&Lock, &h);
    printf("ForDpc at PASSIVE_LEVEL: saved %u, at %u\n", h.OldIrql, KeGetCurrentIrql());
    KeReleaseInStackQueuedSpinLockForDpc(&h);
    old = ExAcquireSpinLockExclusive(&ExLock);
    printf("exclusive: saved %u, at %u\n", old, KeGetCurrentIrql());
    ExReleaseSpinLockExclusive(&ExLock, old);
    old = KeAcquireSpinLockRaiseToDpc(&Lock);
    KeReleaseSpinLock(&Lock, old);
    printf("restored to %u\n", KeGetCurrentIrql());

    {
        KSPIN_LOCK a, b, c;
        KeInitializeSpinLock(&a);
        KeInitializeSpinLock(&b);
        KeInitializeSpinLock(&c);
        KeAcquireSpinLock(&a, &old);
        KeAcquireSpinLockAtDpcLevel(&b);
        KeAcquireSpinLockAtDpcLevel(&c);
        KeReleaseSpinLockFromDpcLevel(&b);
        KeReleaseSpinLockFromDpcLevel(&a);
        printf("three nested, two released out of order: c held %u, a free %u\n", !KeTryToAcquireSpinLockAtDpcLevel(&c), KeTryToAcquireSpinLockAtDpcLevel(&a));
        KeReleaseSpinLockFromDpcLevel(&a);
        KeReleaseSpinLock(&c, old);
        printf("the last released to %u\n", KeGetCurrentIrql());
    }
    KeAcquireSpinLock(&Lock, &old);
    IoAcquireCancelSpinLock(&dpc);
    printf("cancel lock inside a spin lock: saved %u\n", dpc);
    IoReleaseCancelSpinLock(dpc);
    KeReleaseSpinLock(&Lock, old);

#ifdef SPIN_KMODEL
    IoConnectInterrupt(&intr, NULL, NULL, NULL, 0, 5, 8, LevelSensitive, FALSE, 1, FALSE);
#else
    WdmInitInterrupt(intr, 8);
#endif
    old = KeAcquireInterruptSpinLock(intr);
    printf("interrupt lock at %u, saved %u\n", KeGetCurrentIrql(), old);
    KeReleaseInterruptSpinLock(intr, old);
#ifdef SPIN_KMODEL
    IoDisconnectInterrupt(intr);
#endif

    ExAcquireSpinLock(&Lock, &old);
    KeInitializeSpinLock(&Lock);
    printf("reinitialised while held: try %u\n", KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    KeReleaseSpinLockFromDpcLevel(&Lock);
    ExReleaseSpinLock(&Lock, old);
    old = KfAcquireSpinLock(&Lock);
    dpc = 7;
    KeAcquireSpinLock(&Lock, &dpc);
    KfReleaseSpinLock(&Lock, old);
    ExReleaseSpinLockSharedFromDpcLevel(&ExLock);
    printf("after the misuse at %u, the second acquire saved %u\n", KeGetCurrentIrql(), dpc);
#ifdef SPIN_KMODEL
    return KmFinish();
#else
    return 0;
#endif
}
