/* tone.c: a small StartIo driver for the kernel model's tests (written for spincheck): a tone device that plays
   one tone per IOCTL through the HAL's speaker call. Requests go through the device queue (IoStartPacket with
   a cancel routine); StartIo starts the next request before it completes the current one, so the device is
   busy only inside StartIo; a timer DPC ends the tone. The cancel routine has two branches: the current IRP
   (StartIo has not taken it yet) and an IRP still in the device queue.
   SEED_DOUBLE_COMPLETE: StartIo completes an IRP the cancel routine already completed. */
#include <ntddk.h>

#define IOCTL_TONE_PLAY CTL_CODE(FILE_DEVICE_BEEP, 1, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct TONE_REQUEST {
  ULONG Frequency;
  ULONG Milliseconds;
} TONE_REQUEST;

typedef struct TONE_DEVICE {
  KTIMER Timer;
  KDPC Dpc;
  LONG Playing;
  PVOID PagingHandle;
} TONE_DEVICE;

BOOLEAN NTAPI HalMakeBeep(ULONG Frequency);
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static VOID ToneFinish(PIRP Irp, NTSTATUS Status)
{
  Irp->IoStatus.Status = Status;
  Irp->IoStatus.Information = 0;
  IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static VOID NTAPI ToneCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  if (Irp == DeviceObject->CurrentIrp) {
    /* Current: IoStartPacket made it current and StartIo has not cleared its cancel routine yet. */
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    ToneFinish(Irp, STATUS_CANCELLED);
    IoStartNextPacket(DeviceObject, TRUE);
  } else {
    /* Queued: still in the device queue behind the current request. */
    KeRemoveEntryDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    ToneFinish(Irp, STATUS_CANCELLED);
  }
}

static VOID NTAPI ToneStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  TONE_DEVICE *tone = (TONE_DEVICE *)DeviceObject->DeviceExtension;
  TONE_REQUEST *request = (TONE_REQUEST *)Irp->AssociatedIrp.SystemBuffer;
  LARGE_INTEGER due;
  KIRQL irql;

  IoAcquireCancelSpinLock(&irql);
#ifndef SEED_DOUBLE_COMPLETE
  if (Irp != DeviceObject->CurrentIrp) {
    /* The cancel routine took it (and started the next one). */
    IoReleaseCancelSpinLock(irql);
    return;
  }
#endif
  IoSetCancelRoutine(Irp, NULL);
  IoReleaseCancelSpinLock(irql);

  HalMakeBeep(request->Frequency);
  InterlockedExchange(&tone->Playing, 1);
  due.QuadPart = -(LONGLONG)request->Milliseconds * 10000;
  KeSetTimer(&tone->Timer, due, &tone->Dpc);
  IoStartNextPacket(DeviceObject, TRUE);
  ToneFinish(Irp, STATUS_SUCCESS);
}

static VOID NTAPI ToneTimerDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
  TONE_DEVICE *tone = (TONE_DEVICE *)Context;
  (void)Dpc;
  (void)Arg1;
  (void)Arg2;
  HalMakeBeep(0);
  InterlockedExchange(&tone->Playing, 0);
}

static NTSTATUS NTAPI ToneDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
  if (stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_TONE_PLAY ||
      stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(TONE_REQUEST)) {
    ToneFinish(Irp, STATUS_INVALID_PARAMETER);
    return STATUS_INVALID_PARAMETER;
  }
  IoMarkIrpPending(Irp);
  IoStartPacket(DeviceObject, Irp, NULL, ToneCancel);
  return STATUS_PENDING;
}

static NTSTATUS NTAPI ToneOpenClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  TONE_DEVICE *tone = (TONE_DEVICE *)DeviceObject->DeviceExtension;
  if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_CREATE) {
    tone->PagingHandle = MmLockPagableDataSection((PVOID)ToneStartIo);
  } else if (tone->PagingHandle != NULL) {
    MmUnlockPagableImageSection(tone->PagingHandle);
    tone->PagingHandle = NULL;
  }
  ToneFinish(Irp, STATUS_SUCCESS);
  return STATUS_SUCCESS;
}

static VOID NTAPI ToneUnload(PDRIVER_OBJECT DriverObject)
{
  TONE_DEVICE *tone = (TONE_DEVICE *)DriverObject->DeviceObject->DeviceExtension;
  KeCancelTimer(&tone->Timer);
  IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
  UNICODE_STRING name;
  PDEVICE_OBJECT device;
  TONE_DEVICE *tone;
  NTSTATUS status;
  (void)RegistryPath;
  RtlInitUnicodeString(&name, L"\\Device\\Tone");
  status = IoCreateDevice(DriverObject, sizeof(TONE_DEVICE), &name, FILE_DEVICE_BEEP, 0, FALSE, &device);
  if (!NT_SUCCESS(status)) return status;
  tone = (TONE_DEVICE *)device->DeviceExtension;
  KeInitializeTimer(&tone->Timer);
  KeInitializeDpc(&tone->Dpc, ToneTimerDpc, tone);
  device->Flags |= DO_BUFFERED_IO;
  DriverObject->MajorFunction[IRP_MJ_CREATE] = ToneOpenClose;
  DriverObject->MajorFunction[IRP_MJ_CLOSE] = ToneOpenClose;
  DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = ToneDeviceControl;
  DriverObject->DriverStartIo = ToneStartIo;
  DriverObject->DriverUnload = ToneUnload;
  MmPageEntireDriver((PVOID)DriverEntry);
  return STATUS_SUCCESS;
}
