/* harness.c: one IRP_MJ_DEVICE_CONTROL (a violation, counted sites), then the driver bug checks: on this thread
   (no argument), or with --blocked on a thread-pool thread while another thread is blocked (host.c). */
#include <stdio.h>
#include <string.h>
#include "kmodel.h"
#include "driver.h"
#include "host.h"

int main(int argc, char **argv)
{
  PDRIVER_OBJECT driver = KmLoadDriver(BcEntry, L"Bc", NULL);
  PDEVICE_OBJECT device = KmFindDevice(L"\\Device\\Bc");
  PFILE_OBJECT file = KmOpenFile(device);
  KmCall(device, IRP_MJ_CREATE, file, NULL);
  KmCall(device, IRP_MJ_DEVICE_CONTROL, file, NULL);
  printf("bugcheck-harness: bug checking\n");
  if (argc > 1 && strcmp(argv[1], "--blocked") == 0) HostRunBlocked(BcBugCheck, driver);
  else BcBugCheck(driver);
  return 0;
}
