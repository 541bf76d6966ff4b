/* driver.c: a driver with per-file state: IRP_MJ_CREATE takes a state (FileObject->FsContext), IRP_MJ_READ counts
   on it, IRP_MJ_CLOSE frees it. A read on a file object after its close finds no state and bug checks. While the
   device is exclusive (an IOCTL turns it on and off) a create fails. */
#include "driver.h"

typedef struct FS_STATE {
  BOOLEAN Open;
  ULONG Reads;
} FS_STATE;

static FS_STATE States[4];
static BOOLEAN Exclusive;

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
  Irp->IoStatus.Status = Status;
  Irp->IoStatus.Information = Information;
  IoCompleteRequest(Irp, IO_NO_INCREMENT);
  return Status;
}

static NTSTATUS NTAPI FsCreate(PDEVICE_OBJECT Device, PIRP Irp)
{
  PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
  ULONG i;
  (void)Device;
  if (Exclusive) return Complete(Irp, STATUS_SHARING_VIOLATION, 0);
  for (i = 0; i < sizeof States / sizeof States[0] && States[i].Open; i++) {}
  if (i == sizeof States / sizeof States[0]) return Complete(Irp, STATUS_TOO_MANY_OPENED_FILES, 0);
  States[i].Open = TRUE;
  States[i].Reads = 0;
  file->FsContext = &States[i];
  return Complete(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS NTAPI FsRead(PDEVICE_OBJECT Device, PIRP Irp)
{
  PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
  FS_STATE *state = (FS_STATE *)file->FsContext;
  (void)Device;
  if (state == NULL || !state->Open) KeBugCheckEx(FS_STATE_GONE, (ULONG_PTR)file, 0, 0, 0);
  return Complete(Irp, STATUS_SUCCESS, ++state->Reads);
}

static NTSTATUS NTAPI FsClose(PDEVICE_OBJECT Device, PIRP Irp)
{
  PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
  FS_STATE *state = (FS_STATE *)file->FsContext;
  (void)Device;
  if (state == NULL || !state->Open) KeBugCheckEx(FS_STATE_GONE, (ULONG_PTR)file, 1, 0, 0);
  state->Open = FALSE;
  file->FsContext = NULL;
  return Complete(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS NTAPI FsControl(PDEVICE_OBJECT Device, PIRP Irp)
{
  ULONG code = IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode;
  (void)Device;
  if (code != IOCTL_FS_EXCLUSIVE_ON && code != IOCTL_FS_EXCLUSIVE_OFF) return Complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
  Exclusive = code == IOCTL_FS_EXCLUSIVE_ON;
  return Complete(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS NTAPI FsEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Registry)
{
  UNICODE_STRING name;
  PDEVICE_OBJECT device;
  ULONG i;
  (void)Registry;
  for (i = 0; i < sizeof States / sizeof States[0]; i++) States[i].Open = FALSE;
  Exclusive = FALSE;
  RtlInitUnicodeString(&name, L"\\Device\\Fs");
  Driver->MajorFunction[IRP_MJ_CREATE] = FsCreate;
  Driver->MajorFunction[IRP_MJ_READ] = FsRead;
  Driver->MajorFunction[IRP_MJ_CLOSE] = FsClose;
  Driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = FsControl;
  return IoCreateDevice(Driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}
