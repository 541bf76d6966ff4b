// Generated WDM driver code in the style of real drivers (mingw-w64 DDK headers): routine templates by prefix.

/** Routines a template defines, for role declarations in a shared header and for DriverEntry. */
export interface Unit {
  text: string;
  /** Dispatch routines: [name, IRP_MJ_* it serves]. */
  dispatch: Array<[string, string]>;
  cancel: string[];
}

/** Serial-port style read queue: "get next" acquires, its locked twin releases; IRQL saved in the IRP. */
export function serialQueue(p: string): Unit {
  const text = `/* ${p}: serial-port style read queue; the "get next" helper acquires, its locked twin releases. */
typedef struct _${p}_EXTENSION {
    LIST_ENTRY ReadQueue;
    PIRP CurrentReadIrp;
    ULONG CountOnLastRead;
    ULONG ReadsCompleted;
} ${p}_EXTENSION, *P${p}_EXTENSION;

static VOID ${p}GetNextIrpLocked(P${p}_EXTENSION Extension, PIRP *NewIrp, KIRQL OldIrql)
{
    *NewIrp = NULL;
    if (!IsListEmpty(&Extension->ReadQueue)) {
        PLIST_ENTRY head = RemoveHeadList(&Extension->ReadQueue);
        *NewIrp = CONTAINING_RECORD(head, IRP, Tail.Overlay.ListEntry);
        IoSetCancelRoutine(*NewIrp, NULL);
    }
    Extension->CurrentReadIrp = *NewIrp;
    IoReleaseCancelSpinLock(OldIrql);
}

static VOID ${p}GetNextIrp(P${p}_EXTENSION Extension, PIRP *NewIrp)
{
    KIRQL oldIrql;
    IoAcquireCancelSpinLock(&oldIrql);
    ${p}GetNextIrpLocked(Extension, NewIrp, oldIrql);
}

VOID ${p}CancelQueued(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_SERIAL_INCREMENT);
}

VOID ${p}CancelCurrentRead(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    P${p}_EXTENSION extension = DeviceObject->DeviceExtension;
    PIRP next;
    if (extension->CurrentReadIrp != Irp) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        return;
    }
    ${p}GetNextIrpLocked(extension, &next, Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_SERIAL_INCREMENT);
}

_Dispatch_type_(IRP_MJ_READ)
NTSTATUS ${p}Read(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    P${p}_EXTENSION extension = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    KIRQL oldIrql;

    if (stack->Parameters.Read.Length == 0) {
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    IoAcquireCancelSpinLock(&oldIrql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(oldIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    IoMarkIrpPending(Irp);
    if (extension->CurrentReadIrp == NULL) {
        extension->CurrentReadIrp = Irp;
        IoSetCancelRoutine(Irp, ${p}CancelCurrentRead);
    } else {
        InsertTailList(&extension->ReadQueue, &Irp->Tail.Overlay.ListEntry);
        IoSetCancelRoutine(Irp, ${p}CancelQueued);
    }
    IoReleaseCancelSpinLock(oldIrql);
    return STATUS_PENDING;
}

_Dispatch_type_(IRP_MJ_CLEANUP)
NTSTATUS ${p}Cleanup(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    P${p}_EXTENSION extension = DeviceObject->DeviceExtension;
    PIRP next;
    do {
        ${p}GetNextIrp(extension, &next);
        if (next) {
            next->IoStatus.Status = STATUS_CANCELLED;
            IoCompleteRequest(next, IO_NO_INCREMENT);
            extension->ReadsCompleted++;
        }
    } while (next != NULL);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
`;
  return { text, dispatch: [[`${p}Read`, 'IRP_MJ_READ'], [`${p}Cleanup`, 'IRP_MJ_CLEANUP']], cancel: [`${p}CancelQueued`, `${p}CancelCurrentRead`] };
}

