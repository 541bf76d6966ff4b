/* wdm_harness.c: the harness skeleton and the campaigns (cancellation injection, arrivals) on the kit's
   I/O-manager model, each run in a process of its own where the platform can (wdm_port.h). */
#define _XOPEN_SOURCE 700 /* fork, pipe, kill, nanosleep (wdm_port.h) under -std=c99 */
#include "wdm_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wdm_internal.h"
#include "wdm_port.h"

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

BOOLEAN WdmCancel(PIRP Irp)
{
  return IoCancelIrp(Irp);
}

/* ---- campaigns: a run in a process of its own (fork on POSIX), a summary of every run ---- */

typedef struct WDM_RUN_SPEC {
  WDM_SCENARIO *Scenario;
  void *Context;
  int Arrivals;          /* an arrival run, else a cancellation run */
  ULONG Target;          /* the pair (cancellation) or the window (arrival); 0: the counting run */
  UCHAR Major;           /* the arrival's major function */
  WDM_ARRIVAL *Arrive;
} WDM_RUN_SPEC;

/* What a counting run found: the pairs or windows it passed, the major functions it sent. */
typedef struct WDM_COUNT {
  ULONG Count;
  ULONG Majors;
  UCHAR Major[32];
} WDM_COUNT;

static WDM_RUN_SPEC *Current;
static WDM_COUNT Counted;
static ULONG WindowsSeen;
static int Arrived;

/* Arrival runs: counts the windows; at the target, the new request arrives. */
static void ArrivalWindow(void)
{
  WindowsSeen++;
  if (Current->Target != 0 && !Arrived && WindowsSeen == Current->Target) {
    Arrived = 1;
    Current->Arrive(Current->Major, Current->Context);
  }
}

/* One run in this process; what the counting run found goes to out. */
static size_t OneRun(void *Spec, void *Out, size_t Cap)
{
  WDM_RUN_SPEC *spec = (WDM_RUN_SPEC *)Spec;
  (void)Cap;
  Current = spec;
  memset(&Counted, 0, sizeof Counted);
  WindowsSeen = 0;
  Arrived = 0;
  if (spec->Arrivals) {
    WdmSetWindowHook(ArrivalWindow);
    spec->Scenario(spec->Context);
    WdmSetWindowHook(NULL);
    Counted.Count = WindowsSeen;
  } else {
    WdmInjectRun(spec->Target);
    spec->Scenario(spec->Context);
    Counted.Count = WdmInjectPairs();
    WdmInjectOff();
  }
  Current = NULL;
  memcpy(Out, &Counted, sizeof Counted);
  return sizeof Counted;
}

NTSTATUS WdmSend(PIRP Irp, UCHAR Major)
{
  ULONG i;
  if (Current != NULL && Current->Target == 0) {
    for (i = 0; i < Counted.Majors && Counted.Major[i] != Major; i++) {}
    if (i == Counted.Majors && i < sizeof Counted.Major) Counted.Major[Counted.Majors++] = Major;
  }
  WdmInitIrp(Irp, &Device, Major);
  return WdmCallDriver(&Device, Irp);
}

static const char *const RunWords[] = { "clean", "ended with a non-zero status", "crashed", "hung", "could not start" };

#if defined(WDM_ISOLATE) && defined(__ELF__)
/* The spincheck runtime, when the harness is linked with it (a weak reference: a plain build links without it). */
extern void spincheck_run_failed(void) __attribute__((weak));
#define WDM_RUN_FAILED() (spincheck_run_failed != NULL ? spincheck_run_failed() : (void)0)
#else
#define WDM_RUN_FAILED() ((void)0)
#endif

/* Runs one run, isolated where the platform can; its outcome (an index of RunWords). A run that did not end
   clean makes the harness's own exit status fail too (through the runtime), as it did when runs shared it. */
