#include "wdm-lite.h"

DRIVER_CANCEL OldCancel;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

VOID OldCancel(DeviceObject, Irp)
    PDEVICE_OBJECT DeviceObject;
    PIRP Irp;
{ SPINCHECK_BEGIN(0, 1, 2, OldCancel, -1)
    (void)DeviceObject;
    IoReleaseCancelSpinLock(SPINCHECK_REL(2, Irp->CancelIrql));
SPINCHECK_END(3) }

static spincheck_u64 spincheck_hits_[4];
static spincheck_u64 spincheck_held_[4];
static const struct spincheck_site spincheck_sites_[4] = {
  {3u, 5u, 1u, "OldCancel"},
  {4u, 5u, 1u, "OldCancel"},
  {2u, 10u, 5u, "OldCancel"},
  {4u, 11u, 1u, "OldCancel"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 4u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
