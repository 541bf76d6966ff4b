#include "wdm-lite.h"

DRIVER_DISPATCH DispatchControl;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

NTSTATUS DispatchControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, DispatchControl, -1)
    KIRQL irql;
    (void)DeviceObject;
    switch (Irp->Status) {
    case 0:
        (IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &irql)), SPINCHECK_ACQ_POST(2));
        IoReleaseCancelSpinLock(SPINCHECK_REL(3, irql));
        { SPINCHECK_RET(4) return STATUS_SUCCESS; }
    case 1:
        { SPINCHECK_RET(5) return STATUS_PENDING; }
    default:
        break;
    }
    { SPINCHECK_RET(6) return STATUS_CANCELLED; }
}

static spincheck_u64 spincheck_hits_[7];
static spincheck_u64 spincheck_held_[7];
static const struct spincheck_site spincheck_sites_[7] = {
  {3u, 5u, 1u, "DispatchControl"},
  {4u, 5u, 1u, "DispatchControl"},
  {1u, 11u, 9u, "DispatchControl"},
  {2u, 12u, 9u, "DispatchControl"},
  {4u, 13u, 9u, "DispatchControl"},
  {4u, 15u, 9u, "DispatchControl"},
  {4u, 19u, 5u, "DispatchControl"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 7u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