/** Keyboard-class style: the cancel routine releases first; IoSetCancelRoutine behind a helper; cleanup calls it. */
export function keyboardClass(p: string): Unit {
  const text = `/* ${p}: keyboard-class style; IoSetCancelRoutine behind a helper, cleanup calls the cancel routine directly. */
typedef struct _${p}_EXTENSION {
    PIRP PendingRead;
    KSPIN_LOCK DataLock;
    ULONG Keys;
    UCHAR Buffer[64];
} ${p}_EXTENSION, *P${p}_EXTENSION;

static VOID
NTAPI
${p}Cancel(
    IN PDEVICE_OBJECT DeviceObject,
    IN PIRP Irp
    )
{
    P${p}_EXTENSION ext = (P${p}_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&ext->DataLock, &irql);
    if (ext->PendingRead == Irp) ext->PendingRead = NULL;
    KeReleaseSpinLock(&ext->DataLock, irql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_KEYBOARD_INCREMENT);
}

static BOOLEAN ${p}ArmCancel(PIRP Irp)
{
    IoSetCancelRoutine(Irp, ${p}Cancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        return FALSE;
    }
    return TRUE;
}

static ULONG ${p}CopyKeys(P${p}_EXTENSION ext, PUCHAR out, ULONG length)
{
    ULONG i, n = length < sizeof ext->Buffer ? length : (ULONG)sizeof ext->Buffer;
    for (i = 0; i < n; i++) {
        out[i] = ext->Buffer[(ext->Keys + i) % sizeof ext->Buffer];
    }
    ext->Keys += n;
    return n;
}

NTSTATUS ${p}DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    P${p}_EXTENSION ext = (P${p}_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL cancelIrql;

    if (ext->Keys > 0 && Irp->AssociatedIrp.SystemBuffer != NULL) {
        Irp->IoStatus.Information = ${p}CopyKeys(ext, (PUCHAR)Irp->AssociatedIrp.SystemBuffer, 16);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(Irp, IO_KEYBOARD_INCREMENT);
        return STATUS_SUCCESS;
    }
    IoAcquireCancelSpinLock(&cancelIrql);
    if (!${p}ArmCancel(Irp)) {
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

NTSTATUS ${p}DispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    P${p}_EXTENSION ext = (P${p}_EXTENSION)DeviceObject->DeviceExtension;
    PIRP pending;
    KIRQL cancelIrql;

    IoAcquireCancelSpinLock(&cancelIrql);
    pending = ext->PendingRead;
    if (pending && IoSetCancelRoutine(pending, NULL)) {
        pending->CancelIrql = cancelIrql;
        ${p}Cancel(DeviceObject, pending);
    } else {
        IoReleaseCancelSpinLock(cancelIrql);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
`;
  return { text, dispatch: [[`${p}DispatchRead`, 'IRP_MJ_READ'], [`${p}DispatchCleanup`, 'IRP_MJ_CLEANUP']], cancel: [] };
}

/** USB-storage style: the cancel lock inside the driver's own spin lock; a flush loop releasing around completions. */
export function usbQueue(p: string): Unit {
  const text = `/* ${p}: USB-storage style; the cancel lock taken inside the driver's own spin lock. */
typedef struct _${p}_QUEUE {
    KSPIN_LOCK Lock;
    LIST_ENTRY Pending;
    ULONG Depth;
    ULONG MaxDepth;
} ${p}_QUEUE, *P${p}_QUEUE;

#define ${p}_LOCK_CANCEL(q, i) IoAcquireCancelSpinLock(i)
#define ${p}_UNLOCK_CANCEL(i) IoReleaseCancelSpinLock(i)

VOID ${p}CancelPending(PDEVICE_OBJECT DeviceObject, PIRP Irp);

NTSTATUS ${p}DispatchScsi(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    P${p}_QUEUE q = (P${p}_QUEUE)DeviceObject->DeviceExtension;
    KIRQL lockIrql, cancelIrql;

    KeAcquireSpinLock(&q->Lock, &lockIrql);
    if (q->Depth >= q->MaxDepth && q->MaxDepth != 0) {
        KeReleaseSpinLock(&q->Lock, lockIrql);
        Irp->IoStatus.Status = STATUS_DEVICE_BUSY;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_DEVICE_BUSY;
    }
    ${p}_LOCK_CANCEL(q, &cancelIrql);
    if (Irp->Cancel) {
        ${p}_UNLOCK_CANCEL(cancelIrql);
        KeReleaseSpinLock(&q->Lock, lockIrql);
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    IoSetCancelRoutine(Irp, ${p}CancelPending);
    InsertTailList(&q->Pending, &Irp->Tail.Overlay.ListEntry);
    q->Depth++;
    ${p}_UNLOCK_CANCEL(cancelIrql);
    KeReleaseSpinLock(&q->Lock, lockIrql);
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}

VOID ${p}CancelPending(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    P${p}_QUEUE q = (P${p}_QUEUE)DeviceObject->DeviceExtension;
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    q->Depth--;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

NTSTATUS ${p}FlushQueue(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    P${p}_QUEUE q = (P${p}_QUEUE)DeviceObject->DeviceExtension;
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
`;
  return { text, dispatch: [[`${p}DispatchScsi`, 'IRP_MJ_INTERNAL_DEVICE_CONTROL'], [`${p}FlushQueue`, 'IRP_MJ_FLUSH_BUFFERS']], cancel: [] };
}

