#include "prelude.h"
DRIVER_DISPATCH TwoLocksGood;

/* The cancel lock inside the device lock, released in either order. */
NTSTATUS TwoLocksGood(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql, cancelIrql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    IoAcquireCancelSpinLock(&cancelIrql);
    if (irp->Cancel) {
        KeReleaseSpinLock(&ext->Lock, irql);
        IoReleaseCancelSpinLock(cancelIrql);
        return STATUS_CANCELLED;
    }
    IoReleaseCancelSpinLock(cancelIrql);
    KeReleaseSpinLock(&ext->Lock, irql);
    return STATUS_SUCCESS;
}

/* A helper that takes a lock twice, and one that releases twice. */
static void TwiceAcquire(PEXT ext)
{
    KIRQL a, b;
    KeAcquireSpinLock(&ext->Other, &a);
    KeAcquireSpinLock(&ext->Other, &b);
    KeReleaseSpinLock(&ext->Other, b);
}

static void TwiceRelease(PEXT ext, KIRQL irql)
{
    KeAcquireSpinLock(&ext->Lock, &irql);
    KeReleaseSpinLock(&ext->Lock, irql);
    if (ext->Count)
        KeReleaseSpinLock(&ext->Lock, irql);
}
