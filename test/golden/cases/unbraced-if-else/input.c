#include "wdm-lite.h"

DRIVER_DISPATCH DispatchWrite;

NTSTATUS DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    if (Irp->Cancel) IoAcquireCancelSpinLock(&irql); else IoAcquireCancelSpinLock(&Irp->CancelIrql);
    if (Irp->Cancel)
        IoReleaseCancelSpinLock(irql);
    else
        IoReleaseCancelSpinLock(Irp->CancelIrql);
    if (Irp->Status) return Irp->Status; else return STATUS_PENDING;
}
