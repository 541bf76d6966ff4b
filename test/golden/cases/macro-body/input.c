#include "wdm-lite.h"

#define LOCK_QUEUE(p) IoAcquireCancelSpinLock(p)
#define UNLOCK_QUEUE(i) do { IoReleaseCancelSpinLock(i); } while (0)
#define CHECK_CANCEL(irp) if ((irp)->Cancel) return STATUS_CANCELLED

DRIVER_DISPATCH DispatchRead;

NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    CHECK_CANCEL(Irp);
    LOCK_QUEUE(&irql);
    UNLOCK_QUEUE(irql);
    return STATUS_SUCCESS;
}
