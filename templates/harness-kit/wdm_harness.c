/* wdm_harness.c: the harness skeleton and cancellation injection on the kit's I/O-manager model. */
#include "wdm_harness.h"

#include <string.h>

#include "wdm_internal.h"

#define WDM_MAX_WINDOWS 4096

static DRIVER_OBJECT Driver;
static DEVICE_OBJECT Device;

/* Injection state: counting the windows (and the IRPs in flight at each), or cancelling in-flight IRP
   TargetIrp at window TargetWindow. */
static int Counting;
static ULONG Window;
static ULONG WindowIrps[WDM_MAX_WINDOWS];
static int Armed;
static ULONG TargetWindow;
static ULONG TargetIrp;

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

static void AtWindow(void)
{
  ULONG w = Window++;
  if (Counting && w < WDM_MAX_WINDOWS) WindowIrps[w] = WdmInFlight();
  if (Armed && w == TargetWindow) {
    PIRP Victim = WdmInFlightIrp(TargetIrp);
    Armed = 0;
    if (Victim && !Victim->Cancel) IoCancelIrp(Victim);
  }
}

ULONG WdmInjectCancellation(WDM_SCENARIO *Scenario, void *Context)
{
  ULONG Windows, w, j, Runs = 0;
  WdmSetCancelWindowHook(AtWindow);
  Counting = 1;
  Window = 0;
  Scenario(Context);
  Counting = 0;
  Windows = Window < WDM_MAX_WINDOWS ? Window : WDM_MAX_WINDOWS;
  for (w = 0; w < Windows; w++) {
    for (j = 0; j < WindowIrps[w]; j++) {
      Window = 0;
      Armed = 1;
      TargetWindow = w;
      TargetIrp = j;
      Scenario(Context);
      Armed = 0;
      Runs++;
    }
  }
  WdmSetCancelWindowHook(NULL);
  return Runs;
}
