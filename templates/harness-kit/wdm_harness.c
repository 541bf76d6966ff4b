/* wdm_harness.c: the harness skeleton and cancellation injection on the kit's I/O-manager model. */
#include "wdm_harness.h"

#include <string.h>

#include "wdm_internal.h"

static DRIVER_OBJECT Driver;
static DEVICE_OBJECT Device;

PDEVICE_OBJECT WdmLoadDriver(WDM_DRIVER_ENTRY *DriverEntry, PVOID Extension)
{
  memset(&Driver, 0, sizeof Driver);
  memset(&Device, 0, sizeof Device);
  Device.DriverObject = &Driver;
  Device.DeviceExtension = Extension;
  Driver.DeviceObject = &Device;
  WdmForgetInFlight();
  DriverEntry(&Driver);
  return &Device;
}

NTSTATUS WdmSend(PIRP Irp, UCHAR Major)
{
  WdmInitIrp(Irp, &Device, Major);
  return WdmCallDriver(&Device, Irp);
}

BOOLEAN WdmCancel(PIRP Irp)
{
  return IoCancelIrp(Irp);
}

ULONG WdmInjectCancellation(WDM_SCENARIO *Scenario, void *Context)
{
  ULONG Pairs, Pair;
  WdmInjectRun(0);
  Scenario(Context);
  Pairs = WdmInjectPairs();
  for (Pair = 1; Pair <= Pairs; Pair++) {
    WdmInjectRun(Pair);
    Scenario(Context);
  }
  WdmInjectOff();
  return Pairs;
}
