/* hid-harness.c: Wine's hidclass.sys (and hidparse.sys) unchanged on the kernel model, over our minidriver and
   bus driver (hid-minidriver.c). The harness is the PnP manager: it loads the bus driver and the minidriver
   (which registers with hidclass), adds hidclass's FDO to the bus PDO and starts it; hidclass asks the
   minidriver for its descriptors, parses them (hidparse.sys), creates its HID collection PDO and invalidates
   the bus relations, and the model starts that child, which registers its device interface. The harness opens
   the child through that interface and reads: a read with no report waiting queues with read_cancel_routine.
   One read is cancelled (the cancel routine), one is completed by a report from the device thread (the
   queue's pop), one is completed by the surprise removal (the queue emptied). Then close and remove. */
#include <stdio.h>
#include <string.h>
#include "kmodel.h"
#include "hid-minidriver.h"

DECLSPEC_IMPORT VOID NTAPI Sleep(ULONG Milliseconds); /* kernel32 (windows.h clashes with the DDK) */

/* GUID_DEVINTERFACE_HID (hidclass.h) */
static const GUID HidInterface = { 0x4d1e55b2, 0xf16f, 0x11cf, { 0x88, 0xcb, 0x00, 0x11, 0x11, 0x00, 0x00, 0x30 } };

static struct { ULONG cancelled, reported, removed, failures; } Counts;
static int Strict; /* the plain run: every expectation must hold (an injected run may change outcomes) */

static void Expect(int ok, const char *what)
{
  if (ok || !Strict) return;
  printf("hid-harness: FAILED: %s\n", what);
  Counts.failures++;
}

/* At most 5 s (1 s in an injected run, where an injected cancel may keep a read from ever completing: the
   device thread, waiting for its next report meanwhile, must not look deadlocked to the model, which gives a
   wait 10 s; the waits for the device thread's report requests are shortened likewise). */
static BOOL WaitCompleted(PIRP Irp)
{
  ULONG ms;
  for (ms = 0; ms < (Strict ? 5000u : 1000u) && !KmIrpCompleted(Irp); ms++) Sleep(1);
  return KmIrpCompleted(Irp);
}

static void Scenario(void *Context)
{
  PDRIVER_OBJECT bus, mini;
  PDEVICE_OBJECT pdo, child;
  PFILE_OBJECT file;
  PIRP cancelled, reported, removed;
  NTSTATUS status;
  (void)Context;

  bus = KmLoadDriver(HidTestBusEntry, L"HidTestBus", NULL);
  pdo = KmFindDevice(L"\\Device\\HidTestBus0");
  mini = KmLoadDriver(HidTestMiniEntry, L"HidTest", &status);
  Expect(bus != NULL && pdo != NULL && mini != NULL, "the bus driver and the minidriver load");
  if (mini == NULL || pdo == NULL) return;
  Expect(KmAddDevice(mini, pdo) == STATUS_SUCCESS, "hidclass adds its FDO to the bus PDO");
  Expect(KmStartDevice(pdo) == STATUS_SUCCESS, "the HID device starts");
  child = KmFindInterface(&HidInterface, 0);
  Expect(child != NULL, "the HID collection PDO registers and enables its GUID_DEVINTERFACE_HID interface");
  if (child == NULL) return;
  Expect(HidTestWaitRead(Strict ? 10000 : 2000), "the device thread asks the minidriver for a report");

  file = KmOpenFile(child);
  Expect(KmCall(child, IRP_MJ_CREATE, file, NULL) == STATUS_SUCCESS, "the collection opens");

  cancelled = KmBuildRead(child, 2, file);
  Expect(KmSendIrp(child, cancelled) == STATUS_PENDING, "a read without a report queues");
  if (!KmIrpCompleted(cancelled)) {
    KmCancelIrp(cancelled); /* read_cancel_routine */
    Counts.cancelled += KmIrpCompleted(cancelled) && cancelled->IoStatus.Status == STATUS_CANCELLED;
  }
  Expect(KmIrpCompleted(cancelled) && cancelled->IoStatus.Status == STATUS_CANCELLED, "the cancel routine completes the read cancelled");

  reported = KmBuildRead(child, 2, file);
  Expect(KmSendIrp(child, reported) == STATUS_PENDING, "a second read queues");
  Expect(HidTestSupplyReport(0x5A), "the minidriver has a report request to complete");
  Expect(WaitCompleted(reported), "the device thread completes the queued read with the report");
  Counts.reported += KmIrpCompleted(reported) && reported->IoStatus.Status == STATUS_SUCCESS &&
                     ((UCHAR *)reported->AssociatedIrp.SystemBuffer)[1] == 0x5A;
  Expect(HidTestWaitRead(Strict ? 10000 : 2000), "the device thread asks for the next report");

  removed = KmBuildRead(child, 2, file);
  Expect(KmSendIrp(child, removed) == STATUS_PENDING, "a third read queues");
  Expect(KmPnp(child, IRP_MN_SURPRISE_REMOVAL, NULL) == STATUS_SUCCESS, "the collection is surprise-removed");
  Counts.removed += KmIrpCompleted(removed) && removed->IoStatus.Status == STATUS_DELETE_PENDING;
  Expect(KmIrpCompleted(removed), "the surprise removal completes the queued read");
  HidTestUnplug(); /* the device thread's report request fails, it sees the halt event and ends */

  KmCall(child, IRP_MJ_CLOSE, file, NULL);
  Expect(KmPnp(child, IRP_MN_REMOVE_DEVICE, NULL) == STATUS_SUCCESS, "the collection is removed");
  Expect(KmPnp(pdo, IRP_MN_REMOVE_DEVICE, NULL) == STATUS_SUCCESS, "the FDO is removed");
  if (KmIrpCompleted(cancelled)) KmFreeIrp(cancelled);
  if (KmIrpCompleted(reported)) KmFreeIrp(reported);
  if (KmIrpCompleted(removed)) KmFreeIrp(removed);
  KmCloseFile(file);
  KmUnloadDriver(mini);
  KmUnloadDriver(bus);
}

int main(int argc, char **argv)
{
  int i;

  if (!KmCampaignChild()) {
    Strict = 1;
    Scenario(NULL);
    Strict = 0;
    printf("hid-harness: reads cancelled %lu, completed by a report %lu, by removal %lu; raw inputs %ld\n",
           (unsigned long)Counts.cancelled, (unsigned long)Counts.reported, (unsigned long)Counts.removed, HidTestRawInputs);
  }
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--inject") == 0) printf("hid-harness: %lu injected cancellations\n", (unsigned long)KmInjectCancellation(Scenario, NULL));
    if (strcmp(argv[i], "--arrive") == 0) printf("hid-harness: %lu arrival runs\n", (unsigned long)KmInjectArrivals(Scenario, NULL));
  }
  printf("hid-harness: %s\n", Counts.failures == 0 ? "passed" : "FAILED");
  return Counts.failures != 0 ? 2 : KmFinish();
}
