#include "../prelude.h"

void CompleteLocked(PEXT ext, KIRQL irql)
{
    ext->Current = NULL;
    IoReleaseCancelSpinLock(irql);
}

void CountLocked(PEXT ext)
{
    ext->Count++;
}

void UnlockDpc(PEXT device)
{
    KeReleaseSpinLockFromDpcLevel(&device->Lock);
}
