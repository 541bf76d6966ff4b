#include "prelude.h"
DRIVER_DISPATCH FinallyGood;
DRIVER_DISPATCH LeaveBad;

NTSTATUS FinallyGood(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    __try {
        if (irp->Cancel)
            return STATUS_CANCELLED;
        ext->Count++;
    } __finally {
        KeReleaseSpinLock(&ext->Lock, irql);
    }
    return STATUS_SUCCESS;
}

NTSTATUS LeaveBad(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    __try {
        KeAcquireSpinLock(&ext->Lock, &irql);
        if (irp->Cancel)
            __leave;
        KeReleaseSpinLock(&ext->Lock, irql);
    } __finally {
        ext->Count++;
    }
    return STATUS_SUCCESS;
}
