/* count_driver.c: a dispatch routine taking a device lock and the cancel lock ext->Pairs times, then calling the
   harness's CountPause; a plain function doing the same outside any routine; a routine that holds a second lock
   while it calls a third routine (whose exit adds the thread's counts) and while it calls CountPause. */
#include "wdm-lite.h"
#include "count_ext.h"

DRIVER_DISPATCH CountDispatch;
DRIVER_DISPATCH CountHeld;
DRIVER_DISPATCH CountInner;

NTSTATUS CountDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCOUNT_EXT ext = (PCOUNT_EXT)DeviceObject->DeviceExtension;
    KIRQL irql;
    unsigned long i;

    for (i = 0; i < ext->Pairs; i++) {
        KeAcquireSpinLock(&ext->Lock, &irql); /* SPIN-ACQ */
        ext->Moved++;
        KeReleaseSpinLock(&ext->Lock, irql); /* SPIN-REL */
        IoAcquireCancelSpinLock(&irql); /* CANCEL-ACQ */
        ext->Moved++;
        IoReleaseCancelSpinLock(irql); /* CANCEL-REL */
    }
    CountPause(ext);
    Irp->Status = STATUS_SUCCESS;
    return STATUS_SUCCESS;
}

void CountLoose(PCOUNT_EXT ext, unsigned long n)
{
    KIRQL irql;
    unsigned long i;
    for (i = 0; i < n; i++) {
        KeAcquireSpinLock(&ext->Lock, &irql); /* LOOSE-ACQ */
        ext->Moved++;
        KeReleaseSpinLock(&ext->Lock, irql); /* LOOSE-REL */
    }
}

NTSTATUS CountInner(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCOUNT_EXT ext = (PCOUNT_EXT)DeviceObject->DeviceExtension;
    KIRQL irql;
    unsigned long i;

    for (i = 0; i < ext->Pairs; i++) {
        KeAcquireSpinLock(&ext->Lock, &irql); /* INNER-ACQ */
        ext->Moved++;
        KeReleaseSpinLock(&ext->Lock, irql); /* INNER-REL */
    }
    Irp->Status = STATUS_SUCCESS;
    return STATUS_SUCCESS;
}

NTSTATUS CountHeld(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCOUNT_EXT ext = (PCOUNT_EXT)DeviceObject->DeviceExtension;
    KIRQL irql;
    int k;

    for (k = 0; k < 3; k++) {
        KeAcquireSpinLock(&ext->Outer, &irql); /* HELD-ACQ */
        CountInner(DeviceObject, Irp);
        KeReleaseSpinLock(&ext->Outer, irql); /* HELD-REL */
    }
    for (k = 0; k < 2; k++) {
        KeAcquireSpinLock(&ext->Outer, &irql); /* DUMP-ACQ */
        if (k == 1) CountPause(ext);
        KeReleaseSpinLock(&ext->Outer, irql); /* DUMP-REL */
    }
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
    DriverObject->MajorFunction[IRP_MJ_READ] = CountDispatch;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = CountHeld;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = CountInner;
    return STATUS_SUCCESS;
}
