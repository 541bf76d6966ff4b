/* Keyboard-class style: cancel routine releases first; IoSetCancelRoutine behind a helper; the cleanup
   routine calls the cancel routine directly with the lock held. */
#include <ntddk.h>

typedef struct _KBD_EXTENSION {
    PIRP PendingRead;
    KSPIN_LOCK DataLock;
    ULONG Keys;
} KBD_EXTENSION, *PKBD_EXTENSION;

static NTSTATUS KbdDispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp);
static NTSTATUS KbdDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp);

static VOID
NTAPI
KbdCancel(
    IN PDEVICE_OBJECT DeviceObject,
    IN PIRP Irp
    )
{
    PKBD_EXTENSION ext = (PKBD_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&ext->DataLock, &irql);
    if (ext->PendingRead == Irp) ext->PendingRead = NULL;
    KeReleaseSpinLock(&ext->DataLock, irql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_KEYBOARD_INCREMENT);
}

static BOOLEAN KbdArmCancel(PIRP Irp)
{
    IoSetCancelRoutine(Irp, KbdCancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        return FALSE;
    }
    return TRUE;
}

static NTSTATUS KbdDispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKBD_EXTENSION ext = (PKBD_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL cancelIrql;

    IoAcquireCancelSpinLock(&cancelIrql);
    if (!KbdArmCancel(Irp)) {
        IoReleaseCancelSpinLock(cancelIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    ext->PendingRead = Irp;
    IoMarkIrpPending(Irp);
    IoReleaseCancelSpinLock(cancelIrql);
    return STATUS_PENDING;
}

static NTSTATUS KbdDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKBD_EXTENSION ext = (PKBD_EXTENSION)DeviceObject->DeviceExtension;
    PIRP pending;
    KIRQL cancelIrql;

    IoAcquireCancelSpinLock(&cancelIrql);
    pending = ext->PendingRead;
    if (pending && IoSetCancelRoutine(pending, NULL)) {
        pending->CancelIrql = cancelIrql;
        KbdCancel(DeviceObject, pending);
    } else {
        IoReleaseCancelSpinLock(cancelIrql);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    ULONG i;
    UNREFERENCED_PARAMETER(RegistryPath);
    for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        DriverObject->MajorFunction[i] = KbdDispatchRead;
    }
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = KbdDispatchCleanup;
    return STATUS_SUCCESS;
}
