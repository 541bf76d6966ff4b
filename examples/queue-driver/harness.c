/* harness.c: drives the example driver through create, reads, a cancel, a DPC completion and cleanup. */
#include <stdio.h>

#include "driver.h"

static QUEUE_EXTENSION Extension;
static DRIVER_OBJECT Driver;
static DEVICE_OBJECT Device;

static NTSTATUS Send(PIRP Irp, UCHAR Major)
{
    WdmInitIrp(Irp, &Device, Major);
    return WdmCallDriver(&Device, Irp);
}

int main(void)
{
    IRP create, reads[4], cleanup;
    KIRQL old;
    int i, completed = 0;

    InitializeListHead(&Extension.PendingReads);
    Device.DriverObject = &Driver;
    Device.DeviceExtension = &Extension;
    DriverEntry(&Driver);

    Send(&create, IRP_MJ_CREATE);
    for (i = 0; i < 3; i++) Send(&reads[i], IRP_MJ_READ);
    IoCancelIrp(&reads[1]);

    QdStartNext(&Device);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    QdCompleteCurrent(&Device);
    KeLowerIrql(old);

    QdStartNext(&Device);
    IoCancelIrp(&reads[2]);

    WdmInitIrp(&reads[3], &Device, IRP_MJ_READ);
    reads[3].Cancel = TRUE;
    WdmCallDriver(&Device, &reads[3]);

    Send(&cleanup, IRP_MJ_CLEANUP);

    for (i = 0; i < 4; i++) completed += reads[i].Completed;
    printf("harness: %d of 4 reads completed, %lu by the DPC\n", completed, (unsigned long)Extension.Completed);
    return 0;
}
