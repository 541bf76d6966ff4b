/* http-harness.c: Wine's http.sys (dlls/http.sys/http.c from Debian's wine source package, compiled unchanged
   against Wine's own headers) under the kernel model's campaigns. A request queue is opened; receive-request
   IRPs wait in it with the cancel routine http_receive_request_cancel (one path: release the cancel spin lock,
   unlink, complete as cancelled); the harness cancels one, the driver's close routine cancels the rest.

     http.exe            the scenario once
     http.exe --inject   and the cancellation campaign
     http.exe --arrive   and the arrival campaign */
#include <string.h>

#include "kmodel.h"
#include "../http-sys/http-request.h"

#define WAITS 2

/* http.sys is loaded once per process: its unload routine waits forever for its request thread, which never
   reads the stop flag (Wine 8.0); each campaign run is a process of its own, so each run loads it afresh. */
static PDEVICE_OBJECT Load(void)
{
  static PDEVICE_OBJECT device;
  if (device == NULL && KmLoadDriver(DriverEntry, L"http", NULL) != NULL) device = KmFindDevice(L"\\Device\\Http\\ReqQueue");
  return device;
}

static void Scenario(void *Context)
{
  struct http_receive_request_params params = { 0, 0, 0, 64 };
  PDEVICE_OBJECT device = Load();
  PFILE_OBJECT file;
  PIRP waits[WAITS];
  int i;

  (void)Context;
  expect(device != NULL, "DriverEntry succeeds and creates the request queue device");
  if (device == NULL) return;
  file = KmOpenFile(device);
  expect(KmCall(device, IRP_MJ_CREATE, file, NULL) == STATUS_SUCCESS, "a request queue opens");
  for (i = 0; i < WAITS; i++) {
    waits[i] = KmBuildIoctl(device, IOCTL_HTTP_RECEIVE_REQUEST, &params, sizeof params, 256, file);
    KmSendIrp(device, waits[i]);
  }
  if (!KmIrpCompleted(waits[0])) KmCancelIrp(waits[0]);
  expect(KmCall(device, IRP_MJ_CLOSE, file, NULL) == STATUS_SUCCESS, "the queue closes");
  for (i = 0; i < WAITS; i++) {
    expect(KmIrpCompleted(waits[i]), "every waiting IRP completes");
    KmFreeIrp(waits[i]);
  }
  KmCloseFile(file);
}

int main(int argc, char **argv)
{
  int i;

  if (!KmCampaignChild()) Scenario(NULL);
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--inject") == 0) printf("http-harness: %lu injected cancellations\n", (unsigned long)KmInjectCancellation(Scenario, NULL));
    if (strcmp(argv[i], "--arrive") == 0) printf("http-harness: %lu arrival runs\n", (unsigned long)KmInjectArrivals(Scenario, NULL));
  }
  printf("http-harness: %s\n", failures == 0 ? "passed" : "FAILED");
  return failures != 0 ? 2 : KmFinish();
}
