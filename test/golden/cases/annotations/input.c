#include "wdm-lite.h"

_Dispatch_type_(IRP_MJ_READ)
_IRQL_requires_max_(2)
NTSTATUS
AnnotatedRead(
    IN PDEVICE_OBJECT DeviceObject,
    _Inout_ PIRP Irp
    )
{
    KIRQL irql;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
    Irp->Status = STATUS_PENDING;
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}
