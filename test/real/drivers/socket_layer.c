/* Socket-layer style (an AFD-like transport): pending receives and the endpoint cleanup; the cleanup
   dispatch routine takes the cancel lock and calls the cancel routine directly, which releases it; a
   connection list protected by the driver's own spin lock, inside which the cancel lock is taken. */
#include <ntddk.h>

typedef struct _ENDPOINT {
    KSPIN_LOCK Lock;
    LIST_ENTRY ReceiveQueue;
    LIST_ENTRY Link;
    BOOLEAN Closing;
} ENDPOINT, *PENDPOINT;

static LIST_ENTRY EndpointList;
static KSPIN_LOCK EndpointListLock;

VOID AfdCancelReceive(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PENDPOINT ep = Irp->Tail.Overlay.DriverContext[0];
    KIRQL irql;
    UNREFERENCED_PARAMETER(DeviceObject);
    KeAcquireSpinLock(&ep->Lock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ep->Lock, irql);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NETWORK_INCREMENT);
}

static NTSTATUS AfdReceive(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PENDPOINT ep = IoGetCurrentIrpStackLocation(Irp)->FileObject->FsContext;
    KIRQL cancelIrql;
    KIRQL irql;
    UNREFERENCED_PARAMETER(DeviceObject);
    IoAcquireCancelSpinLock(&cancelIrql);
    KeAcquireSpinLockAtDpcLevel(&ep->Lock);
    if (ep->Closing || Irp->Cancel) {
        KeReleaseSpinLockFromDpcLevel(&ep->Lock);
        IoReleaseCancelSpinLock(cancelIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    Irp->Tail.Overlay.DriverContext[0] = ep;
    IoMarkIrpPending(Irp);
    InsertTailList(&ep->ReceiveQueue, &Irp->Tail.Overlay.ListEntry);
    IoSetCancelRoutine(Irp, AfdCancelReceive);
    KeReleaseSpinLockFromDpcLevel(&ep->Lock);
    IoReleaseCancelSpinLock(cancelIrql);
    (void)irql;
    return STATUS_PENDING;
}

static NTSTATUS AfdCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PENDPOINT ep = IoGetCurrentIrpStackLocation(Irp)->FileObject->FsContext;
    KIRQL listIrql;
    KIRQL cancelIrql;
    KeAcquireSpinLock(&EndpointListLock, &listIrql);
    RemoveEntryList(&ep->Link);
    KeReleaseSpinLock(&EndpointListLock, listIrql);
    ep->Closing = TRUE;
    for (;;) {
        PIRP pending;
        IoAcquireCancelSpinLock(&cancelIrql);
        if (IsListEmpty(&ep->ReceiveQueue)) {
            IoReleaseCancelSpinLock(cancelIrql);
            break;
        }
        pending = CONTAINING_RECORD(ep->ReceiveQueue.Flink, IRP, Tail.Overlay.ListEntry);
        IoSetCancelRoutine(pending, NULL);
        pending->CancelIrql = cancelIrql;
        AfdCancelReceive(DeviceObject, pending);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    InitializeListHead(&EndpointList);
    KeInitializeSpinLock(&EndpointListLock);
    DriverObject->MajorFunction[IRP_MJ_READ] = AfdReceive;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = AfdCleanup;
    return STATUS_SUCCESS;
}
