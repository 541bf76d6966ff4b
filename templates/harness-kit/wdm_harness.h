/* wdm_harness.h: a harness skeleton on the kit: load a driver, send and cancel IRPs, inject cancellation. */
#ifndef WDM_HARNESS_H
#define WDM_HARNESS_H 1

#include "wdm_user.h"

typedef NTSTATUS WDM_DRIVER_ENTRY(PDRIVER_OBJECT DriverObject);

/* Calls DriverEntry with a fresh driver object and one device object whose extension is Extension. */
PDEVICE_OBJECT WdmLoadDriver(WDM_DRIVER_ENTRY *DriverEntry, PVOID Extension);
/* Initialises Irp for the loaded device and sends it to the driver's dispatch routine for Major. */
NTSTATUS WdmSend(PIRP Irp, UCHAR Major);
/* IoCancelIrp from the harness, as another thread of a real system would. */
BOOLEAN WdmCancel(PIRP Irp);

/* Cancellation injection. Runs Scenario once to count the cancel windows it passes with IRPs in flight
   (the cancel lock released, a cancel routine set, a dispatch routine returned), then once per (window,
   in-flight IRP) pair, cancelling that IRP at that window: the cancel paths ordinary tests rarely reach.
   The scenario must set up the driver itself (WdmLoadDriver) each time. Returns the injected runs. */
typedef void WDM_SCENARIO(void *Context);
ULONG WdmInjectCancellation(WDM_SCENARIO *Scenario, void *Context);

#endif
