/* wdm_user.c: user-mode implementations of the I/O-manager calls declared in wdm_user.h (POSIX threads). */
#define _XOPEN_SOURCE 700
#include "wdm_user.h"

#include <pthread.h>
#include <string.h>

static pthread_mutex_t CancelLock;
static pthread_once_t CancelLockOnce = PTHREAD_ONCE_INIT;
static __thread KIRQL CurrentIrql = PASSIVE_LEVEL;

static void InitCancelLock(void)
{
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_init(&CancelLock, &attr);
  pthread_mutexattr_destroy(&attr);
}

void IoAcquireCancelSpinLock(PKIRQL Irql)
{
  pthread_once(&CancelLockOnce, InitCancelLock);
  if (pthread_mutex_lock(&CancelLock) != 0) return;
  *Irql = CurrentIrql;
  CurrentIrql = DISPATCH_LEVEL;
}

void IoReleaseCancelSpinLock(KIRQL Irql)
{
  pthread_once(&CancelLockOnce, InitCancelLock);
  if (pthread_mutex_unlock(&CancelLock) != 0) return;
  CurrentIrql = Irql;
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

PDRIVER_CANCEL IoSetCancelRoutine(PIRP Irp, PDRIVER_CANCEL CancelRoutine)
{
  return __atomic_exchange_n(&Irp->CancelRoutine, CancelRoutine, __ATOMIC_SEQ_CST);
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
  (void)PriorityBoost;
  Irp->Completed = TRUE;
}

void WdmInitIrp(PIRP Irp, PDEVICE_OBJECT DeviceObject, UCHAR MajorFunction)
{
  memset(Irp, 0, sizeof *Irp);
  Irp->DeviceObject = DeviceObject;
  Irp->MajorFunction = MajorFunction;
}

NTSTATUS WdmCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  return DeviceObject->DriverObject->MajorFunction[Irp->MajorFunction](DeviceObject, Irp);
}
