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

/* Arrivals: runs Scenario once to count its windows and record the major functions it sends (WdmSend), then
   once per (window, major function): at that window Arrive(Major, Context) is called as another processor (at
   PASSIVE_LEVEL) and sends one new request of that kind (WdmSend with IRP storage of its own that outlives the
   run). Returns the arrival runs.

   On POSIX each run of both campaigns is a process of its own (fork): a crash, an abort or a hang
   (WDM_RUN_TIMEOUT seconds, 60 by default) ends that run only, and the campaign ends with a summary on stderr when
   a run was not clean (WDM_ISOLATE=0: runs in the harness's process). A run's violations are in its own run data;
   the harness's exit status no longer carries them (`spincheck report` fails on them). On Windows the runs share the harness's process. */
typedef void WDM_ARRIVAL(UCHAR Major, void *Context);
ULONG WdmInjectArrivals(WDM_SCENARIO *Scenario, void *Context, WDM_ARRIVAL *Arrive);

#endif
