#include "prelude.h"
DRIVER_DISPATCH QueueRead;
DRIVER_DISPATCH QueueWrite;

/* A "lock and get next" helper: returns holding the queue lock by design (no finding here). */
static PIRP GetNextLocked(PEXT ext, PKIRQL irql)
{
    KeAcquireSpinLock(&ext->Lock, irql);
    return ext->Current;
}

/* Its twin releases the caller's lock (no finding here either). */
static void UnlockQueue(PEXT ext, KIRQL irql)
{
    KeReleaseSpinLock(&ext->Lock, irql);
}

NTSTATUS QueueRead(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    PIRP next = GetNextLocked(ext, &irql);
    if (next == NULL) {
        UnlockQueue(ext, irql);
        return STATUS_SUCCESS;
    }
    ext->Count++;
    UnlockQueue(ext, irql);
    return STATUS_PENDING;
}

NTSTATUS QueueWrite(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    PIRP next = GetNextLocked(ext, &irql);
    if (next == NULL)
        return STATUS_SUCCESS;
    UnlockQueue(ext, irql);
    return STATUS_PENDING;
}
