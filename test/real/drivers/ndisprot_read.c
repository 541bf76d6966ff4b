/* NDIS protocol read path (ndisprot style): pending reads kept under the open context's own spin lock,
   IoSetCancelRoutine inside a queueing helper, a cancel routine that releases the cancel lock first and
   then takes the driver's lock; received packets complete reads only when IoSetCancelRoutine(.., NULL)
   wins the race. */
#include <ntddk.h>

#define NPROT_TAG 0x7470734eUL

typedef struct _NPROT_OPEN_CONTEXT {
    KSPIN_LOCK Lock;
    LIST_ENTRY PendedReads;
    ULONG PendedReadCount;
    LIST_ENTRY RecvPktQueue;
    ULONG RecvPktCount;
    BOOLEAN Bound;
} NPROT_OPEN_CONTEXT, *PNPROT_OPEN_CONTEXT;

typedef struct _NPROT_RECV_PACKET {
    LIST_ENTRY Link;
    ULONG Length;
    UCHAR Data[1514];
} NPROT_RECV_PACKET, *PNPROT_RECV_PACKET;

#define NPROT_ACQUIRE_LOCK(ctx, irql) KeAcquireSpinLock(&(ctx)->Lock, (irql))
#define NPROT_RELEASE_LOCK(ctx, irql) KeReleaseSpinLock(&(ctx)->Lock, (irql))

VOID NdisprotCancelRead(IN PDEVICE_OBJECT pDeviceObject, IN PIRP pIrp);

static VOID NdisprotQueueReadLocked(PNPROT_OPEN_CONTEXT pOpen, PIRP pIrp)
{
    IoMarkIrpPending(pIrp);
    InsertTailList(&pOpen->PendedReads, &pIrp->Tail.Overlay.ListEntry);
    pOpen->PendedReadCount++;
    pIrp->Tail.Overlay.DriverContext[0] = pOpen;
    IoSetCancelRoutine(pIrp, NdisprotCancelRead);
}

static NTSTATUS NdisprotRead(IN PDEVICE_OBJECT pDeviceObject, IN PIRP pIrp)
{
    PIO_STACK_LOCATION pIrpSp = IoGetCurrentIrpStackLocation(pIrp);
    PNPROT_OPEN_CONTEXT pOpen = pIrpSp->FileObject->FsContext;
    KIRQL oldIrql;
    NTSTATUS status = STATUS_PENDING;
    UNREFERENCED_PARAMETER(pDeviceObject);
    NPROT_ACQUIRE_LOCK(pOpen, &oldIrql);
    if (!pOpen->Bound) {
        status = STATUS_INVALID_HANDLE;
    } else {
        NdisprotQueueReadLocked(pOpen, pIrp);
    }
    NPROT_RELEASE_LOCK(pOpen, oldIrql);
    if (status != STATUS_PENDING) {
        pIrp->IoStatus.Status = status;
        IoCompleteRequest(pIrp, IO_NO_INCREMENT);
    }
    return status;
}

VOID NdisprotCancelRead(IN PDEVICE_OBJECT pDeviceObject, IN PIRP pIrp)
{
    PNPROT_OPEN_CONTEXT pOpen = pIrp->Tail.Overlay.DriverContext[0];
    KIRQL oldIrql;
    BOOLEAN found = FALSE;
    PLIST_ENTRY e;
    UNREFERENCED_PARAMETER(pDeviceObject);
    IoReleaseCancelSpinLock(pIrp->CancelIrql);
    NPROT_ACQUIRE_LOCK(pOpen, &oldIrql);
    for (e = pOpen->PendedReads.Flink; e != &pOpen->PendedReads; e = e->Flink) {
        if (e == &pIrp->Tail.Overlay.ListEntry) {
            RemoveEntryList(e);
            pOpen->PendedReadCount--;
            found = TRUE;
            break;
        }
    }
    NPROT_RELEASE_LOCK(pOpen, oldIrql);
    if (found) {
        pIrp->IoStatus.Status = STATUS_CANCELLED;
        pIrp->IoStatus.Information = 0;
        IoCompleteRequest(pIrp, IO_NO_INCREMENT);
    }
}

/* Matches queued packets with pended reads. */
VOID NdisprotServiceReads(PNPROT_OPEN_CONTEXT pOpen)
{
    KIRQL oldIrql;
    NPROT_ACQUIRE_LOCK(pOpen, &oldIrql);
    while (!IsListEmpty(&pOpen->PendedReads) && !IsListEmpty(&pOpen->RecvPktQueue)) {
        PLIST_ENTRY pIrpEntry = pOpen->PendedReads.Flink;
        PIRP pIrp = CONTAINING_RECORD(pIrpEntry, IRP, Tail.Overlay.ListEntry);
        PNPROT_RECV_PACKET pkt;
        if (IoSetCancelRoutine(pIrp, NULL) == NULL) {
            /* The cancel routine is about to run and will dequeue it. */
            pIrpEntry = pIrpEntry->Flink;
            break;
        }
        RemoveEntryList(pIrpEntry);
        pOpen->PendedReadCount--;
        pkt = CONTAINING_RECORD(RemoveHeadList(&pOpen->RecvPktQueue), NPROT_RECV_PACKET, Link);
        pOpen->RecvPktCount--;
        NPROT_RELEASE_LOCK(pOpen, oldIrql);
        pIrp->IoStatus.Status = STATUS_SUCCESS;
        pIrp->IoStatus.Information = pkt->Length;
        IoCompleteRequest(pIrp, IO_NETWORK_INCREMENT);
        ExFreePoolWithTag(pkt, NPROT_TAG);
        NPROT_ACQUIRE_LOCK(pOpen, &oldIrql);
    }
    NPROT_RELEASE_LOCK(pOpen, oldIrql);
}

/* Unbind: cancel every pended read; IoCancelIrp calls the cancel routine holding the cancel lock. */
VOID NdisprotCancelPendingReads(PNPROT_OPEN_CONTEXT pOpen)
{
    KIRQL oldIrql;
    NPROT_ACQUIRE_LOCK(pOpen, &oldIrql);
    while (!IsListEmpty(&pOpen->PendedReads)) {
        PIRP pIrp = CONTAINING_RECORD(pOpen->PendedReads.Flink, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(pIrp, NULL)) {
            RemoveEntryList(&pIrp->Tail.Overlay.ListEntry);
            pOpen->PendedReadCount--;
            NPROT_RELEASE_LOCK(pOpen, oldIrql);
            pIrp->IoStatus.Status = STATUS_CANCELLED;
            IoCompleteRequest(pIrp, IO_NO_INCREMENT);
            NPROT_ACQUIRE_LOCK(pOpen, &oldIrql);
        } else {
            NPROT_RELEASE_LOCK(pOpen, oldIrql);
            KeStallExecutionProcessor(10);
            NPROT_ACQUIRE_LOCK(pOpen, &oldIrql);
        }
    }
    NPROT_RELEASE_LOCK(pOpen, oldIrql);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_READ] = NdisprotRead;
    return STATUS_SUCCESS;
}
