/* driver.c: a driver that breaks the CancelSpinLock rule once (a release it does not hold) in its
   IRP_MJ_DEVICE_CONTROL routine, and bug checks when told to. */
#include "driver.h"

static NTSTATUS NTAPI BcControl(PDEVICE_OBJECT Device, PIRP Irp)
{
  KIRQL irql;
  (void)Device;
  IoAcquireCancelSpinLock(&irql);
  IoReleaseCancelSpinLock(irql);
  IoReleaseCancelSpinLock(irql);
  Irp->IoStatus.Status = STATUS_SUCCESS;
  Irp->IoStatus.Information = 0;
  IoCompleteRequest(Irp, IO_NO_INCREMENT);
  return STATUS_SUCCESS;
}

static NTSTATUS NTAPI BcCreateClose(PDEVICE_OBJECT Device, PIRP Irp)
{
  (void)Device;
  Irp->IoStatus.Status = STATUS_SUCCESS;
  IoCompleteRequest(Irp, IO_NO_INCREMENT);
  return STATUS_SUCCESS;
}

VOID BcBugCheck(PVOID Context)
{
  KIRQL irql;
  IoAcquireCancelSpinLock(&irql);
  IoReleaseCancelSpinLock(irql);
  KeBugCheckEx(0xE2, (ULONG_PTR)Context, 0, 0, 0);
}

NTSTATUS NTAPI BcEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Registry)
{
  UNICODE_STRING name;
  PDEVICE_OBJECT device;
  (void)Registry;
  RtlInitUnicodeString(&name, L"\\Device\\Bc");
  Driver->MajorFunction[IRP_MJ_CREATE] = BcCreateClose;
  Driver->MajorFunction[IRP_MJ_CLOSE] = BcCreateClose;
  Driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = BcControl;
  return IoCreateDevice(Driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}
