/* wdm_user.c: user-mode implementations of the I/O-manager calls declared in wdm_user.h. */
#define _XOPEN_SOURCE 700
#include "wdm_user.h"

#include <stdio.h>
#include <string.h>

#include "wdm_internal.h"
#include "wdm_port.h"

static WDM_TLS KIRQL CurrentIrql = PASSIVE_LEVEL;
static WDM_TLS char ThreadMarker;
static struct io_held_set *HeldLocks(void);

/* The kit's side of the shared I/O-manager core (../io-core/io_core.h). */
#define IO_IRP PIRP
#define IO_CANCEL_ROUTINE PDRIVER_CANCEL
#define IO_TAKE_CANCEL_ROUTINE(irp) IoSetCancelRoutine((irp), NULL)
#define IO_CANCEL_DEVICE(irp) ((irp)->DeviceObject)
#define IO_THREAD_ID() WdmThreadId()
#define IO_LOAD(p) wdm_load(p)
#define IO_CAS(p, expected, desired) wdm_cas((p), (expected), (desired))
#define IO_STORE(p, v) wdm_store((p), (v))
#define IO_YIELD() wdm_yield()
#define IO_IRQL() CurrentIrql
#define IO_SET_IRQL(irql) (CurrentIrql = (KIRQL)(irql))
#define IO_RESTORE_IRQL(irql) (CurrentIrql = (KIRQL)(irql))
#define IO_HELD() HeldLocks()
#define IO_LOAD_LONG(p) wdm_load_long(p)
#define IO_CAS_LONG(p, expected, desired) wdm_cas_long((p), (expected), (desired))
#include "../io-core/io_core.h"

static WDM_TLS io_held_set Held;

static struct io_held_set *HeldLocks(void)
{
  return &Held;
}

static io_cancel_lock CancelLock;

#define WDM_MAX_IN_FLIGHT 64
static PIRP InFlight[WDM_MAX_IN_FLIGHT];
static ULONG InFlightCount;
static io_injection Injection;

void WdmForgetInFlight(void)
{
  InFlightCount = 0;
}

void WdmInjectRun(ULONG Pair)
{
  io_inject_start(&Injection, Pair == 0 ? IO_INJECT_COUNT : IO_INJECT_CANCEL, Pair);
}

void WdmInjectOff(void)
{
  io_inject_start(&Injection, IO_INJECT_OFF, 0);
}

ULONG WdmInjectPairs(void)
{
  return Injection.pairs;
}

static void (*WindowHook)(void);
static int InWindowHook;

void WdmSetWindowHook(void (*Hook)(void))
{
  WindowHook = Hook;
}

/* A cancel window (io_core.h): every IRP in flight makes a pair, cancelled ones too (not cancelled again). */
static void CancelWindow(void)
{
  ULONG i;
  if (WindowHook != NULL && !InWindowHook && !WdmCancelLockHeld() && io_held_count() == 0) {
    KIRQL Irql = CurrentIrql;
    InWindowHook = 1;
    CurrentIrql = PASSIVE_LEVEL; /* the hook is another processor */
    WindowHook();
    CurrentIrql = Irql;
    InWindowHook = 0;
  }
  if (!io_window_open(&Injection, WdmCancelLockHeld() || io_held_count() > 0)) return;
  for (i = 0; i < InFlightCount; i++) {
    if (io_window_pair(&Injection)) {
      if (!InFlight[i]->Cancel) IoCancelIrp(InFlight[i]);
      return;
    }
  }
}

size_t WdmThreadId(void)
{
  return (size_t)&ThreadMarker;
}

BOOLEAN WdmCancelLockHeld(void)
{
  return (BOOLEAN)io_lock_mine(&CancelLock);
}

/* A second acquire by the holder and a release by another thread are refused (spincheck reports them). */
void IoAcquireCancelSpinLock(PKIRQL Irql)
{
  (void)io_lock_acquire(&CancelLock, Irql, 0);
}

void IoReleaseCancelSpinLock(KIRQL Irql)
{
  if (io_lock_release(&CancelLock, Irql) != IO_LOCK_NOT_HELD) CancelWindow();
}

KIRQL KeGetCurrentIrql(void)
{
  return CurrentIrql;
}

void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
  *OldIrql = CurrentIrql;
  CurrentIrql = NewIrql;
}

void KeLowerIrql(KIRQL NewIrql)
{
  CurrentIrql = NewIrql;
}

/* ---- spin locks (io_core.h): a second acquire by the holder nests (a real system hangs there; spincheck reports
   it, and the run goes on the way the driver wrote it); a release while not held is refused ---- */

