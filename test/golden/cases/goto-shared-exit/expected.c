#include "wdm-lite.h"

DRIVER_DISPATCH DispatchGoto;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

NTSTATUS DispatchGoto(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, DispatchGoto, -1)
    KIRQL irql;
    NTSTATUS status = STATUS_SUCCESS;
    (void)DeviceObject;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &irql)), SPINCHECK_ACQ_POST(2));
    if (Irp->Cancel) {
        status = STATUS_CANCELLED;
        goto out;
    }
    if (Irp->Status != STATUS_SUCCESS)
        goto out;
    Irp->Status = STATUS_PENDING;
out:
    IoReleaseCancelSpinLock(SPINCHECK_REL(3, irql));
    { SPINCHECK_RET(4) return status; }
}

DRIVER_CANCEL CancelGoto;

VOID CancelGoto(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(5, 6, 2, CancelGoto, (int)(Irp)->CancelIrql)
    (void)DeviceObject;
    if (Irp->Cancel)
        goto done;
    Irp->Status = STATUS_CANCELLED;
done:
    IoReleaseCancelSpinLock(SPINCHECK_REL(7, Irp->CancelIrql));
SPINCHECK_END(8) }

static spincheck_u64 spincheck_hits_[9];
static spincheck_u64 spincheck_held_[9];
static const struct spincheck_site spincheck_sites_[9] = {
  {3u, 5u, 1u, "DispatchGoto"},
  {4u, 5u, 1u, "DispatchGoto"},
  {1u, 10u, 5u, "DispatchGoto"},
  {2u, 19u, 5u, "DispatchGoto"},
  {4u, 20u, 5u, "DispatchGoto"},
  {3u, 25u, 1u, "CancelGoto"},
  {4u, 25u, 1u, "CancelGoto"},
  {2u, 32u, 5u, "CancelGoto"},
  {4u, 33u, 1u, "CancelGoto"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 9u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
