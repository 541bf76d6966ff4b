/* A driver with a device-extension lock: one routine per bug (marked BUG-<kind>) and correct ones. */
#include "spin_ddk.h"

#define EXT_LOCK(e) KeAcquireSpinLock(&(e)->DataLock, &(e)->Irql) /* ACQ-macro-exit-held */
#define EXT_UNLOCK(e) KeReleaseSpinLock(&(e)->DataLock, (e)->Irql)

DRIVER_DISPATCH SpinLeak;
DRIVER_DISPATCH SpinMacroLeak;
DRIVER_DISPATCH SpinDouble;
DRIVER_DISPATCH SpinFree;
DRIVER_DISPATCH SpinMismatch;
DRIVER_DISPATCH SpinClean;
DRIVER_DISPATCH SpinLeakTwo;
DRIVER_DISPATCH SpinInStackDouble;
DRIVER_DISPATCH SpinInStackDoubleMixed;
DRIVER_DISPATCH SpinOuter;
DRIVER_DISPATCH SpinInner;
DRIVER_DISPATCH SpinInside;
void SpinTake(PEXT ext);
void SpinDrop(PEXT ext);
void SpinReinit(PEXT ext);

NTSTATUS NTAPI SpinLeak(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KIRQL irql;
  (void)Irp;
  KeAcquireSpinLock(&ext->QueueLock, &irql); /* ACQ-spin-lock-exit-held */
  if (ext->Fail) return STATUS_UNSUCCESSFUL; /* BUG-spin-lock-exit-held */
  KeReleaseSpinLock(&ext->QueueLock, irql);
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI SpinMacroLeak(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  (void)Irp;
  EXT_LOCK(ext);
  ext->Count++;
  return STATUS_SUCCESS; /* BUG-macro-exit-held */
}

NTSTATUS NTAPI SpinDouble(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KIRQL irql, again;
  (void)Irp;
  KeAcquireSpinLock(&ext->DataLock, &irql); /* ACQ-spin-lock-double-acquire */
  ExAcquireSpinLock(&ext->DataLock, &again); /* BUG-spin-lock-double-acquire */
  ExReleaseSpinLock(&ext->DataLock, again);
  KeReleaseSpinLock(&ext->DataLock, irql);
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI SpinFree(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  (void)Irp;
  KeReleaseSpinLock(&ext->StatsLock, 0); /* BUG-spin-lock-release-not-held */
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI SpinMismatch(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KIRQL old;
  (void)Irp;
  KeAcquireSpinLock(&ext->StatsLock, &old); /* ACQ-irql-mismatch */
  KeReleaseSpinLock(&ext->StatsLock, (KIRQL)(old + 1)); /* BUG-irql-mismatch */
  return STATUS_SUCCESS;
}

/* Two locks held at one exit: two leaks, each naming its own lock. */
NTSTATUS NTAPI SpinLeakTwo(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KIRQL irql;
  (void)Irp;
  KeAcquireSpinLock(&ext->QueueLock, &irql); /* ACQ-leak-two-queue */
  KeAcquireSpinLockAtDpcLevel(&ext->DataLock); /* ACQ-leak-two-data */
  return STATUS_SUCCESS; /* BUG-leak-two */
}

/* An in-stack queued acquire of a lock the thread holds through another handle: one double acquire, nothing after. */
NTSTATUS NTAPI SpinInStackDouble(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KLOCK_QUEUE_HANDLE outer, inner;
  (void)Irp;
  KeAcquireInStackQueuedSpinLock(&ext->QueueLock, &outer); /* ACQ-in-stack-double */
  KeAcquireInStackQueuedSpinLock(&ext->QueueLock, &inner); /* BUG-in-stack-double */
  KeReleaseInStackQueuedSpinLock(&inner);
  KeReleaseInStackQueuedSpinLock(&outer);
  return STATUS_SUCCESS;
}

/* The same through a plain acquire, the handle released last. */
NTSTATUS NTAPI SpinInStackDoubleMixed(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KLOCK_QUEUE_HANDLE inner;
  KIRQL irql;
  (void)Irp;
  KeAcquireSpinLock(&ext->DataLock, &irql); /* ACQ-in-stack-mixed */
  KeAcquireInStackQueuedSpinLock(&ext->DataLock, &inner); /* BUG-in-stack-mixed */
  KeReleaseSpinLock(&ext->DataLock, irql);
  KeReleaseInStackQueuedSpinLock(&inner);
  return STATUS_SUCCESS;
}

/* Correct: several locks nested, released in any order, the cancel lock inside a device lock, in-stack and try. */
NTSTATUS NTAPI SpinClean(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KIRQL q, d, cancel;
  KLOCK_QUEUE_HANDLE handle;
  (void)Irp;
  KeAcquireSpinLock(&ext->QueueLock, &q);
  ExAcquireSpinLock(&ext->DataLock, &d);
  IoAcquireCancelSpinLock(&cancel);
  KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
  /* Out of order where the IRQL allows it: each restore leaves DISPATCH_LEVEL until the outermost lock goes. */
  IoReleaseCancelSpinLock(cancel);
  ExReleaseSpinLock(&ext->DataLock, d);
  KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
  KeReleaseSpinLock(&ext->QueueLock, q);
#if !defined(_X86_) && !defined(SPIN_X86)
  q = KeAcquireSpinLockRaiseToDpc(&ext->StatsLock); /* amd64 only */
  KeReleaseSpinLock(&ext->StatsLock, q);
#endif
  KeAcquireInStackQueuedSpinLock(&ext->QueueLock, &handle);
  if (KeTryToAcquireSpinLockAtDpcLevel(&ext->DataLock)) KeReleaseSpinLockFromDpcLevel(&ext->DataLock);
  KeReleaseInStackQueuedSpinLock(&handle);
  if (ext->Fail && KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock)) return STATUS_UNSUCCESSFUL;
  return STATUS_SUCCESS;
}

/* Correct: a dispatch routine called with a lock held by its caller, which releases it. */
NTSTATUS NTAPI SpinInner(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  (void)Irp;
  ext->Count++;
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI SpinOuter(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KIRQL irql;
  NTSTATUS status;
  KeAcquireSpinLock(&ext->QueueLock, &irql);
  status = SpinInner(DeviceObject, Irp);
  KeReleaseSpinLock(&ext->QueueLock, irql);
  return status;
}

void SpinTake(PEXT ext) {
  KeAcquireSpinLock(&ext->DataLock, &ext->Irql); /* ACQ-spin-lock-release-other-thread */
}

void SpinDrop(PEXT ext) {
  KeReleaseSpinLock(&ext->DataLock, ext->Irql); /* BUG-spin-lock-release-other-thread */
}

/* Called by the mock kernel from inside the real acquire of the next lock SpinInside takes, as a kernel model's
   window calls a driver: four locks taken there, held until after that acquire returns. */
void SpinInsideTake(PEXT ext) {
  KeAcquireSpinLockAtDpcLevel(&ext->Inside[0]);
  KeAcquireSpinLockAtDpcLevel(&ext->Inside[1]);
  KeAcquireSpinLockAtDpcLevel(&ext->Inside[2]);
  KeAcquireSpinLockAtDpcLevel(&ext->Inside[3]);
}

NTSTATUS NTAPI SpinInside(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KIRQL irql;
  (void)Irp;
  ext->InsideArmed = 1;
  KeAcquireSpinLock(&ext->QueueLock, &irql); /* INSIDE-ACQ */
  KeReleaseSpinLockFromDpcLevel(&ext->Inside[3]);
  KeReleaseSpinLockFromDpcLevel(&ext->Inside[1]);
  KeReleaseSpinLockFromDpcLevel(&ext->Inside[2]);
  KeReleaseSpinLockFromDpcLevel(&ext->Inside[0]);
  KeReleaseSpinLock(&ext->QueueLock, irql); /* INSIDE-REL */
  return STATUS_SUCCESS;
}

/* KeInitializeSpinLock ends the lock's identity: taking it again is no double acquire. */
void SpinReinit(PEXT ext) {
  KeInitializeSpinLock(&ext->DataLock);
}