static volatile size_t *Word(PKSPIN_LOCK SpinLock)
{
  return (volatile size_t *)SpinLock;
}

/* An acquire's result: true when the caller now holds the lock; a nested acquire or a refusal is said on stderr. */
static int Acquired(const char *Api, enum io_lock_result Result)
{
  if (Result == IO_LOCK_NESTED)
    fprintf(stderr, "wdm_user: %s: this thread already holds the spin lock (a real system hangs here); nested\n", Api);
  if (Result != IO_LOCK_REFUSED) return 1;
  fprintf(stderr, "wdm_user: %s: this thread holds %d spin locks already; refused\n", Api, IO_MAX_HELD);
  return 0;
}

/* A release's result: true when the caller held the lock; a refusal is said on stderr. */
static int Released(const char *Api, enum io_lock_result Result)
{
  if (Result != IO_LOCK_NOT_HELD) return 1;
  fprintf(stderr, "wdm_user: %s: the spin lock is not held by this thread; refused\n", Api);
  return 0;
}

/* Raises to Level (a spin-lock acquire at a higher IRQL is the driver's bug, not checked); the old IRQL. */
static KIRQL Raise(KIRQL Level)
{
  KIRQL Old = CurrentIrql;
  CurrentIrql = Level;
  return Old;
}

/* The ForDpc forms: raise only when below DISPATCH_LEVEL. */
static KIRQL RaiseToDpc(void)
{
  KIRQL Old = CurrentIrql;
  if (Old < DISPATCH_LEVEL) CurrentIrql = DISPATCH_LEVEL;
  return Old;
}

static void Restore(KIRQL Irql)
{
  CurrentIrql = Irql;
  CancelWindow();
}

static KIRQL AcquireRaising(PKSPIN_LOCK SpinLock, const char *Api)
{
  return Acquired(Api, io_spin_acquire(Word(SpinLock), 1)) ? Raise(DISPATCH_LEVEL) : CurrentIrql;
}

static void ReleaseRestoring(PKSPIN_LOCK SpinLock, KIRQL Irql, const char *Api)
{
  if (Released(Api, io_spin_release(Word(SpinLock)))) Restore(Irql);
}

static void AcquireAtDpc(PKSPIN_LOCK SpinLock, const char *Api)
{
  (void)Acquired(Api, io_spin_acquire(Word(SpinLock), 1));
}

static void ReleaseFromDpc(PKSPIN_LOCK SpinLock, const char *Api)
{
  if (Released(Api, io_spin_release(Word(SpinLock)))) CancelWindow();
}

/* As the DDK's inline: the lock word is cleared (a hold of the old lock ends, io_spin_mine). */
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
  wdm_store(Word(SpinLock), 0);
}

void KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
  if (Acquired("KeAcquireSpinLock", io_spin_acquire(Word(SpinLock), 1))) *OldIrql = Raise(DISPATCH_LEVEL);
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
  return AcquireRaising(SpinLock, "KeAcquireSpinLockRaiseToDpc");
}

KIRQL KfAcquireSpinLock(PKSPIN_LOCK SpinLock)
{
  return AcquireRaising(SpinLock, "KfAcquireSpinLock");
}

void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
  ReleaseRestoring(SpinLock, NewIrql, "KeReleaseSpinLock");
}

void KfReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
  ReleaseRestoring(SpinLock, NewIrql, "KfReleaseSpinLock");
}

void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
  AcquireAtDpc(SpinLock, "KeAcquireSpinLockAtDpcLevel");
}

void KefAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
  AcquireAtDpc(SpinLock, "KefAcquireSpinLockAtDpcLevel");
}

void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
  ReleaseFromDpc(SpinLock, "KeReleaseSpinLockFromDpcLevel");
}

void KefReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
  ReleaseFromDpc(SpinLock, "KefReleaseSpinLockFromDpcLevel");
}

BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
  return (BOOLEAN)io_spin_try(Word(SpinLock));
}

KIRQL KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock)
{
  return Acquired("KeAcquireSpinLockForDpc", io_spin_acquire(Word(SpinLock), 1)) ? RaiseToDpc() : CurrentIrql;
}

void KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql)
{
  ReleaseRestoring(SpinLock, OldIrql, "KeReleaseSpinLockForDpc");
}

/* The handle records the lock (even when the acquire is refused) and the IRQL its release restores. */
static int AcquireInStack(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle, const char *Api)
{
  LockHandle->LockQueue.Next = NULL;
  LockHandle->LockQueue.Lock = SpinLock;
  LockHandle->OldIrql = CurrentIrql;
  return Acquired(Api, io_spin_acquire(Word(SpinLock), 1));
}

void KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
  if (AcquireInStack(SpinLock, LockHandle, "KeAcquireInStackQueuedSpinLock")) LockHandle->OldIrql = Raise(DISPATCH_LEVEL);
}

void KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
  (void)AcquireInStack(SpinLock, LockHandle, "KeAcquireInStackQueuedSpinLockAtDpcLevel");
}

void KeAcquireInStackQueuedSpinLockForDpc(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
  if (AcquireInStack(SpinLock, LockHandle, "KeAcquireInStackQueuedSpinLockForDpc")) LockHandle->OldIrql = RaiseToDpc();
}

void KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
  ReleaseRestoring(LockHandle->LockQueue.Lock, LockHandle->OldIrql, "KeReleaseInStackQueuedSpinLock");
}

void KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
  ReleaseFromDpc(LockHandle->LockQueue.Lock, "KeReleaseInStackQueuedSpinLockFromDpcLevel");
}

void KeReleaseInStackQueuedSpinLockForDpc(PKLOCK_QUEUE_HANDLE LockHandle)
{
  ReleaseRestoring(LockHandle->LockQueue.Lock, LockHandle->OldIrql, "KeReleaseInStackQueuedSpinLockForDpc");
}

static KIRQL ExAcquireRaising(PEX_SPIN_LOCK SpinLock, int Shared, const char *Api)
{
  return Acquired(Api, io_ex_acquire(SpinLock, Shared, 1)) ? Raise(DISPATCH_LEVEL) : CurrentIrql;
}

static void ExReleaseRestoring(PEX_SPIN_LOCK SpinLock, int Shared, KIRQL Irql, const char *Api)
{
  if (Released(Api, io_ex_release(SpinLock, Shared))) Restore(Irql);
}

static void ExReleaseFromDpc(PEX_SPIN_LOCK SpinLock, int Shared, const char *Api)
{
  if (Released(Api, io_ex_release(SpinLock, Shared))) CancelWindow();
}

KIRQL ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock)
{
  return ExAcquireRaising(SpinLock, 0, "ExAcquireSpinLockExclusive");
}

KIRQL ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock)
{
  return ExAcquireRaising(SpinLock, 1, "ExAcquireSpinLockShared");
}

void ExAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
  (void)Acquired("ExAcquireSpinLockExclusiveAtDpcLevel", io_ex_acquire(SpinLock, 0, 1));
}

void ExAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
  (void)Acquired("ExAcquireSpinLockSharedAtDpcLevel", io_ex_acquire(SpinLock, 1, 1));
}

void ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
  ExReleaseRestoring(SpinLock, 0, OldIrql, "ExReleaseSpinLockExclusive");
}

void ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
  ExReleaseRestoring(SpinLock, 1, OldIrql, "ExReleaseSpinLockShared");
}

void ExReleaseSpinLockExclusiveFromDpcLevel(PEX_SPIN_LOCK SpinLock)
{
  ExReleaseFromDpc(SpinLock, 0, "ExReleaseSpinLockExclusiveFromDpcLevel");
}

void ExReleaseSpinLockSharedFromDpcLevel(PEX_SPIN_LOCK SpinLock)
{
  ExReleaseFromDpc(SpinLock, 1, "ExReleaseSpinLockSharedFromDpcLevel");
}

BOOLEAN ExTryAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
  return (BOOLEAN)io_ex_try(SpinLock, 0);
}

BOOLEAN ExTryAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
  return (BOOLEAN)io_ex_try(SpinLock, 1);
}

ULONG ExTryConvertSharedSpinLockExclusive(PEX_SPIN_LOCK SpinLock)
{
  return (ULONG)io_ex_convert(SpinLock);
}

void WdmInitInterrupt(PKINTERRUPT Interrupt, KIRQL SynchronizeIrql)
{
  KeInitializeSpinLock(&Interrupt->SpinLock);
  Interrupt->SynchronizeIrql = SynchronizeIrql;
}

KIRQL KeAcquireInterruptSpinLock(PKINTERRUPT Interrupt)
{
  if (!Acquired("KeAcquireInterruptSpinLock", io_spin_acquire(Word(&Interrupt->SpinLock), 1))) return CurrentIrql;
  return Raise(Interrupt->SynchronizeIrql);
}

void KeReleaseInterruptSpinLock(PKINTERRUPT Interrupt, KIRQL OldIrql)
{
  ReleaseRestoring(&Interrupt->SpinLock, OldIrql, "KeReleaseInterruptSpinLock");
}

/* The numbered queued spin locks; a number out of range is refused. */
static KSPIN_LOCK QueuedLocks[LockQueueMaximumLock];

