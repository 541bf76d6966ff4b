#include "wdm-lite.h"

DRIVER_DISPATCH DispatchControl;

NTSTATUS DispatchControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    switch (Irp->Status) {
    case 0:
        IoAcquireCancelSpinLock(&irql);
        IoReleaseCancelSpinLock(irql);
        return STATUS_SUCCESS;
    case 1:
        return STATUS_PENDING;
    default:
        break;
    }
    return STATUS_CANCELLED;
}
