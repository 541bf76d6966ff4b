#include "wdm-lite.h"
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 2

static VOID QueueCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 2, QueueCancel, (int)(Irp)->CancelIrql)
    (void)DeviceObject;
    IoReleaseCancelSpinLock(SPINCHECK_REL(2, Irp->CancelIrql));
    Irp->Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, 0);
SPINCHECK_END(3) }

NTSTATUS QueueIrp(PIRP Irp)
{
    KIRQL irql;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(4, &irql)), SPINCHECK_ACQ_POST(4));
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(SPINCHECK_REL(5, irql));
        return STATUS_CANCELLED;
    }
    IoSetCancelRoutine(Irp, SPINCHECK_REG(6, 2, QueueCancel));
    IoReleaseCancelSpinLock(SPINCHECK_REL(7, irql));
    return STATUS_PENDING;
}

static spincheck_u64 spincheck_hits_[8];
static spincheck_u64 spincheck_held_[8];
static const struct spincheck_site spincheck_sites_[8] = {
  {3u, 3u, 1u, "QueueCancel"},
  {4u, 3u, 1u, "QueueCancel"},
  {2u, 6u, 5u, "QueueCancel"},
  {4u, 9u, 1u, "QueueCancel"},
  {1u, 14u, 5u, "QueueIrp"},
  {2u, 16u, 9u, "QueueIrp"},
  {5u, 19u, 29u, "QueueIrp"},
  {2u, 20u, 5u, "QueueIrp"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 8u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
