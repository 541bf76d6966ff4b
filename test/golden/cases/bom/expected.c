#include "wdm-lite.h"

DRIVER_CANCEL CancelBom;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

VOID CancelBom(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 2, CancelBom, (int)(Irp)->CancelIrql)
    (void)DeviceObject;
    IoReleaseCancelSpinLock(SPINCHECK_REL(2, Irp->CancelIrql));
SPINCHECK_END(3) }

static spincheck_u64 spincheck_hits_[4];
static spincheck_u64 spincheck_held_[4];
static const struct spincheck_site spincheck_sites_[4] = {
  {3u, 5u, 1u, "CancelBom"},
  {4u, 5u, 1u, "CancelBom"},
  {2u, 8u, 5u, "CancelBom"},
  {4u, 9u, 1u, "CancelBom"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 4u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
