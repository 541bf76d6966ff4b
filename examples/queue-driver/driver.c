/* driver.c: driver entry and dispatch routines of the example read-queue driver. */
#include "driver.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
    DriverObject->MajorFunction[IRP_MJ_CREATE] = QdCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = QdCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = QdRead;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = QdCleanup;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = QdDeviceControl;
    return STATUS_SUCCESS;
}

NTSTATUS QdCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS QdRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return QdQueueRead(DeviceObject, Irp);
}

/* Stops the queue and completes every queued read; releases the cancel lock around each completion. */
NTSTATUS QdCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PQUEUE_EXTENSION ext = (PQUEUE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;
#ifdef SEEDED_BUGS
    KLOCK_QUEUE_HANDLE handle;
#endif

#ifdef SEEDED_BUGS
    KeAcquireInStackQueuedSpinLock(&ext->QueueLock, &handle);
    QdStopQueue(ext);
    KeReleaseInStackQueuedSpinLock(&handle);
#else
    QdStopQueue(ext);
#endif
    IoAcquireCancelSpinLock(&irql);
    while (!IsListEmpty(&ext->PendingReads)) {
        PLIST_ENTRY entry = RemoveHeadList(&ext->PendingReads);
        PIRP pending = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        IoSetCancelRoutine(pending, NULL);
        IoReleaseCancelSpinLock(irql);
        pending->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(pending, IO_NO_INCREMENT);
        IoAcquireCancelSpinLock(&irql);
    }
    IoReleaseCancelSpinLock(irql);
#ifdef SEEDED_BUGS
    IoReleaseCancelSpinLock(irql);
#endif
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* Returns the number of queued reads: the device lock, then the cancel lock inside it (every path keeps that
   order). A stopped queue fails the request. */
NTSTATUS QdDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PQUEUE_EXTENSION ext = (PQUEUE_EXTENSION)DeviceObject->DeviceExtension;
    PLIST_ENTRY entry;
    ULONG depth = 0;
    KIRQL lockIrql, cancelIrql;

    KeAcquireSpinLock(&ext->QueueLock, &lockIrql);
    if (ext->Stopped) {
#ifndef SEEDED_BUGS
        KeReleaseSpinLock(&ext->QueueLock, lockIrql);
#endif
        Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    IoAcquireCancelSpinLock(&cancelIrql);
    for (entry = ext->PendingReads.Flink; entry != &ext->PendingReads; entry = entry->Flink) depth++;
    IoReleaseCancelSpinLock(cancelIrql);
#ifdef SEEDED_BUGS
    KeReleaseSpinLock(&ext->QueueLock, cancelIrql);
#else
    KeReleaseSpinLock(&ext->QueueLock, lockIrql);
#endif
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = depth;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
