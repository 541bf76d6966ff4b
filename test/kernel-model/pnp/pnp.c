/* pnp.c: two small drivers of our own for the kernel model's PnP and synchronous-request calls. A bus driver with
   one PDO (\Device\PnpBus0) answers IRP_MN_QUERY_ID, a buffered read and three IOCTLs (buffered, neither, and one
   that pends until PnpBusCompletePending). A function driver's AddDevice attaches an FDO to it; its start asks the
   bus with IoBuildSynchronousFsdRequest and IoBuildDeviceIoControlRequest, then creates a child PDO and calls
   IoInvalidateDeviceRelations; the child's start registers and enables a device interface. */
#include <ntddk.h>
#include "pnp.h"

PNP_RESULTS PnpResults;
static PIRP PendingIoctl;
static PDEVICE_OBJECT Lower, Child;

/* ---- the bus driver ---- */

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
  Irp->IoStatus.Status = Status;
  Irp->IoStatus.Information = Information;
  IoCompleteRequest(Irp, IO_NO_INCREMENT);
  return Status;
}

static NTSTATUS NTAPI BusPnp(PDEVICE_OBJECT Device, PIRP Irp)
{
  PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
  (void)Device;
  if (sp->MinorFunction == IRP_MN_QUERY_ID && sp->Parameters.QueryId.IdType == BusQueryDeviceID) {
    static const WCHAR id[] = L"PNPTEST\\1";
    PWCHAR s = ExAllocatePoolWithTag(PagedPool, sizeof id, 0x74736554UL /* 'Test' */);
    RtlCopyMemory(s, id, sizeof id);
    return Complete(Irp, STATUS_SUCCESS, (ULONG_PTR)s);
  }
  if (sp->MinorFunction == IRP_MN_START_DEVICE || sp->MinorFunction == IRP_MN_REMOVE_DEVICE) return Complete(Irp, STATUS_SUCCESS, 0);
  return Complete(Irp, Irp->IoStatus.Status, Irp->IoStatus.Information); /* bus relations of a PDO: left as they are */
}

static NTSTATUS NTAPI BusRead(PDEVICE_OBJECT Device, PIRP Irp)
{
  ULONG length = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
  (void)Device;
  RtlFillMemory(Irp->AssociatedIrp.SystemBuffer, length, 'R');
  return Complete(Irp, STATUS_SUCCESS, length);
}

static NTSTATUS NTAPI BusIoctl(PDEVICE_OBJECT Device, PIRP Irp)
{
  PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
  (void)Device;
  switch (sp->Parameters.DeviceIoControl.IoControlCode) {
  case IOCTL_PNP_BUFFERED:
    *(PULONG)Irp->AssociatedIrp.SystemBuffer += 1;
    return Complete(Irp, STATUS_SUCCESS, sizeof(ULONG));
  case IOCTL_PNP_NEITHER:
    *(PULONG)Irp->UserBuffer = *(PULONG)sp->Parameters.DeviceIoControl.Type3InputBuffer * 2;
    PnpResults.internal = sp->MajorFunction == IRP_MJ_INTERNAL_DEVICE_CONTROL;
    return Complete(Irp, STATUS_SUCCESS, sizeof(ULONG));
  case IOCTL_PNP_PEND:
    IoMarkIrpPending(Irp);
    PendingIoctl = Irp;
    return STATUS_PENDING;
  }
  return Complete(Irp, STATUS_NOT_SUPPORTED, 0);
}

NTSTATUS NTAPI PnpBusEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Registry)
{
  UNICODE_STRING name;
  PDEVICE_OBJECT pdo;
  NTSTATUS status;
  (void)Registry;
  RtlInitUnicodeString(&name, L"\\Device\\PnpBus0");
  if (!NT_SUCCESS(status = IoCreateDevice(Driver, 0, &name, FILE_DEVICE_BUS_EXTENDER, 0, FALSE, &pdo))) return status;
  pdo->Flags |= DO_BUFFERED_IO;
  Driver->MajorFunction[IRP_MJ_PNP] = BusPnp;
  Driver->MajorFunction[IRP_MJ_READ] = BusRead;
  Driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = BusIoctl;
  Driver->MajorFunction[IRP_MJ_INTERNAL_DEVICE_CONTROL] = BusIoctl;
  return STATUS_SUCCESS;
}

void PnpBusCompletePending(ULONG Value)
{
  PIRP irp = PendingIoctl;
  PendingIoctl = NULL;
  *(PULONG)irp->AssociatedIrp.SystemBuffer = Value;
  Complete(irp, STATUS_SUCCESS, sizeof(ULONG));
}

/* ---- the function driver ---- */

/* A synchronous request down the stack, as drivers send them: built, sent, waited for. */
static NTSTATUS Ask(PIRP Irp, PKEVENT Event, PIO_STATUS_BLOCK Iosb)
{
  if (IoCallDriver(Lower, Irp) == STATUS_PENDING) KeWaitForSingleObject(Event, Executive, KernelMode, FALSE, NULL);
  return Iosb->Status;
}

