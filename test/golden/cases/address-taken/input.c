#include "wdm-lite.h"

typedef void (*ACQUIRE_FN)(PKIRQL);

ACQUIRE_FN LockFunction(void)
{
    return IoAcquireCancelSpinLock;
}

void Locked(void)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    IoReleaseCancelSpinLock(irql);
}
