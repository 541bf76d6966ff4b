#include "wdm-lite.h"

DRIVER_DISPATCH DispatchQuery;

static NTSTATUS Finish(PIRP Irp, KIRQL irql)
{
    return (IoReleaseCancelSpinLock(irql), Irp->Status);
}

NTSTATUS DispatchQuery(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    Irp->Cancel ? IoAcquireCancelSpinLock(&irql) : IoAcquireCancelSpinLock(&Irp->CancelIrql);
    return Irp->Cancel ? Finish(Irp, irql) : (IoReleaseCancelSpinLock(Irp->CancelIrql), STATUS_PENDING);
}
