#include "prelude.h"
typedef struct { PEXT Ext; } CSQ, *PCSQ;
#define CSQ_EXT(c) ((c)->Ext)
#define LOCKED_INC(e, irql) do { KeAcquireSpinLock(&(e)->Lock, &irql); (e)->Count++; KeReleaseSpinLock(&(e)->Lock, irql); } while (0)
void KeInitializeDpc(void *dpc, void *routine, void *context);
void IoCsqInitialize(PCSQ csq, void *acquire, void *release);

/* A cancel-safe queue's lock callbacks hold the lock on every exit, or release the caller's: by design. */
static void CsqAcquireLock(PCSQ csq, PKIRQL irql)
{
    KeAcquireSpinLock(&CSQ_EXT(csq)->Lock, irql);
}

static void CsqReleaseLock(PCSQ csq, KIRQL irql)
{
    KeReleaseSpinLock(&CSQ_EXT(csq)->Lock, irql);
}

/* A DPC releases on one path and not on the other: its early exit holds the lock. */
static void CountDpc(void *dpc, void *context, void *a, void *b)
{
    PEXT ext = context;
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    if (ext->Current == NULL)
        return;
    ext->Count++;
    KeReleaseSpinLock(&ext->Lock, irql);
}

/* A do { } while (0) macro body runs once. */
static void TickDpc(void *dpc, void *context, void *a, void *b)
{
    PEXT ext = context;
    KIRQL irql;
    LOCKED_INC(ext, irql);
    KeAcquireSpinLock(&ext->Lock, &irql);
    do {
        ext->Count--;
        KeReleaseSpinLock(&ext->Lock, irql);
    } while (0);
}

void Setup(PEXT ext, PCSQ csq, void *dpc)
{
    IoCsqInitialize(csq, CsqAcquireLock, CsqReleaseLock);
    KeInitializeDpc(dpc, CountDpc, ext);
    KeInitializeDpc(dpc, TickDpc, ext);
}
