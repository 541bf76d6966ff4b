#include "prelude.h"
DRIVER_DISPATCH GotoGood;
DRIVER_DISPATCH GotoBad;

NTSTATUS GotoGood(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    if (ext->Current != NULL) {
        status = STATUS_PENDING;
        goto unlock;
    }
    ext->Current = irp;
unlock:
    KeReleaseSpinLock(&ext->Lock, irql);
    return status;
}

NTSTATUS GotoBad(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    if (ext->Current != NULL) {
        status = STATUS_PENDING;
        goto out;
    }
    ext->Current = irp;
    KeReleaseSpinLock(&ext->Lock, irql);
out:
    return status;
}
