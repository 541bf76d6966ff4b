/* harness.c: drives the example driver through create, reads, a queue-depth request, a cancel, a DPC
   completion, cleanup and a request to the stopped queue;
   `harness --inject` repeats that scenario cancelling each in-flight IRP at every cancel window. */
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "wdm_harness.h"

static int Completed;
static ULONG DpcCompleted;

static void Scenario(void *Context)
{
    QUEUE_EXTENSION extension;
    PDEVICE_OBJECT device;
    IRP create, reads[4], depth, cleanup, stopped;
    KIRQL old;
    int i;

    (void)Context;
    memset(&extension, 0, sizeof extension);
    InitializeListHead(&extension.PendingReads);
    KeInitializeSpinLock(&extension.QueueLock);
    device = WdmLoadDriver(DriverEntry, &extension);

    WdmSend(&create, IRP_MJ_CREATE);
    for (i = 0; i < 3; i++) WdmSend(&reads[i], IRP_MJ_READ);
    WdmSend(&depth, IRP_MJ_DEVICE_CONTROL);
    WdmCancel(&reads[1]);

    QdStartNext(device);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    QdCompleteCurrent(device);
    KeLowerIrql(old);

    QdStartNext(device);
    WdmCancel(&reads[2]);

    WdmInitIrp(&reads[3], device, IRP_MJ_READ);
    reads[3].Cancel = TRUE;
    WdmCallDriver(device, &reads[3]);

    WdmSend(&cleanup, IRP_MJ_CLEANUP);
    WdmSend(&stopped, IRP_MJ_DEVICE_CONTROL);

    for (i = 0; i < 4; i++) Completed += reads[i].Completed;
    DpcCompleted += extension.Completed;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--inject") == 0) {
        ULONG runs = WdmInjectCancellation(Scenario, NULL);
        printf("harness: %lu runs with an injected cancel, %d reads completed in all\n", (unsigned long)runs, Completed);
        return 0;
    }
    Scenario(NULL);
    printf("harness: %d of 4 reads completed, %lu by the DPC\n", Completed, (unsigned long)DpcCompleted);
    return 0;
}
