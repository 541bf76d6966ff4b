#include "wdm-lite.h"

typedef struct _QUEUE { KIRQL Saved[4]; PIRP Head; } QUEUE;

static KIRQL Pick(QUEUE *q, int i)
{
    return q->Saved[i];
}

DRIVER_CANCEL NestedCancel;

VOID NestedCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    QUEUE *q = (QUEUE *)DeviceObject->DeviceExtension;
    IoAcquireCancelSpinLock(&q->Saved[Irp->Cancel ? 1 : 0]);
    IoReleaseCancelSpinLock(Pick(q, Irp->Cancel ? 1 : 0));
    IoReleaseCancelSpinLock((KIRQL)(Irp->CancelIrql + 0));
}
