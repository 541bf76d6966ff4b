/* Every spin-lock form, in the DDK's shapes and in expression contexts. */
#include "wdm-lite.h"

typedef struct _EXT {
  KSPIN_LOCK QueueLock;
  KSPIN_LOCK DataLock;
  EX_SPIN_LOCK TableLock;
  PKINTERRUPT Interrupt;
  KIRQL Irql;
  PIRP Head;
} EXT, *PEXT;

#define EXT_LOCK(e) KeAcquireSpinLock(&(e)->DataLock, &(e)->Irql)
#define EXT_UNLOCK(e) KeReleaseSpinLock(&(e)->DataLock, (e)->Irql)

void ExtInit(PEXT ext) {
  KeInitializeSpinLock(&ext->QueueLock);
  KeInitializeSpinLock(&ext->DataLock);
}

_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH ExtRead;
NTSTATUS ExtRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KIRQL irql, old;
  KLOCK_QUEUE_HANDLE handle;
  NTSTATUS status = STATUS_SUCCESS;
  KeAcquireSpinLock(&ext->QueueLock, &irql);
  ExAcquireSpinLock(&ext->DataLock, &old);
  Irp->Next = ext->Head;
  ext->Head = Irp;
  ExReleaseSpinLock(&ext->DataLock, old);
  KeReleaseSpinLock(&ext->QueueLock, irql);
  EXT_LOCK(ext);
  EXT_UNLOCK(ext);
  KeAcquireInStackQueuedSpinLock(&ext->QueueLock, &handle);
  KeReleaseInStackQueuedSpinLock(&handle);
  old = KeAcquireSpinLockRaiseToDpc(&ext->DataLock);
  if (KeTryToAcquireSpinLockAtDpcLevel(&ext->QueueLock)) {
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
  }
  KeReleaseSpinLock(&ext->DataLock, old);
  old = KeAcquireSpinLockForDpc(&ext->DataLock);
  KeReleaseSpinLockForDpc(&ext->DataLock, old);
  old = ExAcquireSpinLockShared(&ext->TableLock);
  if (ExTryConvertSharedSpinLockExclusive(&ext->TableLock)) status = STATUS_PENDING;
  ExReleaseSpinLockShared(&ext->TableLock, old);
  ExReleaseSpinLockExclusive(&ext->TableLock, ExAcquireSpinLockExclusive(&ext->TableLock));
  old = KeAcquireInterruptSpinLock(ext->Interrupt);
  KeReleaseInterruptSpinLock(ext->Interrupt, old);
  IoAcquireVpbSpinLock(&irql);
  IoReleaseVpbSpinLock(irql);
  old = KeAcquireQueuedSpinLock(LockQueueIoDatabaseLock);
  KeReleaseQueuedSpinLock(LockQueueIoDatabaseLock, old);
  KeAcquireSpinLockAtDpcLevel(&ext->DataLock);
  return (KeReleaseSpinLockFromDpcLevel(&ext->DataLock), status);
}
