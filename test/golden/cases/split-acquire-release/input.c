#include "wdm-lite.h"

static PIRP CurrentIrp;

/* Serial-driver style: the "get next" routine acquires, its locked twin releases. */
static void GetNextIrp(PIRP *Next, KIRQL *Saved)
{
    IoAcquireCancelSpinLock(Saved);
    *Next = CurrentIrp;
    CurrentIrp = 0;
}

static void CompleteLocked(PIRP Irp, KIRQL Saved)
{
    IoReleaseCancelSpinLock(Saved);
    if (Irp) IoCompleteRequest(Irp, 0);
}

DRIVER_DISPATCH DispatchFlush;

NTSTATUS DispatchFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIRP next;
    KIRQL saved;
    (void)DeviceObject;
    (void)Irp;
    GetNextIrp(&next, &saved);
    CompleteLocked(next, saved);
    return STATUS_SUCCESS;
}
