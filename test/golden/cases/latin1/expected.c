#include "wdm-lite.h"

/* Grüße: café, © Latin-1 comment */
static const char Name[] = "peripherique";

DRIVER_CANCEL CancelLatin;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 7

VOID CancelLatin(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 2, CancelLatin, (int)(Irp)->CancelIrql)
    (void)DeviceObject;
    (void)Name;
    IoReleaseCancelSpinLock(SPINCHECK_REL(2, Irp->CancelIrql));
SPINCHECK_END(3) }

static spincheck_u64 spincheck_hits_[4];
static spincheck_u64 spincheck_held_[4];
static const struct spincheck_site spincheck_sites_[4] = {
  {3u, 8u, 1u, "CancelLatin"},
  {4u, 8u, 1u, "CancelLatin"},
  {2u, 12u, 5u, "CancelLatin"},
  {4u, 13u, 1u, "CancelLatin"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 4u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
