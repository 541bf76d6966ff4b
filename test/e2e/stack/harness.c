/* Sends one read (double acquire two helpers down) and one write (release of the free lock two helpers down). */
#include "wdm_user.h"
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject);
int main(void)
{
    static DRIVER_OBJECT driver;
    static DEVICE_OBJECT device;
    static IRP irp;
    DriverEntry(&driver);
    device.DriverObject = &driver;
    WdmInitIrp(&irp, &device, IRP_MJ_READ);
    WdmCallDriver(&device, &irp); /* MAIN-READ */
    WdmInitIrp(&irp, &device, IRP_MJ_WRITE);
    WdmCallDriver(&device, &irp);
    return 0;
}
