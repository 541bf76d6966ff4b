#include "prelude.h"
DRIVER_CANCEL CancelBoth;
DRIVER_CANCEL CancelWorkFirst;
DRIVER_CANCEL CancelForgets;

/* Releases in both branches of an if/else. */
VOID CancelBoth(PDEVICE_OBJECT dev, PIRP Irp)
{
    PEXT ext = dev->DeviceExtension;
    if (ext->Current == Irp) {
        ext->Current = NULL;
        IoReleaseCancelSpinLock(Irp->CancelIrql);
    } else {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
    }
}

/* Does work under the lock first, then releases. */
VOID CancelWorkFirst(PDEVICE_OBJECT dev, PIRP pIrp)
{
    PEXT ext = dev->DeviceExtension;
    ext->Count--;
    IoReleaseCancelSpinLock(pIrp->CancelIrql);
}

/* Returns early without releasing when the IRP is not the current one. */
VOID CancelForgets(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    if (ext->Current != irp)
        return;
    ext->Current = NULL;
    IoReleaseCancelSpinLock(irp->CancelIrql);
}
