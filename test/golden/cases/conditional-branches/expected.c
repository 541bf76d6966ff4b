#include "wdm-lite.h"

/* Code split across preprocessor branches: tree-sitter cannot parse the braces as written, so
   spincheck parses the first-branch view for these functions. DBG is not defined here: the
   compiler takes the #else branches. */
DRIVER_CANCEL CancelSplit;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 7

VOID CancelSplit(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 2, CancelSplit, (int)(Irp)->CancelIrql)
    (void)DeviceObject;
#if DBG
    if (Irp->Cancel) {
#else
    if (Irp->Status == STATUS_PENDING) {
#endif
        Irp->Status = STATUS_CANCELLED;
    }
    IoReleaseCancelSpinLock(SPINCHECK_REL(2, Irp->CancelIrql));
SPINCHECK_END(3) }

DRIVER_DISPATCH DispatchAfter;

NTSTATUS DispatchAfter(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(4, 5, 1, DispatchAfter, -1)
    KIRQL irql;
    (void)DeviceObject;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(6, &irql)), SPINCHECK_ACQ_POST(6));
#ifdef DBG
    if (Irp->Cancel) { IoReleaseCancelSpinLock(SPINCHECK_REL(7, irql)); { SPINCHECK_RET(8) return STATUS_CANCELLED; } }
#else
    if (Irp->Cancel) { IoReleaseCancelSpinLock(SPINCHECK_REL(9, irql)); return STATUS_CANCELLED; }
#endif
    IoReleaseCancelSpinLock(SPINCHECK_REL(10, irql));
    { SPINCHECK_RET(11) return STATUS_SUCCESS; }
}

static spincheck_u64 spincheck_hits_[12];
static spincheck_u64 spincheck_held_[12];
static const struct spincheck_site spincheck_sites_[12] = {
  {3u, 8u, 1u, "CancelSplit"},
  {4u, 8u, 1u, "CancelSplit"},
  {2u, 18u, 5u, "CancelSplit"},
  {4u, 19u, 1u, "CancelSplit"},
  {3u, 23u, 1u, "DispatchAfter"},
  {4u, 23u, 1u, "DispatchAfter"},
  {1u, 27u, 5u, "DispatchAfter"},
  {2u, 29u, 24u, "DispatchAfter"},
  {4u, 29u, 55u, "DispatchAfter"},
  {2u, 31u, 24u, "DispatchAfter"},
  {2u, 33u, 5u, "DispatchAfter"},
  {4u, 34u, 5u, "DispatchAfter"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 12u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
