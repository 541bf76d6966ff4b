/* hid-minidriver.c: a HID minidriver of our own under Wine's hidclass.sys, and the bus driver whose PDO it
   sits on. The minidriver answers hidclass's IOCTL_HID_* requests with a one-collection, one-byte vendor input
   report; its read report pends until the harness supplies a report, so hidclass's reads queue. Compiled
   against Wine's headers (hidport.h), as hidclass.sys is. */
#include <stdarg.h>
#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "winioctl.h"
#include "winuser.h"
#include "ddk/wdm.h"
#include "ddk/hidport.h"
#include "ddk/hidclass.h"
#include "hid-minidriver.h"

static const BYTE report_descriptor[] = {
  0x06, 0x00, 0xFF, /* Usage Page (vendor 0xFF00) */
  0x09, 0x01,       /* Usage (1) */
  0xA1, 0x01,       /* Collection (Application) */
  0x15, 0x00,       /*   Logical Minimum (0) */
  0x26, 0xFF, 0x00, /*   Logical Maximum (255) */
  0x75, 0x08,       /*   Report Size (8) */
  0x95, 0x01,       /*   Report Count (1) */
  0x09, 0x01,       /*   Usage (1) */
  0x81, 0x02,       /*   Input (Data, Variable, Absolute) */
  0xC0,             /* End Collection */
};

static IRP *volatile pending_read;
static volatile LONG unplugged;
volatile long HidTestRawInputs;

/* hidclass sends input to user32's raw input through Wine's __wine_send_input (win32u): counted here. */
static BOOL CDECL send_input(HWND hwnd, const INPUT *input, const RAWINPUT *rawinput)
{
  (void)hwnd;
  (void)input;
  (void)rawinput;
  InterlockedIncrement((LONG *)&HidTestRawInputs);
  return TRUE;
}
void *__imp___wine_send_input = (void *)send_input;

/* ---- the bus driver ---- */

static WCHAR *pool_string(const WCHAR *text)
{
  WCHAR *s = ExAllocatePool(PagedPool, (wcslen(text) + 1) * sizeof(WCHAR));
  if (s) wcscpy(s, text);
  return s;
}

static NTSTATUS WINAPI bus_pnp(DEVICE_OBJECT *device, IRP *irp)
{
  IO_STACK_LOCATION *stack = IoGetCurrentIrpStackLocation(irp);
  NTSTATUS status = irp->IoStatus.Status;
  const WCHAR *id = NULL;
  (void)device;
  switch (stack->MinorFunction) {
  case IRP_MN_QUERY_ID:
    if (stack->Parameters.QueryId.IdType == BusQueryDeviceID) id = L"WINETEST\\VID_1234&PID_5678";
    if (stack->Parameters.QueryId.IdType == BusQueryInstanceID) id = L"0";
    if (id) {
      irp->IoStatus.Information = (ULONG_PTR)pool_string(id);
      status = irp->IoStatus.Information ? STATUS_SUCCESS : STATUS_NO_MEMORY;
    }
    break;
  case IRP_MN_START_DEVICE:
  case IRP_MN_SURPRISE_REMOVAL:
  case IRP_MN_REMOVE_DEVICE:
    status = STATUS_SUCCESS;
    break;
  }
  irp->IoStatus.Status = status;
  IoCompleteRequest(irp, IO_NO_INCREMENT);
  return status;
}

NTSTATUS NTAPI HidTestBusEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry)
{
  UNICODE_STRING name;
  DEVICE_OBJECT *pdo;
  NTSTATUS status;
  (void)registry;
  RtlInitUnicodeString(&name, L"\\Device\\HidTestBus0");
  if ((status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_BUS_EXTENDER, 0, FALSE, &pdo))) return status;
  driver->MajorFunction[IRP_MJ_PNP] = bus_pnp;
  return STATUS_SUCCESS;
}

/* ---- the minidriver ---- */

static NTSTATUS WINAPI mini_add_device(DRIVER_OBJECT *driver, DEVICE_OBJECT *fdo)
{
  (void)driver;
  (void)fdo;
  return STATUS_SUCCESS;
}

/* PnP requests go down to the bus PDO. */
static NTSTATUS WINAPI mini_pnp(DEVICE_OBJECT *fdo, IRP *irp)
{
  HID_DEVICE_EXTENSION *ext = fdo->DeviceExtension;
  IoSkipCurrentIrpStackLocation(irp);
  return IoCallDriver(ext->NextDeviceObject, irp);
}

