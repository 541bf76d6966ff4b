/* Parallel-port style: a port-allocation queue with a cancel routine; StartIo-driven packets with the
   cancel routine passed to IoStartPacket; the free-port path acquires the lock in one function and a
   helper releases it after clearing the next IRP's cancel routine. */
#include <ntddk.h>

typedef struct _PAR_EXTENSION {
    LIST_ENTRY WorkQueue;
    LONG PortFree;
    ULONG AllocCount;
    PDEVICE_OBJECT DeviceObject;
} PAR_EXTENSION, *PPAR_EXTENSION;

DRIVER_DISPATCH ParInternalIoctl;
DRIVER_DISPATCH ParCreateClose;
DRIVER_STARTIO ParStartIo;

static VOID ParCompleteRequest(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_PARALLEL_INCREMENT);
}

VOID ParCancelAllocate(IN PDEVICE_OBJECT DeviceObject, IN PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    ParCompleteRequest(Irp, STATUS_CANCELLED);
}

VOID ParCancelStartIo(IN PDEVICE_OBJECT DeviceObject, IN PIRP Irp)
{
    if (DeviceObject->CurrentIrp == Irp) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        return;
    }
    if (KeRemoveEntryDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry)) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        ParCompleteRequest(Irp, STATUS_CANCELLED);
    } else {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
    }
}

/* Called with the cancel spin lock held; releases it. */
static BOOLEAN ParGrantNextLocked(PPAR_EXTENSION Ext, KIRQL CancelIrql)
{
    PIRP irp = NULL;
    while (!IsListEmpty(&Ext->WorkQueue)) {
        PLIST_ENTRY entry = RemoveHeadList(&Ext->WorkQueue);
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL) != NULL) break;
        InitializeListHead(&irp->Tail.Overlay.ListEntry);
        irp = NULL;
    }
    if (irp == NULL) Ext->PortFree = TRUE;
    IoReleaseCancelSpinLock(CancelIrql);
    if (irp != NULL) {
        Ext->AllocCount++;
        ParCompleteRequest(irp, STATUS_SUCCESS);
        return TRUE;
    }
    return FALSE;
}

static VOID ParFreePort(PPAR_EXTENSION Ext)
{
    KIRQL cancelIrql;
    IoAcquireCancelSpinLock(&cancelIrql);
    (void)ParGrantNextLocked(Ext, cancelIrql);
}

static NTSTATUS ParAllocPort(PPAR_EXTENSION Ext, PIRP Irp)
{
    KIRQL cancelIrql;
    NTSTATUS status;
    IoAcquireCancelSpinLock(&cancelIrql);
    if (Irp->Cancel) {
        status = STATUS_CANCELLED;
    } else if (Ext->PortFree) {
        Ext->PortFree = FALSE;
        status = STATUS_SUCCESS;
    } else {
        IoMarkIrpPending(Irp);
        IoSetCancelRoutine(Irp, ParCancelAllocate);
        InsertTailList(&Ext->WorkQueue, &Irp->Tail.Overlay.ListEntry);
        status = STATUS_PENDING;
    }
    IoReleaseCancelSpinLock(cancelIrql);
    return status;
}

NTSTATUS ParInternalIoctl(IN PDEVICE_OBJECT DeviceObject, IN PIRP Irp)
{
    PPAR_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;
    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case 1:
        status = ParAllocPort(ext, Irp);
        if (status == STATUS_PENDING) return status;
        break;
    case 2:
        ParFreePort(ext);
        status = STATUS_SUCCESS;
        break;
    default:
        IoMarkIrpPending(Irp);
        IoStartPacket(DeviceObject, Irp, NULL, ParCancelStartIo);
        return STATUS_PENDING;
    }
    ParCompleteRequest(Irp, status);
    return status;
}

VOID ParStartIo(IN PDEVICE_OBJECT DeviceObject, IN PIRP Irp)
{
    KIRQL cancelIrql;
    IoAcquireCancelSpinLock(&cancelIrql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(cancelIrql);
        return;
    }
    IoSetCancelRoutine(Irp, NULL);
    IoReleaseCancelSpinLock(cancelIrql);
    ParCompleteRequest(Irp, STATUS_SUCCESS);
    IoStartNextPacket(DeviceObject, TRUE);
}

NTSTATUS ParCreateClose(IN PDEVICE_OBJECT DeviceObject, IN PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    ParCompleteRequest(Irp, STATUS_SUCCESS);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DriverObject->MajorFunction[IRP_MJ_CLOSE] = ParCreateClose;
    DriverObject->MajorFunction[IRP_MJ_INTERNAL_DEVICE_CONTROL] = ParInternalIoctl;
    DriverObject->DriverStartIo = ParStartIo;
    return STATUS_SUCCESS;
}
