#include "wdm-lite.h"

static PIRP CurrentIrp;

/* Serial-driver style: the "get next" routine acquires, its locked twin releases. */
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 6
static void GetNextIrp(PIRP *Next, KIRQL *Saved)
{
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(0, Saved)), SPINCHECK_ACQ_POST(0));
    *Next = CurrentIrp;
    CurrentIrp = 0;
}

static void CompleteLocked(PIRP Irp, KIRQL Saved)
{
    IoReleaseCancelSpinLock(SPINCHECK_REL(1, Saved));
    if (Irp) IoCompleteRequest(Irp, 0);
}

DRIVER_DISPATCH DispatchFlush;

NTSTATUS DispatchFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(2, 3, 1, DispatchFlush, -1)
    PIRP next;
    KIRQL saved;
    (void)DeviceObject;
    (void)Irp;
    GetNextIrp(&next, &saved);
    CompleteLocked(next, saved);
    { SPINCHECK_RET(4) return STATUS_SUCCESS; }
}

static spincheck_u64 spincheck_hits_[5];
static spincheck_u64 spincheck_held_[5];
static const struct spincheck_site spincheck_sites_[5] = {
  {1u, 8u, 5u, "GetNextIrp"},
  {2u, 15u, 5u, "CompleteLocked"},
  {3u, 21u, 1u, "DispatchFlush"},
  {4u, 21u, 1u, "DispatchFlush"},
  {4u, 29u, 5u, "DispatchFlush"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 5u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
