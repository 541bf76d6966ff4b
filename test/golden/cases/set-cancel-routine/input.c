#include "wdm-lite.h"

static VOID QueueCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, 0);
}

NTSTATUS QueueIrp(PIRP Irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(irql);
        return STATUS_CANCELLED;
    }
    IoSetCancelRoutine(Irp, QueueCancel);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}
