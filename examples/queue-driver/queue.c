/* queue.c: the read queue, its cancel routine, the DPC-style completion path and stopping the queue. */
#include "driver.h"

NTSTATUS QdQueueRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PQUEUE_EXTENSION ext = (PQUEUE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;

    IoAcquireCancelSpinLock(&irql);
    if (Irp->Cancel) {
#ifndef SEEDED_BUGS
        IoReleaseCancelSpinLock(irql);
#endif
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    IoSetCancelRoutine(Irp, QdCancelRead);
    InsertTailList(&ext->PendingReads, &Irp->Tail.Overlay.ListEntry);
    IoMarkIrpPending(Irp);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}

/* Called by the I/O manager with the cancel spin lock held. */
VOID QdCancelRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PQUEUE_EXTENSION ext = (PQUEUE_EXTENSION)DeviceObject->DeviceExtension;

    if (ext->CurrentIrp == Irp) {
        ext->CurrentIrp = NULL;
#ifndef SEEDED_BUGS
        IoReleaseCancelSpinLock(Irp->CancelIrql);
#endif
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return;
    }
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* StartIo-style: the head of the queue becomes the current request; it stays cancelable. Counts the start under
   the device lock (an in-stack queued acquire). */
void QdStartNext(PDEVICE_OBJECT DeviceObject)
{
    PQUEUE_EXTENSION ext = (PQUEUE_EXTENSION)DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;
    KIRQL irql;

    IoAcquireCancelSpinLock(&irql);
    if (ext->CurrentIrp == NULL && !IsListEmpty(&ext->PendingReads)) {
        PLIST_ENTRY entry = RemoveHeadList(&ext->PendingReads);
        ext->CurrentIrp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
    }
    IoReleaseCancelSpinLock(irql);
    KeAcquireInStackQueuedSpinLock(&ext->QueueLock, &handle);
    ext->Started++;
    KeReleaseInStackQueuedSpinLock(&handle);
}

/* DPC-style completion of the current request, run at DISPATCH_LEVEL. */
void QdCompleteCurrent(PDEVICE_OBJECT DeviceObject)
{
    PQUEUE_EXTENSION ext = (PQUEUE_EXTENSION)DeviceObject->DeviceExtension;
    PIRP irp;
    KIRQL irql;

    IoAcquireCancelSpinLock(&irql);
    irp = ext->CurrentIrp;
    if (irp == NULL) {
        IoReleaseCancelSpinLock(irql);
        return;
    }
    ext->CurrentIrp = NULL;
    IoSetCancelRoutine(irp, NULL);
#ifdef SEEDED_BUGS
    IoReleaseCancelSpinLock(irp->CancelIrql);
#else
    IoReleaseCancelSpinLock(irql);
#endif
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    /* Another processor may hold the device lock: a DPC does not wait for it, the count waits for the next one. */
    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->QueueLock)) {
        ext->Completed += 1 + ext->Deferred;
        ext->Deferred = 0;
        KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
#ifdef SEEDED_BUGS
        KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
#endif
    } else {
        ext->Deferred++;
    }
}

/* Stops the queue: later requests fail. Takes the device lock itself: the caller must not hold it. */
void QdStopQueue(PQUEUE_EXTENSION ext)
{
    KIRQL irql;

    KeAcquireSpinLock(&ext->QueueLock, &irql);
    ext->Stopped = TRUE;
    KeReleaseSpinLock(&ext->QueueLock, irql);
}
