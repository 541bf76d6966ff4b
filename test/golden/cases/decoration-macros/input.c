#include "wdm-lite.h"

/* Export and linkage macros the instrumenter cannot see, as library drivers put before the return type. */
#define MYDRVAPI
#define MYDRV_PAGED_CODE
#define MYDRVCALL

/* Role type declared behind a decoration macro. */
MYDRVAPI DRIVER_DISPATCH DecoratedRead;

MYDRVAPI NTSTATUS MYDRVCALL DecoratedRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
    Irp->Status = STATUS_PENDING;
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}

/* Registered in this file: found by IoSetCancelRoutine. */
static MYDRVAPI MYDRV_PAGED_CODE VOID MYDRVCALL DecoratedCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}

/* Only its shape: registered at run time elsewhere (a table, a parameter). */
MYDRVAPI VOID MYDRVCALL ShapedCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}

MYDRVAPI NTSTATUS Queue(PIRP Irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    IoSetCancelRoutine(Irp, DecoratedCancel);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}
