/* wdm_user.c: user-mode implementations of the I/O-manager calls declared in wdm_user.h. */
#define _XOPEN_SOURCE 700
#include "wdm_user.h"

#include <stdio.h>
#include <string.h>

#include "wdm_internal.h"
#include "wdm_port.h"

static WDM_TLS KIRQL CurrentIrql = PASSIVE_LEVEL;
static WDM_TLS char ThreadMarker;

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
#include "../io-core/io_core.h"

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

/* A cancel window (io_core.h): every IRP in flight makes a pair, cancelled ones too (not cancelled again). */
static void CancelWindow(void)
{
  ULONG i;
  if (!io_window_open(&Injection, WdmCancelLockHeld())) return;
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

void KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
  wdm_store((volatile size_t *)SpinLock, 0);
}

void KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
  size_t self = WdmThreadId();
  if (wdm_load((volatile size_t *)SpinLock) == self) {
    fprintf(stderr, "wdm_user: KeAcquireSpinLock: this thread already holds the spin lock; refused\n");
    return;
  }
  while (!wdm_cas((volatile size_t *)SpinLock, 0, self)) wdm_yield();
  *OldIrql = CurrentIrql;
  CurrentIrql = DISPATCH_LEVEL;
}

void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
  if (!wdm_cas((volatile size_t *)SpinLock, WdmThreadId(), 0)) {
    fprintf(stderr, "wdm_user: KeReleaseSpinLock: the spin lock is not held by this thread; refused\n");
    return;
  }
  CurrentIrql = NewIrql;
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
