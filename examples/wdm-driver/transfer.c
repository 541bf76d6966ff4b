/* transfer.c: StartIo, the transfer-done DPC and the cancel routine of queued transfers.
   The cancel spin lock guards which transfer is active; the cancel routine handles both branches:
   the IRP is the device's current one (stop the hardware, start the next packet), or it still waits in
   the device queue (take it out). */
#include "wdmsample.h"

VOID WdsCompleteRequest(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static ULONG WdsTransferLength(PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    return sp->MajorFunction == IRP_MJ_READ ? sp->Parameters.Read.Length : sp->Parameters.Write.Length;
}

/* Runs at DISPATCH_LEVEL with the IRP as the device's CurrentIrp; its cancel routine is still set. */
VOID NTAPI WdsStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PWDS_EXTENSION ext = (PWDS_EXTENSION)DeviceObject->DeviceExtension;
    ULONG length = WdsTransferLength(Irp);
    PUCHAR scratch = (PUCHAR)ExAllocatePoolWithTag(NonPagedPool, length, WDS_TAG);
    LARGE_INTEGER due;
    KIRQL irql;

    IoAcquireCancelSpinLock(&irql);
    if (Irp->Cancel || scratch == NULL) {
        if (IoSetCancelRoutine(Irp, NULL) == NULL) {
            /* Cancelled on its way out of the queue: the cancel routine's current branch completes it. */
            IoReleaseCancelSpinLock(irql);
        } else {
            /* Cancelled before IoStartPacket set the cancel routine (or no memory): ours to complete. */
            if (Irp->Cancel)
                ext->Stats.Cancelled++;
            IoReleaseCancelSpinLock(irql);
            IoStartNextPacket(DeviceObject, TRUE);
            WdsCompleteRequest(Irp, scratch != NULL ? STATUS_CANCELLED : STATUS_INSUFFICIENT_RESOURCES, 0);
        }
        if (scratch != NULL)
            ExFreePoolWithTag(scratch, WDS_TAG);
        return;
    }
    if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_WRITE)
        RtlCopyMemory(scratch, Irp->AssociatedIrp.SystemBuffer, length);
    ext->ActiveIrp = Irp;
    ext->Scratch = scratch;
    IoReleaseCancelSpinLock(irql);

    due.QuadPart = -10000LL * (LONGLONG)(length / WDS_BYTES_PER_MS + 1);
    KeSetTimer(&ext->Timer, due, &ext->TimerDpc);
}

/* The hardware finished the active transfer. */
VOID NTAPI WdsTransferDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PDEVICE_OBJECT device = (PDEVICE_OBJECT)DeferredContext;
    PWDS_EXTENSION ext = (PWDS_EXTENSION)device->DeviceExtension;
    PUCHAR scratch;
    ULONG length, i;
    KIRQL irql;
    PIRP irp;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);

    IoAcquireCancelSpinLock(&irql);
    irp = ext->ActiveIrp;
    if (irp == NULL || IoSetCancelRoutine(irp, NULL) == NULL) {
        /* Cancelled while the timer ran: the cancel routine owns the IRP. */
        IoReleaseCancelSpinLock(irql);
        return;
    }
    scratch = ext->Scratch;
    ext->ActiveIrp = NULL;
    ext->Scratch = NULL;
    IoReleaseCancelSpinLock(irql);

    length = WdsTransferLength(irp);
    if (IoGetCurrentIrpStackLocation(irp)->MajorFunction == IRP_MJ_READ) {
        for (i = 0; i < length; i++)
            scratch[i] = (UCHAR)('a' + i % 26);
        RtlCopyMemory(irp->AssociatedIrp.SystemBuffer, scratch, length);
    }
    ExFreePoolWithTag(scratch, WDS_TAG);
    ext->Stats.Transfers++;
    IoStartNextPacket(device, TRUE);
    WdsCompleteRequest(irp, STATUS_SUCCESS, length);
}

/* Called by the I/O manager with the cancel spin lock held. */
VOID NTAPI WdsCancelTransfer(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PWDS_EXTENSION ext = (PWDS_EXTENSION)DeviceObject->DeviceExtension;
    PUCHAR scratch = NULL;

    if (Irp == DeviceObject->CurrentIrp) {
        /* Current branch: the transfer runs (or StartIo is about to see Cancel). Stop the hardware. */
        if (ext->ActiveIrp == Irp) {
            KeCancelTimer(&ext->Timer);
            scratch = ext->Scratch;
            ext->ActiveIrp = NULL;
            ext->Scratch = NULL;
        }
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        if (scratch != NULL)
            ExFreePoolWithTag(scratch, WDS_TAG);
        IoStartNextPacket(DeviceObject, TRUE);
    } else {
        /* Queued branch: the IRP still waits in the device queue. */
        KeRemoveEntryDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry);
        IoReleaseCancelSpinLock(Irp->CancelIrql);
    }
    ext->Stats.Cancelled++;
    WdsCompleteRequest(Irp, STATUS_CANCELLED, 0);
}

/* Cleanup: completes the transfers of FileObject still waiting in the device queue (the active one finishes). */
VOID WdsCancelQueuedTransfers(PDEVICE_OBJECT DeviceObject, PFILE_OBJECT FileObject)
{
    PKDEVICE_QUEUE queue = &DeviceObject->DeviceQueue;
    KIRQL irql;

    for (;;) {
        PLIST_ENTRY entry;
        PIRP victim = NULL;

        IoAcquireCancelSpinLock(&irql);
        for (entry = queue->DeviceListHead.Flink; entry != &queue->DeviceListHead; entry = entry->Flink) {
            PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.DeviceQueueEntry.DeviceListEntry);
            if (IoGetCurrentIrpStackLocation(irp)->FileObject == FileObject && IoSetCancelRoutine(irp, NULL) != NULL) {
                victim = irp;
                break;
            }
        }
        if (victim == NULL) {
            IoReleaseCancelSpinLock(irql);
            break;
        }
        KeRemoveEntryDeviceQueue(queue, &victim->Tail.Overlay.DeviceQueueEntry);
        IoReleaseCancelSpinLock(irql);
        WdsCompleteRequest(victim, STATUS_CANCELLED, 0);
    }
}
