#include "wdm-lite.h"

DRIVER_CANCEL CancelBom;

VOID CancelBom(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}
