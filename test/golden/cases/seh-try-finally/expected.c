#include "wdm-lite.h"

DRIVER_DISPATCH DispatchSeh;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

NTSTATUS DispatchSeh(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, DispatchSeh, -1)
    KIRQL irql;
    NTSTATUS status = STATUS_SUCCESS;
    (void)DeviceObject;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &irql)), SPINCHECK_ACQ_POST(2));
    __try {
        if (Irp->Cancel) {
            status = STATUS_CANCELLED;
            __leave;
        }
        Irp->Status = STATUS_PENDING;
    } __finally {
        IoReleaseCancelSpinLock(SPINCHECK_REL(3, irql));
    }
    { SPINCHECK_RET(4) return status; }
}

static spincheck_u64 spincheck_hits_[5];
static spincheck_u64 spincheck_held_[5];
static const struct spincheck_site spincheck_sites_[5] = {
  {3u, 5u, 1u, "DispatchSeh"},
  {4u, 5u, 1u, "DispatchSeh"},
  {1u, 10u, 5u, "DispatchSeh"},
  {2u, 18u, 9u, "DispatchSeh"},
  {4u, 20u, 5u, "DispatchSeh"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 5u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
