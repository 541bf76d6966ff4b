#include "roles.h"
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 2

NTSTATUS HeaderDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, HeaderDispatch, -1)
    (void)DeviceObject;
    (void)Irp;
    { SPINCHECK_RET(2) return STATUS_SUCCESS; }
}

NTSTATUS HeaderClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(3, 4, 1, HeaderClose, -1)
    (void)DeviceObject;
    (void)Irp;
    { SPINCHECK_RET(5) return STATUS_SUCCESS; }
}

VOID HeaderCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(6, 7, 2, HeaderCancel, (int)(Irp)->CancelIrql)
    (void)DeviceObject;
    IoReleaseCancelSpinLock(SPINCHECK_REL(8, Irp->CancelIrql));
SPINCHECK_END(9) }

static spincheck_u64 spincheck_hits_[10];
static spincheck_u64 spincheck_held_[10];
static const struct spincheck_site spincheck_sites_[10] = {
  {3u, 3u, 1u, "HeaderDispatch"},
  {4u, 3u, 1u, "HeaderDispatch"},
  {4u, 7u, 5u, "HeaderDispatch"},
  {3u, 10u, 1u, "HeaderClose"},
  {4u, 10u, 1u, "HeaderClose"},
  {4u, 14u, 5u, "HeaderClose"},
  {3u, 17u, 1u, "HeaderCancel"},
  {4u, 17u, 1u, "HeaderCancel"},
  {2u, 20u, 5u, "HeaderCancel"},
  {4u, 21u, 1u, "HeaderCancel"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 10u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
