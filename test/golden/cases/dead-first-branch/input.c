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

NTSTATUS DispatchDead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    int h = 0;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
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
    IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}
