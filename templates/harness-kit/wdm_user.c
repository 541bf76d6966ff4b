/* wdm_user.c: user-mode implementations of the I/O-manager calls declared in wdm_user.h. */
#define _XOPEN_SOURCE 700
#include "wdm_user.h"

#include <stdio.h>
#include <string.h>

#include "wdm_internal.h"
#include "wdm_port.h"

static wdm_mutex CancelLock = WDM_MUTEX_INIT;
static volatile size_t CancelOwner;
static WDM_TLS KIRQL CurrentIrql = PASSIVE_LEVEL;
static WDM_TLS char ThreadMarker;

#define WDM_MAX_IN_FLIGHT 64
static PIRP InFlight[WDM_MAX_IN_FLIGHT];
static ULONG InFlightCount;
static WDM_CANCEL_WINDOW_HOOK *WindowHook;
static int InWindow;

void WdmSetCancelWindowHook(WDM_CANCEL_WINDOW_HOOK *Hook)
{
  WindowHook = Hook;
}

void WdmForgetInFlight(void)
{
  InFlightCount = 0;
}

ULONG WdmInFlight(void)
{
  return InFlightCount;
}

PIRP WdmInFlightIrp(ULONG Index)
{
  return Index < InFlightCount ? InFlight[Index] : NULL;
}

/* A point where another processor could call IoCancelIrp: the cancel lock free, IRPs in flight. */
static void CancelWindow(void)
{
  if (!WindowHook || InWindow || InFlightCount == 0 || WdmCancelLockHeld()) return;
  InWindow = 1;
  WindowHook();
  InWindow = 0;
}

size_t WdmThreadId(void)
{
  return (size_t)&ThreadMarker;
}

BOOLEAN WdmCancelLockHeld(void)
{
  return (BOOLEAN)(wdm_load(&CancelOwner) == WdmThreadId());
}

void IoAcquireCancelSpinLock(PKIRQL Irql)
{
  if (WdmCancelLockHeld()) return;
  wdm_mutex_lock(&CancelLock);
  wdm_store(&CancelOwner, WdmThreadId());
  *Irql = CurrentIrql;
  CurrentIrql = DISPATCH_LEVEL;
}

void IoReleaseCancelSpinLock(KIRQL Irql)
{
  if (!WdmCancelLockHeld()) return;
  wdm_store(&CancelOwner, (size_t)0);
  wdm_mutex_unlock(&CancelLock);
  CurrentIrql = Irql;
  CancelWindow();
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

/* As the I/O manager does: take the cancel lock, mark the IRP, clear and call its cancel routine, which
   must release the lock; without a routine, release it here. */
BOOLEAN IoCancelIrp(PIRP Irp)
{
  PDRIVER_CANCEL Routine;
  KIRQL Irql;
  IoAcquireCancelSpinLock(&Irql);
  Irp->Cancel = TRUE;
  Routine = IoSetCancelRoutine(Irp, NULL);
  if (Routine == NULL) {
    IoReleaseCancelSpinLock(Irql);
    return FALSE;
  }
  Irp->CancelIrql = Irql;
  Routine(Irp->DeviceObject, Irp);
  return TRUE;
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
