#include "wdm-lite.h"

DRIVER_CANCEL OldCancel;

VOID OldCancel(DeviceObject, Irp)
    PDEVICE_OBJECT DeviceObject;
    PIRP Irp;
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}
