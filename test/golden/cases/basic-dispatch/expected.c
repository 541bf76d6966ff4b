#include "wdm-lite.h"

DRIVER_DISPATCH DispatchRead;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, DispatchRead, -1)
    KIRQL irql;
    (void)DeviceObject;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &irql)), SPINCHECK_ACQ_POST(2));
    Irp->Status = STATUS_SUCCESS;
    IoReleaseCancelSpinLock(SPINCHECK_REL(3, irql));
    { SPINCHECK_RET(4) return STATUS_SUCCESS; }
}

static spincheck_u64 spincheck_hits_[5];
static spincheck_u64 spincheck_held_[5];
static const struct spincheck_site spincheck_sites_[5] = {
  {3u, 5u, 1u, "DispatchRead"},
  {4u, 5u, 1u, "DispatchRead"},
  {1u, 9u, 5u, "DispatchRead"},
  {2u, 11u, 5u, "DispatchRead"},
  {4u, 12u, 5u, "DispatchRead"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 5u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
