/* USB-storage style: the cancel lock taken inside the driver's own spin lock; a cleanup loop that
   releases and re-acquires around each completion; a routine registered from another file. */
#include <ntddk.h>

typedef struct _USB_QUEUE {
    KSPIN_LOCK Lock;
    LIST_ENTRY Pending;
    ULONG Depth;
} USB_QUEUE, *PUSB_QUEUE;

#define USB_LOCK_CANCEL(q, i) IoAcquireCancelSpinLock(i)
#define USB_UNLOCK_CANCEL(i) IoReleaseCancelSpinLock(i)

VOID UsbCancelPending(PDEVICE_OBJECT DeviceObject, PIRP Irp);

NTSTATUS UsbDispatchScsi(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PUSB_QUEUE q = (PUSB_QUEUE)DeviceObject->DeviceExtension;
    KIRQL lockIrql, cancelIrql;

    KeAcquireSpinLock(&q->Lock, &lockIrql);
    USB_LOCK_CANCEL(q, &cancelIrql);
    if (Irp->Cancel) {
        USB_UNLOCK_CANCEL(cancelIrql);
        KeReleaseSpinLock(&q->Lock, lockIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    IoSetCancelRoutine(Irp, UsbCancelPending);
    InsertTailList(&q->Pending, &Irp->Tail.Overlay.ListEntry);
    q->Depth++;
    USB_UNLOCK_CANCEL(cancelIrql);
    KeReleaseSpinLock(&q->Lock, lockIrql);
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}

VOID UsbCancelPending(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PUSB_QUEUE q = (PUSB_QUEUE)DeviceObject->DeviceExtension;
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    q->Depth--;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

NTSTATUS UsbFlushQueue(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PUSB_QUEUE q = (PUSB_QUEUE)DeviceObject->DeviceExtension;
    KIRQL cancelIrql;
    IoAcquireCancelSpinLock(&cancelIrql);
    while (!IsListEmpty(&q->Pending)) {
        PIRP pending = CONTAINING_RECORD(RemoveHeadList(&q->Pending), IRP, Tail.Overlay.ListEntry);
        q->Depth--;
        if (IoSetCancelRoutine(pending, NULL) == NULL) continue;
        IoReleaseCancelSpinLock(cancelIrql);
        pending->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(pending, IO_NO_INCREMENT);
        IoAcquireCancelSpinLock(&cancelIrql);
    }
    IoReleaseCancelSpinLock(cancelIrql);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
