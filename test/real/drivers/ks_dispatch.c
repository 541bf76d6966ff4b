/* Kernel-streaming style: IRP dispatch through the driver's own table of function pointers, a
   cancelable-queue helper that takes the cancel routine as a parameter (IoSetCancelRoutine(Irp,
   DriverCancel)), a release helper that re-acquires to check Irp->Cancel, and the generic cancel routine
   also invoked through Irp->CancelRoutine by the queue flush. */
#include <ntddk.h>

typedef NTSTATUS (*KS_DISPATCH_FN)(PDEVICE_OBJECT, PIRP);

typedef struct _KS_DISPATCH_TABLE {
    KS_DISPATCH_FN DeviceIoControl;
    KS_DISPATCH_FN Read;
    KS_DISPATCH_FN Close;
} KS_DISPATCH_TABLE;

typedef struct _KS_OBJECT_HEADER {
    const KS_DISPATCH_TABLE *Dispatch;
    LIST_ENTRY IrpQueue;
    KSPIN_LOCK QueueLock;
    ULONG Queued;
} KS_OBJECT_HEADER, *PKS_OBJECT_HEADER;

static PKS_OBJECT_HEADER KsHeaderOf(PIRP Irp)
{
    return IoGetCurrentIrpStackLocation(Irp)->FileObject->FsContext;
}

VOID KsCancelRoutine(IN PDEVICE_OBJECT DeviceObject, IN PIRP Irp)
{
    PKS_OBJECT_HEADER header = KsHeaderOf(Irp);
    UNREFERENCED_PARAMETER(DeviceObject);
    if (!IsListEmpty(&Irp->Tail.Overlay.ListEntry)) {
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        header->Queued--;
    }
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static VOID KsAddIrpToCancelableQueue(PKS_OBJECT_HEADER Header, PIRP Irp, PDRIVER_CANCEL DriverCancel)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    InsertTailList(&Header->IrpQueue, &Irp->Tail.Overlay.ListEntry);
    Header->Queued++;
    IoSetCancelRoutine(Irp, DriverCancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        Header->Queued--;
        IoReleaseCancelSpinLock(irql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return;
    }
    IoReleaseCancelSpinLock(irql);
}

static PIRP KsRemoveIrpFromCancelableQueue(PKS_OBJECT_HEADER Header)
{
    KIRQL irql;
    PIRP irp = NULL;
    IoAcquireCancelSpinLock(&irql);
    if (!IsListEmpty(&Header->IrpQueue)) {
        irp = CONTAINING_RECORD(Header->IrpQueue.Flink, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL) != NULL) {
            RemoveEntryList(&irp->Tail.Overlay.ListEntry);
            InitializeListHead(&irp->Tail.Overlay.ListEntry);
            Header->Queued--;
        } else {
            irp = NULL;
        }
    }
    IoReleaseCancelSpinLock(irql);
    return irp;
}

/* Puts an IRP back; if it was cancelled meanwhile, runs its cancel routine with the lock held. */
static VOID KsReleaseIrpOnCancelableQueue(PKS_OBJECT_HEADER Header, PIRP Irp, PDRIVER_CANCEL DriverCancel)
{
    KIRQL irql;
    PDRIVER_CANCEL routine;
    IoAcquireCancelSpinLock(&irql);
    InsertHeadList(&Header->IrpQueue, &Irp->Tail.Overlay.ListEntry);
    Header->Queued++;
    IoSetCancelRoutine(Irp, DriverCancel);
    if (Irp->Cancel) {
        routine = IoSetCancelRoutine(Irp, NULL);
        if (routine) {
            Irp->CancelIrql = irql;
            routine(IoGetCurrentIrpStackLocation(Irp)->DeviceObject, Irp);
            return;
        }
    }
    IoReleaseCancelSpinLock(irql);
}

static VOID KsCancelIo(PKS_OBJECT_HEADER Header, PDEVICE_OBJECT DeviceObject)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    while (!IsListEmpty(&Header->IrpQueue)) {
        PIRP irp = CONTAINING_RECORD(Header->IrpQueue.Flink, IRP, Tail.Overlay.ListEntry);
        PDRIVER_CANCEL routine = IoSetCancelRoutine(irp, NULL);
        irp->Cancel = TRUE;
        if (routine) {
            irp->CancelIrql = irql;
            routine(DeviceObject, irp);
        } else {
            RemoveEntryList(&irp->Tail.Overlay.ListEntry);
            InitializeListHead(&irp->Tail.Overlay.ListEntry);
            IoReleaseCancelSpinLock(irql);
        }
        IoAcquireCancelSpinLock(&irql);
    }
    IoReleaseCancelSpinLock(irql);
}

static NTSTATUS PinRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoMarkIrpPending(Irp);
    KsAddIrpToCancelableQueue(KsHeaderOf(Irp), Irp, KsCancelRoutine);
    return STATUS_PENDING;
}

static NTSTATUS PinIoControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKS_OBJECT_HEADER header = KsHeaderOf(Irp);
    PIRP data = KsRemoveIrpFromCancelableQueue(header);
    UNREFERENCED_PARAMETER(DeviceObject);
    if (data) {
        if (IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode == 0) {
            KsReleaseIrpOnCancelableQueue(header, data, KsCancelRoutine);
        } else {
            data->IoStatus.Status = STATUS_SUCCESS;
            IoCompleteRequest(data, IO_NO_INCREMENT);
        }
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS PinClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KsCancelIo(KsHeaderOf(Irp), DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static const KS_DISPATCH_TABLE PinDispatch = { PinIoControl, PinRead, PinClose };

static NTSTATUS KsDispatchIrp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKS_OBJECT_HEADER header = KsHeaderOf(Irp);
    switch (IoGetCurrentIrpStackLocation(Irp)->MajorFunction) {
    case IRP_MJ_DEVICE_CONTROL: return header->Dispatch->DeviceIoControl(DeviceObject, Irp);
    case IRP_MJ_READ: return header->Dispatch->Read(DeviceObject, Irp);
    case IRP_MJ_CLOSE: return header->Dispatch->Close(DeviceObject, Irp);
    default: break;
    }
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

NTSTATUS KsCreatePin(PKS_OBJECT_HEADER Header)
{
    Header->Dispatch = &PinDispatch;
    InitializeListHead(&Header->IrpQueue);
    Header->Queued = 0;
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] =
        DriverObject->MajorFunction[IRP_MJ_READ] =
        DriverObject->MajorFunction[IRP_MJ_CLOSE] = KsDispatchIrp;
    return STATUS_SUCCESS;
}
