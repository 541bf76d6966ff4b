/* Call stacks through two helper levels: a dispatch routine calls a helper that calls the helper with the bug
   (a double acquire; a release of the free lock). Markers name the lines the report must show. */
#include "wdm_user.h"

DRIVER_DISPATCH DispatchRead;
DRIVER_DISPATCH DispatchWrite;

/* noinline: at -O2 gcc and clang inline these small static helpers into their callers, and the call stack would
   show one frame where the source has three. Each call is followed by more work, so no call is a tail call (a
   tail call leaves no frame for any unwinder). */
#define HELPER static __attribute__((noinline))

HELPER void AcquireAgain(PIRP Irp)
{
    IoAcquireCancelSpinLock(&Irp->CancelIrql); /* DOUBLE */
}

HELPER void LockAndRetry(PIRP Irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    AcquireAgain(Irp); /* CALL-AGAIN */
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    IoReleaseCancelSpinLock(irql);
}

HELPER void ReleaseUnheld(PIRP Irp)
{
    IoReleaseCancelSpinLock(Irp->CancelIrql); /* UNHELD */
}

HELPER void CompleteLocked(PIRP Irp)
{
    ReleaseUnheld(Irp); /* CALL-UNHELD */
    Irp->IoStatus.Information = 0;
}

NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    LockAndRetry(Irp); /* CALL-RETRY */
    return STATUS_SUCCESS;
}

NTSTATUS DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    CompleteLocked(Irp); /* CALL-COMPLETE */
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = DispatchWrite;
    return STATUS_SUCCESS;
}