/** IOCTL dispatch: a switch over control codes, a pending-IRP array scanned under the cancel lock. */
export function ioctlQueue(p: string): Unit {
  const text = `/* ${p}: device-control dispatch with a table of pending notification IRPs. */
#define ${p}_MAX_WAITERS 8
#define IOCTL_${p}_WAIT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_${p}_SIGNAL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_${p}_STATS CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _${p}_CONTEXT {
    PIRP Waiters[${p}_MAX_WAITERS];
    ULONG Signals;
    ULONG Cancels;
} ${p}_CONTEXT, *P${p}_CONTEXT;

static VOID ${p}WaiterCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    P${p}_CONTEXT ctx = (P${p}_CONTEXT)DeviceObject->DeviceExtension;
    ULONG i;
    for (i = 0; i < ${p}_MAX_WAITERS; i++) {
        if (ctx->Waiters[i] == Irp) {
            ctx->Waiters[i] = NULL;
            break;
        }
    }
    ctx->Cancels++;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static NTSTATUS ${p}QueueWaiter(P${p}_CONTEXT ctx, PIRP Irp)
{
    KIRQL irql;
    ULONG i;
    IoAcquireCancelSpinLock(&irql);
    for (i = 0; i < ${p}_MAX_WAITERS; i++) {
        if (ctx->Waiters[i] == NULL) {
            ctx->Waiters[i] = Irp;
            IoMarkIrpPending(Irp);
            IoSetCancelRoutine(Irp, ${p}WaiterCancel);
            IoReleaseCancelSpinLock(irql);
            return STATUS_PENDING;
        }
    }
    IoReleaseCancelSpinLock(irql);
    return STATUS_INSUFFICIENT_RESOURCES;
}

static ULONG ${p}SignalWaiters(P${p}_CONTEXT ctx)
{
    KIRQL irql;
    ULONG i, woken = 0;
    for (i = 0; i < ${p}_MAX_WAITERS; i++) {
        PIRP irp;
        IoAcquireCancelSpinLock(&irql);
        irp = ctx->Waiters[i];
        if (irp == NULL || IoSetCancelRoutine(irp, NULL) == NULL) {
            IoReleaseCancelSpinLock(irql);
            continue;
        }
        ctx->Waiters[i] = NULL;
        IoReleaseCancelSpinLock(irql);
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = ctx->Signals;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        woken++;
    }
    ctx->Signals++;
    return woken;
}

_Dispatch_type_(IRP_MJ_DEVICE_CONTROL)
NTSTATUS ${p}DeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    P${p}_CONTEXT ctx = (P${p}_CONTEXT)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR info = 0;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_${p}_WAIT:
        status = ${p}QueueWaiter(ctx, Irp);
        if (status == STATUS_PENDING) return status;
        break;
    case IOCTL_${p}_SIGNAL:
        info = ${p}SignalWaiters(ctx);
        break;
    case IOCTL_${p}_STATS:
        if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ULONG) * 2) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        ((PULONG)Irp->AssociatedIrp.SystemBuffer)[0] = ctx->Signals;
        ((PULONG)Irp->AssociatedIrp.SystemBuffer)[1] = ctx->Cancels;
        info = sizeof(ULONG) * 2;
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}
`;
  return { text, dispatch: [[`${p}DeviceControl`, 'IRP_MJ_DEVICE_CONTROL']], cancel: [] };
}

