#include "wdm-lite.h"

/* Export and linkage macros the instrumenter cannot see, as library drivers put before the return type. */
#define MYDRVAPI
#define MYDRV_PAGED_CODE
#define MYDRVCALL

/* Role type declared behind a decoration macro. */
MYDRVAPI DRIVER_DISPATCH DecoratedRead;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 10

MYDRVAPI NTSTATUS MYDRVCALL DecoratedRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, DecoratedRead, -1)
    KIRQL irql;
    (void)DeviceObject;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &irql)), SPINCHECK_ACQ_POST(2));
    Irp->Status = STATUS_PENDING;
    IoReleaseCancelSpinLock(SPINCHECK_REL(3, irql));
    { SPINCHECK_RET(4) return STATUS_PENDING; }
}

/* Registered in this file: found by IoSetCancelRoutine. */
static MYDRVAPI MYDRV_PAGED_CODE VOID MYDRVCALL DecoratedCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(5, 6, 2, DecoratedCancel, (int)(Irp)->CancelIrql)
    (void)DeviceObject;
    IoReleaseCancelSpinLock(SPINCHECK_REL(7, Irp->CancelIrql));
SPINCHECK_END(8) }

/* Only its shape: registered at run time elsewhere (a table, a parameter). */
MYDRVAPI VOID MYDRVCALL ShapedCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(9, 10, 3, ShapedCancel, (int)(Irp)->CancelIrql)
    (void)DeviceObject;
    IoReleaseCancelSpinLock(SPINCHECK_REL(11, Irp->CancelIrql));
SPINCHECK_END(12) }

MYDRVAPI NTSTATUS Queue(PIRP Irp)
{
    KIRQL irql;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(13, &irql)), SPINCHECK_ACQ_POST(13));
    IoSetCancelRoutine(Irp, SPINCHECK_REG(14, 2, DecoratedCancel));
    IoReleaseCancelSpinLock(SPINCHECK_REL(15, irql));
    return STATUS_PENDING;
}

static spincheck_u64 spincheck_hits_[16];
static spincheck_u64 spincheck_held_[16];
static const struct spincheck_site spincheck_sites_[16] = {
  {3u, 11u, 10u, "DecoratedRead"},
  {4u, 11u, 10u, "DecoratedRead"},
  {1u, 15u, 5u, "DecoratedRead"},
  {2u, 17u, 5u, "DecoratedRead"},
  {4u, 18u, 5u, "DecoratedRead"},
  {3u, 22u, 1u, "DecoratedCancel"},
  {4u, 22u, 1u, "DecoratedCancel"},
  {2u, 25u, 5u, "DecoratedCancel"},
  {4u, 26u, 1u, "DecoratedCancel"},
  {3u, 29u, 10u, "ShapedCancel"},
  {4u, 29u, 10u, "ShapedCancel"},
  {2u, 32u, 5u, "ShapedCancel"},
  {4u, 33u, 1u, "ShapedCancel"},
  {1u, 38u, 5u, "Queue"},
  {5u, 39u, 29u, "Queue"},
  {2u, 40u, 5u, "Queue"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 16u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