static NTSTATUS complete(IRP *irp, NTSTATUS status, ULONG_PTR information)
{
  irp->IoStatus.Status = status;
  irp->IoStatus.Information = information;
  IoCompleteRequest(irp, IO_NO_INCREMENT);
  return status;
}

/* hidclass's requests: METHOD_NEITHER, the output in UserBuffer. */
static NTSTATUS WINAPI mini_internal_ioctl(DEVICE_OBJECT *fdo, IRP *irp)
{
  IO_STACK_LOCATION *stack = IoGetCurrentIrpStackLocation(irp);
  ULONG out = stack->Parameters.DeviceIoControl.OutputBufferLength;
  (void)fdo;
  switch (stack->Parameters.DeviceIoControl.IoControlCode) {
  case IOCTL_HID_GET_DEVICE_DESCRIPTOR: {
    HID_DESCRIPTOR *d = irp->UserBuffer;
    if (out < sizeof(*d)) return complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
    memset(d, 0, sizeof(*d));
    d->bLength = sizeof(*d);
    d->bDescriptorType = HID_HID_DESCRIPTOR_TYPE;
    d->bcdHID = 0x0100;
    d->bNumDescriptors = 1;
    d->DescriptorList[0].bReportType = HID_REPORT_DESCRIPTOR_TYPE;
    d->DescriptorList[0].wReportLength = sizeof(report_descriptor);
    return complete(irp, STATUS_SUCCESS, sizeof(*d));
  }
  case IOCTL_HID_GET_REPORT_DESCRIPTOR:
    if (out < sizeof(report_descriptor)) return complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
    memcpy(irp->UserBuffer, report_descriptor, sizeof(report_descriptor));
    return complete(irp, STATUS_SUCCESS, sizeof(report_descriptor));
  case IOCTL_HID_GET_DEVICE_ATTRIBUTES: {
    HID_DEVICE_ATTRIBUTES *a = irp->UserBuffer;
    if (out < sizeof(*a)) return complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
    memset(a, 0, sizeof(*a));
    a->Size = sizeof(*a);
    a->VendorID = 0x1234;
    a->ProductID = 0x5678;
    a->VersionNumber = 1;
    return complete(irp, STATUS_SUCCESS, sizeof(*a));
  }
  case IOCTL_HID_READ_REPORT:
    if (unplugged) return complete(irp, STATUS_DEVICE_NOT_CONNECTED, 0);
    IoMarkIrpPending(irp);
    InterlockedExchangePointer((void **)&pending_read, irp);
    return STATUS_PENDING;
  default:
    return complete(irp, STATUS_NOT_SUPPORTED, 0);
  }
}

NTSTATUS NTAPI HidTestMiniEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry)
{
  HID_MINIDRIVER_REGISTRATION reg;
  driver->MajorFunction[IRP_MJ_PNP] = mini_pnp;
  driver->MajorFunction[IRP_MJ_INTERNAL_DEVICE_CONTROL] = mini_internal_ioctl;
  driver->DriverExtension->AddDevice = mini_add_device;
  memset(&reg, 0, sizeof(reg));
  reg.Revision = HID_REVISION;
  reg.DriverObject = driver;
  reg.RegistryPath = registry;
  reg.DeviceExtensionSize = 0;
  reg.DevicesArePolled = FALSE;
  unplugged = 0;
  pending_read = NULL;
  return HidRegisterMinidriver(&reg);
}

/* The device thread passes a window of the model when its report request returns pending, and then waits: 20 ms
   more lets it get there, so that the harness's later windows are counted in the same order in every run. */
int HidTestWaitRead(unsigned long ms)
{
  while (pending_read == NULL && ms-- > 0) Sleep(1);
  Sleep(20);
  return pending_read != NULL;
}

int HidTestSupplyReport(unsigned char value)
{
  IRP *irp = InterlockedExchangePointer((void **)&pending_read, NULL);
  IO_STACK_LOCATION *stack;
  if (irp == NULL) return 0;
  stack = IoGetCurrentIrpStackLocation(irp);
  if (stack->Parameters.DeviceIoControl.OutputBufferLength < 1) {
    complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
    return 1;
  }
  *(BYTE *)irp->UserBuffer = value;
  complete(irp, STATUS_SUCCESS, 1);
  return 1;
}

void HidTestUnplug(void)
{
  IRP *irp;
  InterlockedExchange(&unplugged, 1);
  if ((irp = InterlockedExchangePointer((void **)&pending_read, NULL))) complete(irp, STATUS_DEVICE_NOT_CONNECTED, 0);
}
