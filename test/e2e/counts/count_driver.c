/* count_driver.c: a dispatch routine taking a device lock and the cancel lock ext->Pairs times, then calling the
   harness's CountPause; a plain function doing the same outside any routine. */
#include "wdm-lite.h"
#include "count_ext.h"

DRIVER_DISPATCH CountDispatch;

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

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
    DriverObject->MajorFunction[IRP_MJ_READ] = CountDispatch;
    return STATUS_SUCCESS;
}
