/* flush.c: the flush dispatch routine, which the harness never calls. Its busy path returns holding the cancel
   spin lock: no test runs it, so no run can see it; spincheck's compile-time path check finds it (the demo's
   static finding). */
#include "driver.h"

DRIVER_DISPATCH QdFlush;

NTSTATUS QdFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PQUEUE_EXTENSION ext = (PQUEUE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;

    IoAcquireCancelSpinLock(&irql);
    if (ext->CurrentIrp != NULL) {
        Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    IoReleaseCancelSpinLock(irql);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
