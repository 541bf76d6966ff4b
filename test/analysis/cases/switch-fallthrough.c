#include "prelude.h"
DRIVER_DISPATCH SwitchGood;
DRIVER_DISPATCH SwitchBad;

NTSTATUS SwitchGood(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    switch (ext->Count) {
    case 0:
        ext->Current = irp;
        /* fall through */
    case 1:
        ext->Count++;
        KeReleaseSpinLock(&ext->Lock, irql);
        break;
    default:
        KeReleaseSpinLock(&ext->Lock, irql);
        return STATUS_PENDING;
    }
    return STATUS_SUCCESS;
}

NTSTATUS SwitchBad(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    switch (ext->Count) {
    case 0:
        ext->Current = irp;
        KeReleaseSpinLock(&ext->Lock, irql);
        break;
    case 1:
        ext->Count++;
        break;
    default:
        KeReleaseSpinLock(&ext->Lock, irql);
        break;
    }
    return STATUS_SUCCESS;
}
