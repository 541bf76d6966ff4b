#include "wdm-lite.h"

DRIVER_DISPATCH DispatchRead;

NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
    Irp->Status = STATUS_SUCCESS;
    IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}
