/* harness.c: the tone driver's harness: open, play two tones, let the timer end them, close. `--inject` adds
   the cancellation campaign, `--arrive` the arrival campaign. */
#include <stdio.h>
#include <string.h>

#include "kmodel.h"

#define IOCTL_TONE_PLAY CTL_CODE(FILE_DEVICE_BEEP, 1, METHOD_BUFFERED, FILE_ANY_ACCESS)

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static void Scenario(void *Context)
{
  PDRIVER_OBJECT driver = KmLoadDriver(DriverEntry, L"Tone", NULL);
  PDEVICE_OBJECT dev = KmFindDevice(L"\\Device\\Tone");
  PFILE_OBJECT file = KmOpenFile(dev);
  ULONG tone[2] = { 440, 20 };
  int i;
  (void)Context;
  KmCall(dev, IRP_MJ_CREATE, file, NULL);
  for (i = 0; i < 2; i++) {
    PIRP irp = KmBuildIoctl(dev, IOCTL_TONE_PLAY, tone, sizeof tone, 0, file);
    KmSendIrp(dev, irp);
    KmAdvanceTime(30 * 10000);
    KmFreeIrp(irp);
  }
  KmCall(dev, IRP_MJ_CLOSE, file, NULL);
  KmCloseFile(file);
  KmUnloadDriver(driver);
}

int main(int argc, char **argv)
{
  int i;
  if (!KmCampaignChild()) Scenario(NULL);
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--inject") == 0) printf("harness: %lu injected cancellations\n", (unsigned long)KmInjectCancellation(Scenario, NULL));
    if (strcmp(argv[i], "--arrive") == 0) printf("harness: %lu arrival runs\n", (unsigned long)KmInjectArrivals(Scenario, NULL));
  }
  return KmFinish();
}
