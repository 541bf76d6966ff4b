#include "wdm-lite.h"

DRIVER_DISPATCH DispatchRead;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

#ifdef USE_SAVED_IRQL
NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, DispatchRead, -1)
    (void)DeviceObject;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &Irp->CancelIrql)), SPINCHECK_ACQ_POST(2));
    IoReleaseCancelSpinLock(SPINCHECK_REL(3, Irp->CancelIrql));
    { SPINCHECK_RET(4) return STATUS_SUCCESS; }
}
#else
NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(5, 6, 1, DispatchRead, -1)
    KIRQL irql;
    (void)DeviceObject;
#if 1
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(7, &irql)), SPINCHECK_ACQ_POST(7));
#endif
    (void)Irp;
    IoReleaseCancelSpinLock(SPINCHECK_REL(8, irql));
    { SPINCHECK_RET(9) return STATUS_SUCCESS; }
}
#endif

static spincheck_u64 spincheck_hits_[10];
static spincheck_u64 spincheck_held_[10];
static const struct spincheck_site spincheck_sites_[10] = {
  {3u, 6u, 1u, "DispatchRead"},
  {4u, 6u, 1u, "DispatchRead"},
  {1u, 9u, 5u, "DispatchRead"},
  {2u, 10u, 5u, "DispatchRead"},
  {4u, 11u, 5u, "DispatchRead"},
  {3u, 14u, 1u, "DispatchRead"},
  {4u, 14u, 1u, "DispatchRead"},
  {1u, 19u, 5u, "DispatchRead"},
  {2u, 22u, 5u, "DispatchRead"},
  {4u, 23u, 5u, "DispatchRead"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 10u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
