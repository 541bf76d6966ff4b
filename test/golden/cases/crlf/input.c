#include "wdm-lite.h"

DRIVER_CANCEL CancelCrlf;

VOID CancelCrlf(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}
