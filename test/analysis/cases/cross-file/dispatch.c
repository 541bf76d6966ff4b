#include "../prelude.h"
DRIVER_DISPATCH StartNext;
DRIVER_DISPATCH StartOther;
DRIVER_DISPATCH StartDpc;
void CompleteLocked(PEXT ext, KIRQL irql);
void CountLocked(PEXT ext);
void UnlockDpc(PEXT ext);

/* The release is in another file (CompleteLocked, in helpers.c): no finding once its summary is known. */
NTSTATUS StartNext(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    ext->Current = irp;
    CompleteLocked(ext, irql);
    return STATUS_SUCCESS;
}

/* CountLocked does not release: the exit holds the lock. */
NTSTATUS StartOther(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    CountLocked(ext);
    return STATUS_SUCCESS;
}

/* The device lock is released by UnlockDpc in helpers.c (its summary names the lock through its parameter). */
NTSTATUS StartDpc(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Count++;
    UnlockDpc(ext);
    return STATUS_SUCCESS;
}
