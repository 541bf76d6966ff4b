#include "wdm-lite.h"

/* The first branch of a conditional is dead text here (zlib's deflate.c has one): a first-branch parse
   must not turn it into a function. */
#define UPDATE(h, c) ((h) = (((h) << 5) ^ (c)) & 0xff)

#ifdef SAVE_IRQL
static KIRQL Saved;
#else
static int Updates;
#endif

DRIVER_DISPATCH DispatchDead;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 14

NTSTATUS DispatchDead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, DispatchDead, -1)
    KIRQL irql;
    int h = 0;
    (void)DeviceObject;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(2, &irql)), SPINCHECK_ACQ_POST(2));
    if (Irp->Status == STATUS_PENDING) {
        UPDATE(h, Irp->Cancel);
#if UPDATES > 1
        Call UPDATE() UPDATES-1 more times
#endif
        while (Irp->Cancel) {
            UPDATE(h, Irp->Cancel);
            Irp->Cancel = 0;
        }
    }
    Updates = h;
    IoReleaseCancelSpinLock(SPINCHECK_REL(3, irql));
    return STATUS_SUCCESS;
}

static spincheck_u64 spincheck_hits_[4];
static spincheck_u64 spincheck_held_[4];
static const struct spincheck_site spincheck_sites_[4] = {
  {3u, 15u, 1u, "DispatchDead"},
  {4u, 15u, 1u, "DispatchDead"},
  {1u, 20u, 5u, "DispatchDead"},
  {2u, 32u, 5u, "DispatchDead"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 4u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
