/* harness.c: runs the WDM sample driver on the spincheck kernel model: transfers through StartIo (one
   cancelled while queued, one while running), event waiters in the cancel-safe queue (one cancelled, one
   signalled), statistics, cleanup with requests still waiting, unload.
   ./harness.exe             one run of the scenario
   ./harness.exe --inject    the same, then once more per cancel window with that IRP cancelled there */
#include <stdio.h>
#include <string.h>

#include "kmodel.h"
#include "wdmsample.h"

typedef struct _RESULTS {
    int Checked;            /* the plain run checks every outcome; injected runs may legitimately differ */
    int Failures;
} RESULTS;

static void Expect(RESULTS *r, int ok, const char *what)
{
    if (r->Checked && !ok) {
        printf("harness: FAILED: %s\n", what);
        r->Failures++;
    }
}

static NTSTATUS Ioctl(PDEVICE_OBJECT dev, ULONG code, PFILE_OBJECT file, PVOID out, ULONG outLength)
{
    PIRP irp = KmBuildIoctl(dev, code, NULL, 0, outLength, file);
    NTSTATUS status = KmSendIrp(dev, irp);
    if (KmIrpCompleted(irp)) {
        status = irp->IoStatus.Status;
        if (out != NULL && NT_SUCCESS(status))
            memcpy(out, irp->AssociatedIrp.SystemBuffer, outLength);
        KmFreeIrp(irp);
    }
    return status;
}

static void Scenario(void *context)
{
    RESULTS *r = (RESULTS *)context;
    static const char data[] = "0123456789abcdef";
    PIRP transfers[6], waiters[3], irp;
    PDRIVER_OBJECT driver;
    PDEVICE_OBJECT dev;
    PFILE_OBJECT file;
    WDS_STATS stats;
    NTSTATUS status;
    int i;

    driver = KmLoadDriver(DriverEntry, L"WdmSample", &status);
    Expect(r, driver != NULL, "DriverEntry succeeds");
    if (driver == NULL)
        return;
    dev = KmFindDevice(WDS_DEVICE_NAME);
    file = KmOpenFile(dev);
    Expect(r, KmCall(dev, IRP_MJ_CREATE, file, NULL) == STATUS_SUCCESS, "create");

    /* An empty read completes at once; four transfers: the first starts at once, the others wait in the
       device queue. */
    irp = KmBuildRead(dev, 0, file);
    Expect(r, KmSendIrp(dev, irp) == STATUS_SUCCESS && KmIrpCompleted(irp), "an empty read completes at once");
    KmFreeIrp(irp);
    transfers[0] = KmBuildRead(dev, 8, file);
    transfers[1] = KmBuildWrite(dev, data, 16, file);
    transfers[2] = KmBuildRead(dev, 4, file);
    transfers[3] = KmBuildRead(dev, 4, file);
    for (i = 0; i < 4; i++)
        Expect(r, KmSendIrp(dev, transfers[i]) == STATUS_PENDING, "a transfer is pending");
    waiters[0] = KmBuildIoctl(dev, IOCTL_WDS_WAIT_EVENT, NULL, 0, 0, file);
    waiters[1] = KmBuildIoctl(dev, IOCTL_WDS_WAIT_EVENT, NULL, 0, 0, file);
    Expect(r, KmSendIrp(dev, waiters[0]) == STATUS_PENDING, "waiter 0 is pending");
    Expect(r, KmSendIrp(dev, waiters[1]) == STATUS_PENDING, "waiter 1 is pending");

    Expect(r, KmCancelIrp(transfers[2]), "cancel a queued transfer");        /* queued branch */
    KmAdvanceTime(3 * 10000);                                                 /* transfer 0 done, 1 starts */
    Expect(r, KmIrpCompleted(transfers[0]) && transfers[0]->IoStatus.Information == 8, "transfer 0 done");
    Expect(r, KmCancelIrp(transfers[1]), "cancel the running transfer");     /* current branch; 3 starts */
    Expect(r, KmCancelIrp(waiters[1]), "cancel a waiter");                   /* the cancel-safe queue */
    Expect(r, Ioctl(dev, IOCTL_WDS_SIGNAL, file, NULL, 0) == STATUS_SUCCESS, "signal");
    Expect(r, KmIrpCompleted(waiters[0]) && waiters[0]->IoStatus.Status == STATUS_SUCCESS, "waiter 0 signalled");
    KmFireTimers();                                                           /* transfer 3 done */

    /* Cleanup with a transfer running, one queued and one waiter. */
    transfers[4] = KmBuildRead(dev, 4, file);
    transfers[5] = KmBuildRead(dev, 4, file);
    waiters[2] = KmBuildIoctl(dev, IOCTL_WDS_WAIT_EVENT, NULL, 0, 0, file);
    KmSendIrp(dev, transfers[4]);
    KmSendIrp(dev, transfers[5]);
    KmSendIrp(dev, waiters[2]);
    Expect(r, KmCall(dev, IRP_MJ_CLEANUP, file, NULL) == STATUS_SUCCESS, "cleanup");
    Expect(r, KmIrpCompleted(transfers[5]) && transfers[5]->IoStatus.Status == STATUS_CANCELLED, "cleanup cancels a queued transfer");
    Expect(r, KmIrpCompleted(waiters[2]) && waiters[2]->IoStatus.Status == STATUS_CANCELLED, "cleanup cancels a waiter");
    KmFireTimers();                                                           /* transfer 4 done */
    Expect(r, Ioctl(dev, IOCTL_WDS_STATS, file, &stats, sizeof stats) == STATUS_SUCCESS, "statistics");
    Expect(r, stats.Transfers == 3 && stats.Cancelled == 2 && stats.Events == 1, "statistics: 3 transfers, 2 cancelled, 1 event");
    Expect(r, KmCall(dev, IRP_MJ_CLOSE, file, NULL) == STATUS_SUCCESS, "close");

    Expect(r, KmPendingIrps() == 0, "no IRP is left pending");
    for (i = 0; i < 6; i++)
        KmFreeIrp(transfers[i]);
    for (i = 0; i < 3; i++)
        KmFreeIrp(waiters[i]);
    KmCloseFile(file);
    KmUnloadDriver(driver);
}

int main(int argc, char **argv)
{
    RESULTS plain = { 1, 0 }, injected = { 0, 0 };
    int inject = argc > 1 && strcmp(argv[1], "--inject") == 0;
    int status;

    /* A campaign's child (each injected run is the harness started again) skips straight to its run. */
    if (!KmCampaignChild()) {
        Scenario(&plain);
        printf("harness: scenario %s\n", plain.Failures == 0 ? "passed" : "FAILED");
    }
    if (inject)
        printf("harness: %lu injected cancellations\n", (unsigned long)KmInjectCancellation(Scenario, &injected));
    status = KmFinish();
    printf("harness: %lu model error(s)\n", (unsigned long)KmErrors());
    return plain.Failures != 0 ? 2 : status;
}
