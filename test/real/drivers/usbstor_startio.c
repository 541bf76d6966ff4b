/* USB-storage style: SRBs queued with IoStartPacket and a cancel routine; StartIo saves the IRQL in the
   IRP itself (IoAcquireCancelSpinLock(&Irp->CancelIrql)); the completion DPC hands the saved IRQL to a
   helper that releases; a timeout path releases with another IRP's CancelIrql (a latent mismatch seen in
   public code). */
#include <ntddk.h>
#ifndef _Dispatch_type_
#define _Dispatch_type_(x)
#endif

typedef struct _USBSTOR_FDO {
    PIRP ActiveIrp;
    PIRP TimedOutIrp;
    KDPC CompletionDpc;
    ULONG Retries;
    BOOLEAN ResetInProgress;
} USBSTOR_FDO, *PUSBSTOR_FDO;

_Dispatch_type_(IRP_MJ_SCSI) DRIVER_DISPATCH UsbStorDispatchScsi;
DRIVER_CANCEL UsbStorCancelIo;

VOID UsbStorCancelIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PUSBSTOR_FDO fdo = DeviceObject->DeviceExtension;
    if (fdo->ActiveIrp == Irp) {
        fdo->ResetInProgress = TRUE;
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        return;
    }
    if (KeRemoveEntryDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry)) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return;
    }
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}

static VOID UsbStorStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PUSBSTOR_FDO fdo = DeviceObject->DeviceExtension;
    IoAcquireCancelSpinLock(&Irp->CancelIrql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        IoStartNextPacket(DeviceObject, TRUE);
        return;
    }
    IoSetCancelRoutine(Irp, NULL);
    fdo->ActiveIrp = Irp;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}

/* Releases the cancel spin lock with the IRQL the caller saved. */
static VOID UsbStorCompleteLocked(PDEVICE_OBJECT DeviceObject, PIRP Irp, KIRQL Irql, NTSTATUS Status)
{
    PUSBSTOR_FDO fdo = DeviceObject->DeviceExtension;
    fdo->ActiveIrp = NULL;
    IoReleaseCancelSpinLock(Irql);
    Irp->IoStatus.Status = Status;
    IoCompleteRequest(Irp, IO_DISK_INCREMENT);
    IoStartNextPacket(DeviceObject, TRUE);
}

static VOID UsbStorCompletionDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_OBJECT DeviceObject = Context;
    PUSBSTOR_FDO fdo = DeviceObject->DeviceExtension;
    PIRP irp = fdo->ActiveIrp;
    KIRQL irql;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    if (irp == NULL) return;
    IoAcquireCancelSpinLock(&irql);
    UsbStorCompleteLocked(DeviceObject, irp, irql, fdo->ResetInProgress ? STATUS_CANCELLED : STATUS_SUCCESS);
}

static VOID UsbStorTimeout(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PUSBSTOR_FDO fdo = Context;
    PIRP irp = fdo->TimedOutIrp;
    UNREFERENCED_PARAMETER(DeviceObject);
    if (irp == NULL || fdo->ActiveIrp == NULL) return;
    IoAcquireCancelSpinLock(&irp->CancelIrql);
    fdo->Retries++;
    /* Released with the active IRP's saved IRQL: equal only when both IRPs were saved at the same level. */
    IoReleaseCancelSpinLock(fdo->ActiveIrp->CancelIrql);
}

NTSTATUS UsbStorDispatchScsi(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    ULONG key = 0;
    IoMarkIrpPending(Irp);
    IoStartPacket(DeviceObject, Irp, &key, UsbStorCancelIo);
    return STATUS_PENDING;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_SCSI] = UsbStorDispatchScsi;
    DriverObject->DriverStartIo = (PDRIVER_STARTIO)UsbStorStartIo;
    (void)UsbStorCompletionDpc;
    (void)UsbStorTimeout;
    return STATUS_SUCCESS;
}
