/* Serial-port style read queue: "get next" acquires, its locked twin releases; IRQL saved in the IRP. */
#include <ntddk.h>
#ifndef _Dispatch_type_
#define _Dispatch_type_(x)
#endif

typedef struct _SERIAL_EXTENSION {
    LIST_ENTRY ReadQueue;
    PIRP CurrentReadIrp;
    ULONG CountOnLastRead;
} SERIAL_EXTENSION, *PSERIAL_EXTENSION;

DRIVER_DISPATCH SerialRead;
DRIVER_DISPATCH SerialCleanup;
DRIVER_CANCEL SerialCancelQueued;
DRIVER_CANCEL SerialCancelCurrentRead;

static VOID SerialGetNextIrpLocked(PSERIAL_EXTENSION Extension, PIRP *NewIrp, KIRQL OldIrql)
{
    *NewIrp = NULL;
    if (!IsListEmpty(&Extension->ReadQueue)) {
        PLIST_ENTRY head = RemoveHeadList(&Extension->ReadQueue);
        *NewIrp = CONTAINING_RECORD(head, IRP, Tail.Overlay.ListEntry);
        IoSetCancelRoutine(*NewIrp, NULL);
    }
    Extension->CurrentReadIrp = *NewIrp;
    IoReleaseCancelSpinLock(OldIrql);
}

static VOID SerialGetNextIrp(PSERIAL_EXTENSION Extension, PIRP *NewIrp)
{
    KIRQL oldIrql;
    IoAcquireCancelSpinLock(&oldIrql);
    SerialGetNextIrpLocked(Extension, NewIrp, oldIrql);
}

VOID SerialCancelQueued(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_SERIAL_INCREMENT);
}

VOID SerialCancelCurrentRead(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PSERIAL_EXTENSION extension = DeviceObject->DeviceExtension;
    PIRP next;
    if (extension->CurrentReadIrp != Irp) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        return;
    }
    SerialGetNextIrpLocked(extension, &next, Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_SERIAL_INCREMENT);
}

_Dispatch_type_(IRP_MJ_READ)
NTSTATUS SerialRead(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PSERIAL_EXTENSION extension = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    IoAcquireCancelSpinLock(&oldIrql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(oldIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    IoMarkIrpPending(Irp);
    if (extension->CurrentReadIrp == NULL) {
        extension->CurrentReadIrp = Irp;
        IoSetCancelRoutine(Irp, SerialCancelCurrentRead);
    } else {
        InsertTailList(&extension->ReadQueue, &Irp->Tail.Overlay.ListEntry);
        IoSetCancelRoutine(Irp, SerialCancelQueued);
    }
    IoReleaseCancelSpinLock(oldIrql);
    return STATUS_PENDING;
}

NTSTATUS SerialCleanup(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PSERIAL_EXTENSION extension = DeviceObject->DeviceExtension;
    PIRP next;
    do {
        SerialGetNextIrp(extension, &next);
        if (next) {
            next->IoStatus.Status = STATUS_CANCELLED;
            IoCompleteRequest(next, IO_NO_INCREMENT);
        }
    } while (next != NULL);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
