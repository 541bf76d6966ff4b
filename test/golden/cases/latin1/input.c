#include "wdm-lite.h"

/* Grüße: café, © Latin-1 comment */
static const char Name[] = "peripherique";

DRIVER_CANCEL CancelLatin;

VOID CancelLatin(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    (void)Name;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}
