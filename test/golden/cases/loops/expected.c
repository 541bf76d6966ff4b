#include "wdm-lite.h"

DRIVER_DISPATCH DispatchCleanup;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

NTSTATUS DispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, DispatchCleanup, -1)
    KIRQL irql;
    int i;
    (void)DeviceObject;
    for ((IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &irql)), SPINCHECK_ACQ_POST(2)), i = 0; i < 3; i++) {
        IoReleaseCancelSpinLock(SPINCHECK_REL(3, irql));
        (IoAcquireCancelSpinLock(SPINCHECK_ACQ(4, &irql)), SPINCHECK_ACQ_POST(4));
    }
    while (Irp->Cancel) IoReleaseCancelSpinLock(SPINCHECK_REL(5, irql)), (IoAcquireCancelSpinLock(SPINCHECK_ACQ(6, &irql)), SPINCHECK_ACQ_POST(6));
    do IoReleaseCancelSpinLock(SPINCHECK_REL(7, irql)); while (0);
    { SPINCHECK_RET(8) return STATUS_SUCCESS; }
}

static spincheck_u64 spincheck_hits_[9];
static spincheck_u64 spincheck_held_[9];
static const struct spincheck_site spincheck_sites_[9] = {
  {3u, 5u, 1u, "DispatchCleanup"},
  {4u, 5u, 1u, "DispatchCleanup"},
  {1u, 10u, 10u, "DispatchCleanup"},
  {2u, 11u, 9u, "DispatchCleanup"},
  {1u, 12u, 9u, "DispatchCleanup"},
  {2u, 14u, 25u, "DispatchCleanup"},
  {1u, 14u, 56u, "DispatchCleanup"},
  {2u, 15u, 8u, "DispatchCleanup"},
  {4u, 16u, 5u, "DispatchCleanup"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 9u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
