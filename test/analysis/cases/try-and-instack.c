#include "prelude.h"
DRIVER_DISPATCH TryGood;
DRIVER_DISPATCH InStackGood;
DRIVER_DISPATCH InStackBad;

NTSTATUS TryGood(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    if (!KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock))
        return STATUS_PENDING;
    ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    return STATUS_SUCCESS;
}

NTSTATUS InStackGood(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KLOCK_QUEUE_HANDLE h;
    KeAcquireInStackQueuedSpinLock(&ext->Lock, &h);
    ext->Count++;
    KeReleaseInStackQueuedSpinLock(&h);
    return STATUS_SUCCESS;
}

NTSTATUS InStackBad(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KLOCK_QUEUE_HANDLE h;
    KeAcquireInStackQueuedSpinLock(&ext->Lock, &h);
    if (ext->Count > 10)
        return STATUS_PENDING;
    ext->Count++;
    KeReleaseInStackQueuedSpinLock(&h);
    return STATUS_SUCCESS;
}
