/* driver.c: driver entry and dispatch routines of the example read-queue driver. */
#include "driver.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
    DriverObject->MajorFunction[IRP_MJ_CREATE] = QdCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = QdCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = QdRead;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = QdCleanup;
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

/* Completes every queued read; releases the cancel lock around each completion. */
NTSTATUS QdCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PQUEUE_EXTENSION ext = (PQUEUE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;

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
