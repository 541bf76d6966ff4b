#include "wdm-lite.h"

DRIVER_DISPATCH DispatchWrite;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

NTSTATUS DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, DispatchWrite, -1)
    KIRQL irql;
    (void)DeviceObject;
    if (Irp->Cancel) (IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &irql)), SPINCHECK_ACQ_POST(2)); else (IoAcquireCancelSpinLock(SPINCHECK_ACQ(3, &Irp->CancelIrql)), SPINCHECK_ACQ_POST(3));
    if (Irp->Cancel)
        IoReleaseCancelSpinLock(SPINCHECK_REL(4, irql));
    else
        IoReleaseCancelSpinLock(SPINCHECK_REL(5, Irp->CancelIrql));
    if (Irp->Status) { SPINCHECK_RET(6) return Irp->Status; } else { SPINCHECK_RET(7) return STATUS_PENDING; }
}

static spincheck_u64 spincheck_hits_[8];
static spincheck_u64 spincheck_held_[8];
static const struct spincheck_site spincheck_sites_[8] = {
  {3u, 5u, 1u, "DispatchWrite"},
  {4u, 5u, 1u, "DispatchWrite"},
  {1u, 9u, 22u, "DispatchWrite"},
  {1u, 9u, 59u, "DispatchWrite"},
  {2u, 11u, 9u, "DispatchWrite"},
  {2u, 13u, 9u, "DispatchWrite"},
  {4u, 14u, 22u, "DispatchWrite"},
  {4u, 14u, 47u, "DispatchWrite"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 8u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