static void AskTheBus(void)
{
  IO_STATUS_BLOCK iosb;
  KEVENT event;
  ULONG in = 41, out = 0;
  UCHAR buffer[8] = { 0 };
  PIRP irp;

  KeInitializeEvent(&event, NotificationEvent, FALSE);
  irp = IoBuildSynchronousFsdRequest(IRP_MJ_PNP, Lower, NULL, 0, NULL, &event, &iosb);
  IoGetNextIrpStackLocation(irp)->MinorFunction = IRP_MN_QUERY_ID;
  IoGetNextIrpStackLocation(irp)->Parameters.QueryId.IdType = BusQueryDeviceID;
  irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
  if (NT_SUCCESS(Ask(irp, &event, &iosb))) {
    PnpResults.id = ((PWCHAR)iosb.Information)[0] == L'P' && ((PWCHAR)iosb.Information)[7] == L'\\';
    ExFreePool((PVOID)iosb.Information);
  }

  KeClearEvent(&event);
  irp = IoBuildDeviceIoControlRequest(IOCTL_PNP_BUFFERED, Lower, &in, sizeof in, &out, sizeof out, FALSE, &event, &iosb);
  if (NT_SUCCESS(Ask(irp, &event, &iosb))) PnpResults.buffered = out;

  KeClearEvent(&event);
  out = 0;
  irp = IoBuildDeviceIoControlRequest(IOCTL_PNP_NEITHER, Lower, &in, sizeof in, &out, sizeof out, TRUE, &event, &iosb);
  if (NT_SUCCESS(Ask(irp, &event, &iosb))) PnpResults.neither = out;

  KeClearEvent(&event);
  irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, Lower, buffer, 4, NULL, &event, &iosb);
  if (NT_SUCCESS(Ask(irp, &event, &iosb))) PnpResults.read = (ULONG)iosb.Information == 4 && buffer[3] == 'R' && buffer[4] == 0;
}

static NTSTATUS NTAPI FdoPnp(PDEVICE_OBJECT Device, PIRP Irp)
{
  PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
  UNICODE_STRING name;
  NTSTATUS status;
  if (Device == Child) {
    if (sp->MinorFunction == IRP_MN_START_DEVICE) {
      status = IoRegisterDeviceInterface(Child, &PnpInterface, NULL, &PnpResults.link);
      if (NT_SUCCESS(status)) status = IoSetDeviceInterfaceState(&PnpResults.link, TRUE);
      PnpResults.childStarts++;
      return Complete(Irp, status, 0);
    }
    if (sp->MinorFunction == IRP_MN_REMOVE_DEVICE) {
      IoSetDeviceInterfaceState(&PnpResults.link, FALSE);
      RtlFreeUnicodeString(&PnpResults.link);
      Complete(Irp, STATUS_SUCCESS, 0);
      IoDeleteDevice(Child);
      Child = NULL;
      return STATUS_SUCCESS;
    }
    return Complete(Irp, Irp->IoStatus.Status, Irp->IoStatus.Information);
  }
  switch (sp->MinorFunction) {
  case IRP_MN_START_DEVICE:
    IoSkipCurrentIrpStackLocation(Irp);
    if (!NT_SUCCESS(status = IoCallDriver(Lower, Irp))) return status;
    AskTheBus();
    RtlInitUnicodeString(&name, L"\\Device\\PnpChild0");
    if (NT_SUCCESS(IoCreateDevice(Device->DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Child)))
      IoInvalidateDeviceRelations(Lower, BusRelations);
    return status;
  case IRP_MN_QUERY_DEVICE_RELATIONS:
    if (sp->Parameters.QueryDeviceRelations.Type == BusRelations) {
      PDEVICE_RELATIONS rel = ExAllocatePoolWithTag(PagedPool, sizeof(DEVICE_RELATIONS), 0x74736554UL /* 'Test' */);
      rel->Count = Child != NULL;
      rel->Objects[0] = Child;
      Irp->IoStatus.Information = (ULONG_PTR)rel;
      Irp->IoStatus.Status = STATUS_SUCCESS;
    }
    break;
  case IRP_MN_REMOVE_DEVICE:
    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(Lower, Irp);
    IoDetachDevice(Lower);
    IoDeleteDevice(Device);
    return status;
  }
  IoSkipCurrentIrpStackLocation(Irp);
  return IoCallDriver(Lower, Irp);
}

static NTSTATUS NTAPI FdoAddDevice(PDRIVER_OBJECT Driver, PDEVICE_OBJECT Pdo)
{
  PDEVICE_OBJECT fdo;
  NTSTATUS status = IoCreateDevice(Driver, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);
  if (!NT_SUCCESS(status)) return status;
  Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
  fdo->Flags &= ~DO_DEVICE_INITIALIZING;
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI PnpFdoEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Registry)
{
  (void)Registry;
  Driver->DriverExtension->AddDevice = FdoAddDevice;
  Driver->MajorFunction[IRP_MJ_PNP] = FdoPnp;
  return STATUS_SUCCESS;
}

/* An IOCTL the bus pends: STATUS_PENDING now; the event and the output when the bus completes it. */
NTSTATUS PnpSendPending(PKEVENT Event, PIO_STATUS_BLOCK Iosb, PULONG Out)
{
  PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_PNP_PEND, Lower, NULL, 0, Out, sizeof *Out, FALSE, Event, Iosb);
  return IoCallDriver(Lower, irp);
}