static PKSPIN_LOCK QueuedLock(KSPIN_LOCK_QUEUE_NUMBER Number, const char *Api)
{
  if (Number < LockQueueMaximumLock) return &QueuedLocks[Number];
  fprintf(stderr, "wdm_user: %s: there is no queued spin lock %lu; refused\n", Api, (unsigned long)Number);
  return NULL;
}

KIRQL KeAcquireQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number)
{
  PKSPIN_LOCK Lock = QueuedLock(Number, "KeAcquireQueuedSpinLock");
  return Lock != NULL ? AcquireRaising(Lock, "KeAcquireQueuedSpinLock") : CurrentIrql;
}

void KeReleaseQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number, KIRQL OldIrql)
{
  PKSPIN_LOCK Lock = QueuedLock(Number, "KeReleaseQueuedSpinLock");
  if (Lock != NULL) ReleaseRestoring(Lock, OldIrql, "KeReleaseQueuedSpinLock");
}

void IoAcquireVpbSpinLock(PKIRQL Irql)
{
  if (Acquired("IoAcquireVpbSpinLock", io_spin_acquire(Word(&QueuedLocks[LockQueueIoVpbLock]), 1))) *Irql = Raise(DISPATCH_LEVEL);
}

void IoReleaseVpbSpinLock(KIRQL Irql)
{
  ReleaseRestoring(&QueuedLocks[LockQueueIoVpbLock], Irql, "IoReleaseVpbSpinLock");
}

void InsertTailList(PLIST_ENTRY Head, PLIST_ENTRY Entry)
{
  Entry->Flink = Head;
  Entry->Blink = Head->Blink;
  Head->Blink->Flink = Entry;
  Head->Blink = Entry;
}

PLIST_ENTRY RemoveHeadList(PLIST_ENTRY Head)
{
  PLIST_ENTRY Entry = Head->Flink;
  RemoveEntryList(Entry);
  return Entry;
}

BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
  PLIST_ENTRY Flink = Entry->Flink;
  PLIST_ENTRY Blink = Entry->Blink;
  Blink->Flink = Flink;
  Flink->Blink = Blink;
  return (BOOLEAN)(Flink == Blink);
}

/* An atomic exchange of the IRP's cancel routine (pointer-sized; function pointers copied, not converted). */
static PDRIVER_CANCEL ExchangeCancelRoutine(PIRP Irp, PDRIVER_CANCEL New)
{
  size_t n, o;
  PDRIVER_CANCEL Old;
  memcpy(&n, &New, sizeof n);
  o = wdm_xchg((volatile size_t *)(void *)&Irp->CancelRoutine, n);
  memcpy(&Old, &o, sizeof Old);
  return Old;
}

PDRIVER_CANCEL IoSetCancelRoutine(PIRP Irp, PDRIVER_CANCEL CancelRoutine)
{
  PDRIVER_CANCEL Old = ExchangeCancelRoutine(Irp, CancelRoutine);
  if (CancelRoutine != NULL) CancelWindow();
  return Old;
}

/* As the I/O manager does (io_cancel_locked): take the cancel lock, mark the IRP, clear and call its cancel
   routine, which must release the lock; without a routine, release it here. The lock calls stay in this file:
   spincheck instruments them, so a report names this acquire for a cancel routine's lock. */
BOOLEAN IoCancelIrp(PIRP Irp)
{
  KIRQL Irql;
  IoAcquireCancelSpinLock(&Irql);
  if (io_cancel_locked(Irp, Irql) != NULL) return TRUE;
  IoReleaseCancelSpinLock(Irql);
  return FALSE;
}

void IoMarkIrpPending(PIRP Irp)
{
  Irp->PendingReturned = TRUE;
}

void IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
  ULONG i;
  (void)PriorityBoost;
  Irp->Completed = TRUE;
  for (i = 0; i < InFlightCount; i++) {
    if (InFlight[i] == Irp) {
      InFlight[i] = InFlight[--InFlightCount];
      break;
    }
  }
}

void WdmInitIrp(PIRP Irp, PDEVICE_OBJECT DeviceObject, UCHAR MajorFunction)
{
  memset(Irp, 0, sizeof *Irp);
  Irp->DeviceObject = DeviceObject;
  Irp->MajorFunction = MajorFunction;
}

NTSTATUS WdmCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  NTSTATUS Status;
  if (InFlightCount < WDM_MAX_IN_FLIGHT) InFlight[InFlightCount++] = Irp;
  Status = DeviceObject->DriverObject->MajorFunction[Irp->MajorFunction](DeviceObject, Irp);
  CancelWindow();
  return Status;
}
