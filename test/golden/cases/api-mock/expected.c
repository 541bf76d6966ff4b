#include "wdm-lite.h"

/* A harness's mock of the API: definitions are never rewritten. */
static int Held;

void IoAcquireCancelSpinLock(PKIRQL Irql)
{
    Held = 1;
    *Irql = 2;
}

void IoReleaseCancelSpinLock(KIRQL Irql)
{
    (void)Irql;
    Held = 0;
}

int MockHeld(void)
{
    return Held;
}
