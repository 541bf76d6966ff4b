#include "wdm-lite.h"

DRIVER_DISPATCH DispatchSeh;

NTSTATUS DispatchSeh(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    NTSTATUS status = STATUS_SUCCESS;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
    __try {
        if (Irp->Cancel) {
            status = STATUS_CANCELLED;
            __leave;
        }
        Irp->Status = STATUS_PENDING;
    } __finally {
        IoReleaseCancelSpinLock(irql);
    }
    return status;
}
