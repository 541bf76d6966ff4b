#include "wdm-lite.h"

/* Code split across preprocessor branches: tree-sitter cannot parse the braces as written, so
   spincheck parses the first-branch view for these functions. DBG is not defined here: the
   compiler takes the #else branches. */
DRIVER_CANCEL CancelSplit;

VOID CancelSplit(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
#if DBG
    if (Irp->Cancel) {
#else
    if (Irp->Status == STATUS_PENDING) {
#endif
        Irp->Status = STATUS_CANCELLED;
    }
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}

DRIVER_DISPATCH DispatchAfter;

NTSTATUS DispatchAfter(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
#ifdef DBG
    if (Irp->Cancel) { IoReleaseCancelSpinLock(irql); return STATUS_CANCELLED; }
#else
    if (Irp->Cancel) { IoReleaseCancelSpinLock(irql); return STATUS_CANCELLED; }
#endif
    IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}
