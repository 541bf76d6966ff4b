#include "wdm-lite.h"

DRIVER_DISPATCH DispatchQuery;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

static NTSTATUS Finish(PIRP Irp, KIRQL irql)
{
    return (IoReleaseCancelSpinLock(SPINCHECK_REL(0, irql)), Irp->Status);
}

NTSTATUS DispatchQuery(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(1, 2, 1, DispatchQuery, -1)
    KIRQL irql;
    (void)DeviceObject;
    Irp->Cancel ? (IoAcquireCancelSpinLock(SPINCHECK_ACQ(3, &irql)), SPINCHECK_ACQ_POST(3)) : (IoAcquireCancelSpinLock(SPINCHECK_ACQ(4, &Irp->CancelIrql)), SPINCHECK_ACQ_POST(4));
    { SPINCHECK_RET(5) return Irp->Cancel ? Finish(Irp, irql) : (IoReleaseCancelSpinLock(SPINCHECK_REL(6, Irp->CancelIrql)), STATUS_PENDING); }
}

static spincheck_u64 spincheck_hits_[7];
static spincheck_u64 spincheck_held_[7];
static const struct spincheck_site spincheck_sites_[7] = {
  {2u, 7u, 13u, "Finish"},
  {3u, 10u, 1u, "DispatchQuery"},
  {4u, 10u, 1u, "DispatchQuery"},
  {1u, 14u, 19u, "DispatchQuery"},
  {1u, 14u, 52u, "DispatchQuery"},
  {4u, 15u, 5u, "DispatchQuery"},
  {2u, 15u, 47u, "DispatchQuery"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 7u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
