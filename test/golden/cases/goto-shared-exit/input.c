#include "wdm-lite.h"

DRIVER_DISPATCH DispatchGoto;

NTSTATUS DispatchGoto(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    NTSTATUS status = STATUS_SUCCESS;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
    if (Irp->Cancel) {
        status = STATUS_CANCELLED;
        goto out;
    }
    if (Irp->Status != STATUS_SUCCESS)
        goto out;
    Irp->Status = STATUS_PENDING;
out:
    IoReleaseCancelSpinLock(irql);
    return status;
}

DRIVER_CANCEL CancelGoto;

VOID CancelGoto(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    if (Irp->Cancel)
        goto done;
    Irp->Status = STATUS_CANCELLED;
done:
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}