/** Plug-and-play / power dispatch: IRPs, no cancel lock (instrumented for routine exits only). */
export function pnpPower(p: string): Unit {
  const text = `/* ${p}: plug-and-play and power dispatch; forwards to the lower device, no cancel spin lock. */
typedef struct _${p}_DEVICE {
    PDEVICE_OBJECT LowerDevice;
    ULONG Started;
    ULONG Removed;
    DEVICE_POWER_STATE PowerState;
} ${p}_DEVICE, *P${p}_DEVICE;

static NTSTATUS ${p}Forward(P${p}_DEVICE dev, PIRP Irp)
{
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(dev->LowerDevice, Irp);
}

_Dispatch_type_(IRP_MJ_PNP)
NTSTATUS ${p}DispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    P${p}_DEVICE dev = (P${p}_DEVICE)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        dev->Started = 1;
        break;
    case IRP_MN_STOP_DEVICE:
        dev->Started = 0;
        break;
    case IRP_MN_REMOVE_DEVICE:
        dev->Removed = 1;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return ${p}Forward(dev, Irp);
    case IRP_MN_QUERY_CAPABILITIES:
        if (stack->Parameters.DeviceCapabilities.Capabilities == NULL) {
            Irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return STATUS_INVALID_PARAMETER;
        }
        stack->Parameters.DeviceCapabilities.Capabilities->SurpriseRemovalOK = TRUE;
        break;
    default:
        break;
    }
    return ${p}Forward(dev, Irp);
}

_Dispatch_type_(IRP_MJ_POWER)
NTSTATUS ${p}DispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    P${p}_DEVICE dev = (P${p}_DEVICE)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    if (stack->MinorFunction == IRP_MN_SET_POWER && stack->Parameters.Power.Type == DevicePowerState) {
        dev->PowerState = stack->Parameters.Power.State.DeviceState;
    }
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(dev->LowerDevice, Irp);
}
`;
  return { text, dispatch: [[`${p}DispatchPnp`, 'IRP_MJ_PNP'], [`${p}DispatchPower`, 'IRP_MJ_POWER']], cancel: [] };
}

/** Helpers with nothing to instrument: checksums and a ring buffer (no IRP, no lock). */
export function utility(p: string): Unit {
  const text = `/* ${p}: checksums and a byte ring buffer; nothing here concerns the I/O manager. */
typedef struct _${p}_RING {
    UCHAR Data[256];
    ULONG Head;
    ULONG Tail;
} ${p}_RING, *P${p}_RING;

ULONG ${p}Crc32(const UCHAR *data, SIZE_T length)
{
    ULONG crc = 0xFFFFFFFFu;
    SIZE_T i;
    int bit;
    for (i = 0; i < length; i++) {
        crc ^= data[i];
        for (bit = 0; bit < 8; bit++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

BOOLEAN ${p}RingPut(P${p}_RING ring, UCHAR value)
{
    ULONG next = (ring->Head + 1) % sizeof ring->Data;
    if (next == ring->Tail) return FALSE;
    ring->Data[ring->Head] = value;
    ring->Head = next;
    return TRUE;
}

BOOLEAN ${p}RingGet(P${p}_RING ring, PUCHAR value)
{
    if (ring->Head == ring->Tail) return FALSE;
    *value = ring->Data[ring->Tail];
    ring->Tail = (ring->Tail + 1) % sizeof ring->Data;
    return TRUE;
}

ULONG ${p}RingCount(const ${p}_RING *ring)
{
    return (ring->Head + sizeof ring->Data - ring->Tail) % sizeof ring->Data;
}
`;
  return { text, dispatch: [], cancel: [] };
}

export const FILE_PRELUDE = `#include <ntddk.h>
#ifndef _Dispatch_type_
#define _Dispatch_type_(x)
#endif
`;
