#include "prelude.h"
#include <setjmp.h>
DRIVER_DISPATCH JumpsAway;
DRIVER_DISPATCH CallsPointer;
DRIVER_DISPATCH BugChecks;
static jmp_buf env;
static void (*hook)(PEXT);

/* longjmp leaves by a path the analysis cannot see: not analysed, not a finding. */
NTSTATUS JumpsAway(PDEVICE_OBJECT dev, PIRP irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    if (irp->Cancel)
        longjmp(env, 1);
    IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}

/* An unknown function pointer called while holding the lock could release it: not analysed. */
NTSTATUS CallsPointer(PDEVICE_OBJECT dev, PIRP irp)
{
    PEXT ext = dev->DeviceExtension;
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    hook(ext);
    return STATUS_SUCCESS;
}

/* The error path does not return: no exit holds the lock. */
NTSTATUS BugChecks(PDEVICE_OBJECT dev, PIRP irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    if (irp->Cancel)
        KeBugCheckEx(0x44, 0, 0, 0, 0);
    IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}
