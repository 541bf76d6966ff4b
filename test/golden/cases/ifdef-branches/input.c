#include "wdm-lite.h"

DRIVER_DISPATCH DispatchRead;

#ifdef USE_SAVED_IRQL
NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&Irp->CancelIrql);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    return STATUS_SUCCESS;
}
#else
NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
#if 1
    IoAcquireCancelSpinLock(&irql);
#endif
    (void)Irp;
    IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}
#endif
