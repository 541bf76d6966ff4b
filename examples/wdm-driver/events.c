/* events.c: event waiters in a cancel-safe queue (IoCsq*), and the statistics snapshot. */
#include "wdmsample.h"

#define WDS_EXT(csq) CONTAINING_RECORD(csq, WDS_EXTENSION, EventCsq)

static VOID NTAPI WdsCsqInsert(PIO_CSQ Csq, PIRP Irp)
{
    InsertTailList(&WDS_EXT(Csq)->EventQueue, &Irp->Tail.Overlay.ListEntry);
}

static VOID NTAPI WdsCsqRemove(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
}

/* The next waiter after Irp (from the head when Irp is NULL); PeekContext, when set, is a file object. */
static PIRP NTAPI WdsCsqPeekNext(PIO_CSQ Csq, PIRP Irp, PVOID PeekContext)
{
    PLIST_ENTRY head = &WDS_EXT(Csq)->EventQueue;
    PLIST_ENTRY entry = Irp != NULL ? Irp->Tail.Overlay.ListEntry.Flink : head->Flink;

    for (; entry != head; entry = entry->Flink) {
        PIRP next = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (PeekContext == NULL || IoGetCurrentIrpStackLocation(next)->FileObject == (PFILE_OBJECT)PeekContext)
            return next;
    }
    return NULL;
}

static VOID NTAPI WdsCsqAcquireLock(PIO_CSQ Csq, PKIRQL Irql)
{
    KeAcquireSpinLock(&WDS_EXT(Csq)->EventLock, Irql);
}

static VOID NTAPI WdsCsqReleaseLock(PIO_CSQ Csq, KIRQL Irql)
{
    KeReleaseSpinLock(&WDS_EXT(Csq)->EventLock, Irql);
}

static VOID NTAPI WdsCsqCompleteCanceled(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    WdsCompleteRequest(Irp, STATUS_CANCELLED, 0);
}

VOID WdsInitializeEvents(PWDS_EXTENSION Extension)
{
    InitializeListHead(&Extension->EventQueue);
    KeInitializeSpinLock(&Extension->EventLock);
    IoCsqInitialize(&Extension->EventCsq, WdsCsqInsert, WdsCsqRemove, WdsCsqPeekNext, WdsCsqAcquireLock,
                    WdsCsqReleaseLock, WdsCsqCompleteCanceled);
}

NTSTATUS WdsWaitEvent(PWDS_EXTENSION Extension, PIRP Irp)
{
    IoCsqInsertIrp(&Extension->EventCsq, Irp, NULL);
    return STATUS_PENDING;
}

/* Completes the waiters (of FileObject, or all) with Status; returns how many. */
ULONG WdsSignalEvents(PWDS_EXTENSION Extension, NTSTATUS Status, PFILE_OBJECT FileObject)
{
    ULONG n = 0;
    PIRP irp;

    while ((irp = IoCsqRemoveNextIrp(&Extension->EventCsq, FileObject)) != NULL) {
        WdsCompleteRequest(irp, Status, 0);
        n++;
    }
    return n;
}

/* The statistics are updated under the cancel spin lock (by the cancel routine and the DPC), Events under the
   device lock (the signal IOCTL): the cancel lock is taken inside the device lock. */
static VOID WdsSnapshotStats(PWDS_EXTENSION Extension, PWDS_STATS Copy)
{
    KIRQL lockIrql, irql;

    KeAcquireSpinLock(&Extension->DeviceLock, &lockIrql);
    IoAcquireCancelSpinLock(&irql);
    *Copy = Extension->Stats;
    IoReleaseCancelSpinLock(irql);
    KeReleaseSpinLock(&Extension->DeviceLock, lockIrql);
}

NTSTATUS WdsQueryStats(PWDS_EXTENSION Extension, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    WDS_STATS copy;

    if (sp->Parameters.DeviceIoControl.OutputBufferLength < sizeof(WDS_STATS))
        return STATUS_BUFFER_TOO_SMALL;
    WdsSnapshotStats(Extension, &copy);
    RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, &copy, sizeof copy);
    Irp->IoStatus.Information = sizeof copy;
    return STATUS_SUCCESS;
}
