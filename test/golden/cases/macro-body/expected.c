#include "wdm-lite.h"
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 2

#define LOCK_QUEUE(p) (IoAcquireCancelSpinLock(SPINCHECK_ACQ(0, p)), SPINCHECK_ACQ_POST(0))
#define UNLOCK_QUEUE(i) do { IoReleaseCancelSpinLock(SPINCHECK_REL(1, i)); } while (0)
#define CHECK_CANCEL(irp) if ((irp)->Cancel) return STATUS_CANCELLED

DRIVER_DISPATCH DispatchRead;

NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(2, 3, 1, DispatchRead, -1)
    KIRQL irql;
    (void)DeviceObject;
    { SPINCHECK_RET(4) CHECK_CANCEL(Irp); }
    LOCK_QUEUE(&irql);
    UNLOCK_QUEUE(irql);
    { SPINCHECK_RET(5) return STATUS_SUCCESS; }
}

static spincheck_u64 spincheck_hits_[6];
static spincheck_u64 spincheck_held_[6];
static const struct spincheck_site spincheck_sites_[6] = {
  {1u, 3u, 23u, 0},
  {2u, 4u, 30u, 0},
  {3u, 9u, 1u, "DispatchRead"},
  {4u, 9u, 1u, "DispatchRead"},
  {4u, 13u, 5u, "DispatchRead"},
  {4u, 16u, 5u, "DispatchRead"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 6u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
