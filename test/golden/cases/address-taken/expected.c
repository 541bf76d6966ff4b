#include "wdm-lite.h"

typedef void (*ACQUIRE_FN)(PKIRQL);

ACQUIRE_FN LockFunction(void)
{
    return IoAcquireCancelSpinLock;
}
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 9

void Locked(void)
{
    KIRQL irql;
    (IoAcquireCancelSpinLock(SPINCHECK_ACQ(0, &irql)), SPINCHECK_ACQ_POST(0));
    IoReleaseCancelSpinLock(SPINCHECK_REL(1, irql));
}

static spincheck_u64 spincheck_hits_[2];
static spincheck_u64 spincheck_held_[2];
static const struct spincheck_site spincheck_sites_[2] = {
  {1u, 13u, 5u, "Locked"},
  {2u, 14u, 5u, "Locked"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 2u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
