#include "wdm-lite.h"

typedef struct _QUEUE { KIRQL Saved[4]; PIRP Head; } QUEUE;

static KIRQL Pick(QUEUE *q, int i)
{
    return q->Saved[i];
}

DRIVER_CANCEL NestedCancel;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 11

VOID NestedCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 2, NestedCancel, (int)(Irp)->CancelIrql)
    QUEUE *q = (QUEUE *)DeviceObject->DeviceExtension;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &q->Saved[Irp->Cancel ? 1 : 0])), SPINCHECK_ACQ_POST(2));
    IoReleaseCancelSpinLock(SPINCHECK_REL(3, Pick(q, Irp->Cancel ? 1 : 0)));
    IoReleaseCancelSpinLock(SPINCHECK_REL(4, (KIRQL)(Irp->CancelIrql + 0)));
SPINCHECK_END(5) }

static spincheck_u64 spincheck_hits_[6];
static spincheck_u64 spincheck_held_[6];
static const struct spincheck_site spincheck_sites_[6] = {
  {3u, 12u, 1u, "NestedCancel"},
  {4u, 12u, 1u, "NestedCancel"},
  {1u, 15u, 5u, "NestedCancel"},
  {2u, 16u, 5u, "NestedCancel"},
  {2u, 17u, 5u, "NestedCancel"},
  {4u, 18u, 1u, "NestedCancel"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 6u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
