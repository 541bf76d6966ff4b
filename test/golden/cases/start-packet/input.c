#include "wdm-lite.h"

void IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG *Key, PDRIVER_CANCEL CancelFunction);

static VOID PacketCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}

NTSTATUS DispatchPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoStartPacket(DeviceObject, Irp, 0, PacketCancel);
    return STATUS_PENDING;
}
