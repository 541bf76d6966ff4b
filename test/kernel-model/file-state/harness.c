/* harness.c: open, read, make the device exclusive, read, end exclusivity, close; then the arrival campaign
   (--arrive). The driver bug checks if the state of the harness's file object is gone before its close. */
#include <stdio.h>
#include <string.h>
#include "kmodel.h"
#include "driver.h"

static void Control(PDEVICE_OBJECT Device, ULONG Code, PFILE_OBJECT File)
{
  PIRP irp = KmBuildIoctl(Device, Code, NULL, 0, 0, File);
  KmSendIrp(Device, irp);
  KmFreeIrp(irp);
}

static void Read(PDEVICE_OBJECT Device, PFILE_OBJECT File)
{
  PIRP irp = KmBuildRead(Device, 4, File);
  KmSendIrp(Device, irp);
  KmFreeIrp(irp);
}

static void Scenario(void *Context)
{
  PDRIVER_OBJECT driver = KmLoadDriver(FsEntry, L"Fs", NULL);
  PDEVICE_OBJECT device = KmFindDevice(L"\\Device\\Fs");
  PFILE_OBJECT file = KmOpenFile(device);
  (void)Context;
  KmCall(device, IRP_MJ_CREATE, file, NULL);
  Read(device, file);
  Control(device, IOCTL_FS_EXCLUSIVE_ON, file);
  Read(device, file);
  Control(device, IOCTL_FS_EXCLUSIVE_OFF, file);
  KmCall(device, IRP_MJ_CLOSE, file, NULL);
  KmCloseFile(file);
  KmUnloadDriver(driver);
}

int main(int argc, char **argv)
{
  if (!KmCampaignChild()) Scenario(NULL);
  if (argc > 1 && strcmp(argv[1], "--arrive") == 0) printf("fs-harness: %lu arrival runs\n", (unsigned long)KmInjectArrivals(Scenario, NULL));
  return KmFinish();
}
