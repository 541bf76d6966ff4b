/* Mouse-class style: one pending read per file; the cleanup routine walks the queue under the cancel
   spin lock and invokes each IRP's cancel routine through the pointer IoSetCancelRoutine hands back,
   with the IRQL stored in Irp->CancelIrql; dispatch routines registered in a loop. */
#include <ntddk.h>

typedef struct _MOUSE_DATA { USHORT Flags; LONG LastX; LONG LastY; } MOUSE_DATA;

typedef struct _MOU_EXTENSION {
    LIST_ENTRY ReadQueue;
    KSPIN_LOCK SpinLock;
    MOUSE_DATA Pending[8];
    ULONG InputCount;
} MOU_EXTENSION, *PMOU_EXTENSION;

static NTSTATUS MouSendToLower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static VOID MouseClassCancel(IN PDEVICE_OBJECT DeviceObject, IN PIRP Irp)
{
    PMOU_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL irql;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&ext->SpinLock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->SpinLock, irql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_MOUSE_INCREMENT);
}

static NTSTATUS MouseClassRead(IN PDEVICE_OBJECT DeviceObject, IN PIRP Irp)
{
    PMOU_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL cancelIrql;
    if (ext->InputCount > 0) {
        ext->InputCount--;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = sizeof(MOUSE_DATA);
        IoCompleteRequest(Irp, IO_MOUSE_INCREMENT);
        return STATUS_SUCCESS;
    }
    IoAcquireCancelSpinLock(&cancelIrql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(cancelIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    IoMarkIrpPending(Irp);
    InsertTailList(&ext->ReadQueue, &Irp->Tail.Overlay.ListEntry);
    IoSetCancelRoutine(Irp, MouseClassCancel);
    IoReleaseCancelSpinLock(cancelIrql);
    return STATUS_PENDING;
}

static NTSTATUS MouseClassCleanup(IN PDEVICE_OBJECT DeviceObject, IN PIRP Irp)
{
    PMOU_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL cancelIrql;
    PDRIVER_CANCEL cancelRoutine;
    IoAcquireCancelSpinLock(&cancelIrql);
    while (!IsListEmpty(&ext->ReadQueue)) {
        PIRP pending = CONTAINING_RECORD(ext->ReadQueue.Flink, IRP, Tail.Overlay.ListEntry);
        cancelRoutine = IoSetCancelRoutine(pending, NULL);
        if (cancelRoutine == NULL) {
            RemoveEntryList(&pending->Tail.Overlay.ListEntry);
            InitializeListHead(&pending->Tail.Overlay.ListEntry);
            continue;
        }
        pending->Cancel = TRUE;
        pending->CancelIrql = cancelIrql;
        cancelRoutine(DeviceObject, pending);
        IoAcquireCancelSpinLock(&cancelIrql);
    }
    IoReleaseCancelSpinLock(cancelIrql);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* Called from the port driver's ISR DPC: completes one waiting read. */
VOID MouseClassServiceCallback(PDEVICE_OBJECT DeviceObject, const MOUSE_DATA *Data)
{
    PMOU_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL cancelIrql;
    PIRP irp = NULL;
    IoAcquireCancelSpinLock(&cancelIrql);
    if (!IsListEmpty(&ext->ReadQueue)) {
        irp = CONTAINING_RECORD(RemoveHeadList(&ext->ReadQueue), IRP, Tail.Overlay.ListEntry);
        IoSetCancelRoutine(irp, NULL);
    } else if (ext->InputCount < 8) {
        ext->Pending[ext->InputCount++] = *Data;
    }
    IoReleaseCancelSpinLock(cancelIrql);
    if (irp) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = sizeof(MOUSE_DATA);
        IoCompleteRequest(irp, IO_MOUSE_INCREMENT);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    ULONG i;
    UNREFERENCED_PARAMETER(RegistryPath);
    for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) DriverObject->MajorFunction[i] = MouSendToLower;
    DriverObject->MajorFunction[IRP_MJ_READ] = MouseClassRead;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = MouseClassCleanup;
    return STATUS_SUCCESS;
}
