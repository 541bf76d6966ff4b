#include "wdm-lite.h"

DRIVER_DISPATCH DispatchCleanup;

NTSTATUS DispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    int i;
    (void)DeviceObject;
    for (IoAcquireCancelSpinLock(&irql), i = 0; i < 3; i++) {
        IoReleaseCancelSpinLock(irql);
        IoAcquireCancelSpinLock(&irql);
    }
    while (Irp->Cancel) IoReleaseCancelSpinLock(irql), IoAcquireCancelSpinLock(&irql);
    do IoReleaseCancelSpinLock(irql); while (0);
    return STATUS_SUCCESS;
}
