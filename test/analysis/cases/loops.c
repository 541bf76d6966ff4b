#include "prelude.h"
DRIVER_DISPATCH CleanupLoop;
DRIVER_DISPATCH LoopBreakBad;

/* Releases and re-acquires around each completion. */
NTSTATUS CleanupLoop(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    while (ext->Current != NULL) {
        PIRP done = ext->Current;
        ext->Current = NULL;
        IoReleaseCancelSpinLock(irql);
        IoCompleteRequest(done, 0);
        IoAcquireCancelSpinLock(&irql);
    }
    IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}

/* Leaves the loop between the release and the re-acquire, then releases again. */
NTSTATUS LoopBreakBad(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    for (;;) {
        PIRP done = ext->Current;
        if (done == NULL)
            break;
        ext->Current = NULL;
        IoReleaseCancelSpinLock(irql);
        if (ext->Count == 0)
            break;
        IoAcquireCancelSpinLock(&irql);
    }
    IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}
