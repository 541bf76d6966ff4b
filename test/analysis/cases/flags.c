#include "prelude.h"
DRIVER_DISPATCH FlagGood;
DRIVER_DISPATCH SameCondition;
DRIVER_DISPATCH FlagBad;

NTSTATUS FlagGood(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    BOOLEAN locked = FALSE;
    KIRQL irql;
    if (irp->Cancel) {
        IoAcquireCancelSpinLock(&irql);
        locked = TRUE;
    }
    ext->Count++;
    if (locked)
        IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}

NTSTATUS SameCondition(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    int need = ext->Count > 0;
    KIRQL irql;
    if (need)
        IoAcquireCancelSpinLock(&irql);
    ext->Count = 0;
    if (need)
        IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}

/* The flag is cleared before the release is skipped: the early exit holds the lock. */
NTSTATUS FlagBad(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    BOOLEAN locked = FALSE;
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    locked = TRUE;
    if (ext->Current == irp)
        locked = FALSE;
    if (locked)
        IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}
