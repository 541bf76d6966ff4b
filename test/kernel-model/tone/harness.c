/* harness.c: the tone driver's harness: open, play two tones, let the timer end them, close. `--inject` adds
   the cancellation campaign, `--arrive` the arrival campaign, `--hook` one run with a request of the harness's
   own arriving inside StartIo (KmOnWindow). */
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

/* --hook: the harness as another processor; at the first window inside StartIo a second request arrives. */
static PIRP Arrived;
static char ArrivedAt[240];

static void Hook(void *Context)
{
  char label[240];
  ULONG tone[2] = { 880, 10 };
  (void)Context;
  KmWindowLabel(label, sizeof label);
  if (Arrived != NULL || strstr(label, "ToneStartIo") == NULL) return;
  strcpy(ArrivedAt, label);
  Arrived = KmBuildIoctl(KmFindDevice(L"\\Device\\Tone"), IOCTL_TONE_PLAY, tone, sizeof tone, 0, NULL);
  KmSendIrp(KmFindDevice(L"\\Device\\Tone"), Arrived);
}

int main(int argc, char **argv)
{
  int i;
  if (!KmCampaignChild()) Scenario(NULL);
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--hook") == 0) {
      KmOnWindow(Hook, NULL);
      Scenario(NULL);
      KmOnWindow(NULL, NULL);
      printf("harness: a request arrived at %s; %s\n", ArrivedAt, Arrived != NULL && KmIrpCompleted(Arrived) ? "completed" : "not completed");
    }
    if (strcmp(argv[i], "--inject") == 0) printf("harness: %lu injected cancellations\n", (unsigned long)KmInjectCancellation(Scenario, NULL));
    if (strcmp(argv[i], "--arrive") == 0) printf("harness: %lu arrival runs\n", (unsigned long)KmInjectArrivals(Scenario, NULL));
  }
  return KmFinish();
}
