#include "wdm-lite.h"
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 2

_Dispatch_type_(IRP_MJ_READ)
_IRQL_requires_max_(2)
NTSTATUS
AnnotatedRead(
    IN PDEVICE_OBJECT DeviceObject,
    _Inout_ PIRP Irp
    )
{ SPINCHECK_BEGIN(0, 1, 1, AnnotatedRead, -1)
    KIRQL irql;
    (void)DeviceObject;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &irql)), SPINCHECK_ACQ_POST(2));
    Irp->Status = STATUS_PENDING;
    IoReleaseCancelSpinLock(SPINCHECK_REL(3, irql));
    { SPINCHECK_RET(4) return STATUS_PENDING; }
}

static spincheck_u64 spincheck_hits_[5];
static spincheck_u64 spincheck_held_[5];
static const struct spincheck_site spincheck_sites_[5] = {
  {3u, 5u, 1u, "AnnotatedRead"},
  {4u, 5u, 1u, "AnnotatedRead"},
  {1u, 13u, 5u, "AnnotatedRead"},
  {2u, 15u, 5u, "AnnotatedRead"},
  {4u, 16u, 5u, "AnnotatedRead"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 5u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
