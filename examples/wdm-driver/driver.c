/* driver.c: DriverEntry, unload and the dispatch routines of the WDM sample driver. */
#include "wdmsample.h"

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name, link;
    PDEVICE_OBJECT device;
    PWDS_EXTENSION ext;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    RtlInitUnicodeString(&name, WDS_DEVICE_NAME);
    status = IoCreateDevice(DriverObject, sizeof(WDS_EXTENSION), &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;

    ext = (PWDS_EXTENSION)device->DeviceExtension;
    ext->Self = device;
    KeInitializeSpinLock(&ext->DeviceLock);
    KeInitializeTimer(&ext->Timer);
    KeInitializeDpc(&ext->TimerDpc, WdsTransferDpc, device);
    WdsInitializeEvents(ext);
    device->Flags |= DO_BUFFERED_IO;

    RtlInitUnicodeString(&link, WDS_LINK_NAME);
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }

    DriverObject->MajorFunction[IRP_MJ_CREATE] = WdsCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = WdsCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = WdsReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = WdsReadWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = WdsDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = WdsCleanup;
    DriverObject->DriverStartIo = WdsStartIo;
    DriverObject->DriverUnload = WdsUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

VOID NTAPI WdsUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link;

    RtlInitUnicodeString(&link, WDS_LINK_NAME);
    IoDeleteSymbolicLink(&link);
    if (DriverObject->DeviceObject != NULL) {
        PWDS_EXTENSION ext = (PWDS_EXTENSION)DriverObject->DeviceObject->DeviceExtension;
        KeCancelTimer(&ext->Timer);
        IoDeleteDevice(DriverObject->DeviceObject);
    }
}

/* Counts the open files under the device lock (an in-stack queued acquire). */
NTSTATUS NTAPI WdsCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PWDS_EXTENSION ext = (PWDS_EXTENSION)DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;

    KeAcquireInStackQueuedSpinLock(&ext->DeviceLock, &handle);
    if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_CREATE)
        ext->OpenFiles++;
    else
        ext->OpenFiles--;
    KeReleaseInStackQueuedSpinLock(&handle);
    WdsCompleteRequest(Irp, STATUS_SUCCESS, 0);
    return STATUS_SUCCESS;
}

/* Reads and writes are transfers: queued for StartIo, cancelable while they wait and while they run. */
NTSTATUS NTAPI WdsReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = sp->MajorFunction == IRP_MJ_READ ? sp->Parameters.Read.Length : sp->Parameters.Write.Length;

    if (length == 0) {
        WdsCompleteRequest(Irp, STATUS_SUCCESS, 0);
        return STATUS_SUCCESS;
    }
    IoMarkIrpPending(Irp);
    IoStartPacket(DeviceObject, Irp, NULL, WdsCancelTransfer);
    return STATUS_PENDING;
}

NTSTATUS NTAPI WdsDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PWDS_EXTENSION ext = (PWDS_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    ULONG_PTR info = 0;
    NTSTATUS status;
    KIRQL irql;

    switch (sp->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_WDS_WAIT_EVENT:
        return WdsWaitEvent(ext, Irp);
    case IOCTL_WDS_SIGNAL:
        KeAcquireSpinLock(&ext->DeviceLock, &irql);
        ext->Stats.Events++;
        KeReleaseSpinLock(&ext->DeviceLock, irql);
        WdsSignalEvents(ext, STATUS_SUCCESS, NULL);
        status = STATUS_SUCCESS;
        break;
    case IOCTL_WDS_STATS:
        status = WdsQueryStats(ext, Irp);
        info = Irp->IoStatus.Information;
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    WdsCompleteRequest(Irp, status, info);
    return status;
}

/* The last handle of a file object is closing: its waiting requests end now. */
NTSTATUS NTAPI WdsCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PWDS_EXTENSION ext = (PWDS_EXTENSION)DeviceObject->DeviceExtension;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;

    WdsCancelQueuedTransfers(DeviceObject, file);
    WdsSignalEvents(ext, STATUS_CANCELLED, file);
    WdsCompleteRequest(Irp, STATUS_SUCCESS, 0);
    return STATUS_SUCCESS;
}
