/* Serial write path (serial sample style): SerialStartOrQueue acquires, and either queues the IRP with a
   cancel routine or hands the IRQL to the starter; SerialTryToCompleteCurrent is entered holding the cancel
   lock and releases it with the IRQL its caller passed; the per-IRP reference counts decide who completes. */
#include <ntddk.h>

#define SERIAL_REF_CANCEL 0x1
#define SERIAL_REF_ISR 0x2

typedef struct _SERIAL_DEVICE_EXTENSION {
    LIST_ENTRY WriteQueue;
    PIRP CurrentWriteIrp;
    ULONG WriteLength;
    ULONG TotalCharsQueued;
} SERIAL_DEVICE_EXTENSION, *PSERIAL_DEVICE_EXTENSION;

#define SERIAL_REFERENCE(irp) ((ULONG_PTR *)&IoGetCurrentIrpStackLocation(irp)->Parameters.Others.Argument4)
typedef NTSTATUS (*PSERIAL_START_ROUTINE)(PSERIAL_DEVICE_EXTENSION);

DRIVER_CANCEL SerialCancelQueued;
DRIVER_CANCEL SerialCancelCurrentWrite;

VOID SerialCancelQueued(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSERIAL_DEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    ext->TotalCharsQueued -= IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_SERIAL_INCREMENT);
}

/* Entered holding the cancel spin lock (IrqlForRelease); always releases it. */
static VOID SerialTryToCompleteCurrent(PSERIAL_DEVICE_EXTENSION Ext, KIRQL IrqlForRelease, NTSTATUS Status,
                                       PIRP *CurrentOpIrp, ULONG RefType)
{
    PIRP irp = *CurrentOpIrp;
    *SERIAL_REFERENCE(irp) &= ~(ULONG_PTR)RefType;
    if (*SERIAL_REFERENCE(irp) != 0) {
        IoReleaseCancelSpinLock(IrqlForRelease);
        return;
    }
    *CurrentOpIrp = NULL;
    Ext->WriteLength = 0;
    irp->IoStatus.Status = Status;
    IoReleaseCancelSpinLock(IrqlForRelease);
    IoCompleteRequest(irp, IO_SERIAL_INCREMENT);
}

VOID SerialCancelCurrentWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSERIAL_DEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    UNREFERENCED_PARAMETER(Irp);
    SerialTryToCompleteCurrent(ext, ext->CurrentWriteIrp->CancelIrql, STATUS_CANCELLED,
                               &ext->CurrentWriteIrp, SERIAL_REF_CANCEL);
}

static NTSTATUS SerialStartWrite(PSERIAL_DEVICE_EXTENSION Ext)
{
    KIRQL oldIrql;
    PIRP irp = Ext->CurrentWriteIrp;
    IoAcquireCancelSpinLock(&oldIrql);
    if (irp->Cancel) {
        SerialTryToCompleteCurrent(Ext, oldIrql, STATUS_CANCELLED, &Ext->CurrentWriteIrp, 0);
        return STATUS_CANCELLED;
    }
    *SERIAL_REFERENCE(irp) |= SERIAL_REF_CANCEL | SERIAL_REF_ISR;
    IoSetCancelRoutine(irp, SerialCancelCurrentWrite);
    Ext->WriteLength = IoGetCurrentIrpStackLocation(irp)->Parameters.Write.Length;
    IoReleaseCancelSpinLock(oldIrql);
    return STATUS_PENDING;
}

static NTSTATUS SerialStartOrQueue(PSERIAL_DEVICE_EXTENSION Ext, PIRP Irp, PLIST_ENTRY Queue,
                                   PIRP *CurrentOpIrp, PSERIAL_START_ROUTINE Starter)
{
    KIRQL oldIrql;
    IoAcquireCancelSpinLock(&oldIrql);
    if (IsListEmpty(Queue) && !*CurrentOpIrp) {
        *CurrentOpIrp = Irp;
        IoReleaseCancelSpinLock(oldIrql);
        return Starter(Ext);
    }
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(oldIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    Ext->TotalCharsQueued += IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;
    Irp->IoStatus.Status = STATUS_PENDING;
    IoMarkIrpPending(Irp);
    InsertTailList(Queue, &Irp->Tail.Overlay.ListEntry);
    IoSetCancelRoutine(Irp, SerialCancelQueued);
    IoReleaseCancelSpinLock(oldIrql);
    return STATUS_PENDING;
}

/* Transmit-complete DPC: drop the ISR reference; the cancel routine may already have dropped its own. */
VOID SerialCompleteWrite(PKDPC Dpc, PVOID DeferredContext, PVOID Arg1, PVOID Arg2)
{
    PSERIAL_DEVICE_EXTENSION ext = DeferredContext;
    KIRQL oldIrql;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    IoAcquireCancelSpinLock(&oldIrql);
    if (IoSetCancelRoutine(ext->CurrentWriteIrp, NULL) != NULL) *SERIAL_REFERENCE(ext->CurrentWriteIrp) &= ~(ULONG_PTR)SERIAL_REF_CANCEL;
    SerialTryToCompleteCurrent(ext, oldIrql, STATUS_SUCCESS, &ext->CurrentWriteIrp, SERIAL_REF_ISR);
}

NTSTATUS SerialWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSERIAL_DEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    if (IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length == 0) {
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    return SerialStartOrQueue(ext, Irp, &ext->WriteQueue, &ext->CurrentWriteIrp, SerialStartWrite);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_WRITE] = SerialWrite;
    return STATUS_SUCCESS;
}