static int Isolated(WDM_RUN_SPEC *Spec, WDM_COUNT *Count)
{
#ifdef WDM_ISOLATE
  const char *isolate = getenv("WDM_ISOLATE"), *timeout = getenv("WDM_RUN_TIMEOUT");
  if (isolate == NULL || strcmp(isolate, "0") != 0) {
    int detail = 0;
    size_t got = 0;
    long seconds = timeout != NULL && *timeout != '\0' ? atol(timeout) : 60;
    enum wdm_run_end end;
    fflush(stdout);
    fflush(stderr);
    end = wdm_isolated(OneRun, Spec, Count, sizeof *Count, (unsigned)(seconds > 0 ? seconds : 60), &detail, &got);
    if (got != sizeof *Count) memset(Count, 0, sizeof *Count);
    if (end == WDM_RUN_EXITED && detail == 0) return 0;
    WDM_RUN_FAILED();
    if (end == WDM_RUN_EXITED) return 1;
    if (end == WDM_RUN_SIGNALLED) return 2;
    return end == WDM_RUN_HUNG ? 3 : 4;
  }
#endif
  OneRun(Spec, Count, sizeof *Count);
  return 0;
}

static void Report(const char *Campaign, ULONG Run, const WDM_RUN_SPEC *Spec, int Outcome)
{
  if (Outcome == 0) return;
  if (Spec->Arrivals)
    fprintf(stderr, "wdm: %s run %lu [arrival of major function %u at window %lu]: %s\n", Campaign, (unsigned long)Run,
            Spec->Major, (unsigned long)Spec->Target, RunWords[Outcome]);
  else
    fprintf(stderr, "wdm: %s run %lu [cancel pair %lu]: %s\n", Campaign, (unsigned long)Run, (unsigned long)Spec->Target,
            RunWords[Outcome]);
}

/* The summary, when a run was not clean (a clean campaign stays quiet, as the kit always was). */
static void Summary(const char *Campaign, ULONG Runs, const ULONG *Outcomes)
{
  if (Outcomes[0] == Runs) return;
  fprintf(stderr, "wdm: %s summary: %lu runs: %lu clean, %lu %s, %lu %s, %lu %s, %lu %s\n", Campaign, (unsigned long)Runs,
          (unsigned long)Outcomes[0], (unsigned long)Outcomes[1], RunWords[1], (unsigned long)Outcomes[2], RunWords[2],
          (unsigned long)Outcomes[3], RunWords[3], (unsigned long)Outcomes[4], RunWords[4]);
}

ULONG WdmInjectCancellation(WDM_SCENARIO *Scenario, void *Context)
{
  WDM_RUN_SPEC spec = { Scenario, Context, 0, 0, 0, NULL };
  WDM_COUNT count;
  ULONG Pairs, Pair, Outcomes[5] = { 0 };
  int outcome = Isolated(&spec, &count);
  Outcomes[outcome]++;
  Report("cancellation", 0, &spec, outcome);
  Pairs = count.Count;
  for (Pair = 1; Pair <= Pairs; Pair++) {
    spec.Target = Pair;
    outcome = Isolated(&spec, &count);
    Outcomes[outcome]++;
    Report("cancellation", Pair, &spec, outcome);
  }
  Summary("cancellation", Pairs + 1, Outcomes);
  return Pairs;
}

ULONG WdmInjectArrivals(WDM_SCENARIO *Scenario, void *Context, WDM_ARRIVAL *Arrive)
{
  WDM_RUN_SPEC spec = { Scenario, Context, 1, 0, 0, Arrive };
  WDM_COUNT count, counted;
  ULONG Window, Kind, Runs = 0, Outcomes[5] = { 0 };
  int outcome = Isolated(&spec, &counted);
  Outcomes[outcome]++;
  Report("arrival", 0, &spec, outcome);
  for (Window = 1; Window <= counted.Count; Window++) {
    for (Kind = 0; Kind < counted.Majors; Kind++) {
      spec.Target = Window;
      spec.Major = counted.Major[Kind];
      outcome = Isolated(&spec, &count);
      Outcomes[outcome]++;
      Report("arrival", ++Runs, &spec, outcome);
    }
  }
  Summary("arrival", Runs + 1, Outcomes);
  return Runs;
}
