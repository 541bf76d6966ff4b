/* harness.c: Wine's http.sys (dlls/http.sys/http.c from Debian's wine source package, compiled unchanged
   against Wine's own headers) on the spincheck kernel model. A request queue is opened, receive-request
   IRPs wait in it with a cancel routine; one is cancelled by the harness, the others by the driver's own
   close routine (IoCancelIrp on each queued IRP). Run under Wine: the driver's sockets and threads are
   real; its IRPs, device object and cancel spin lock are the model's. */
#include <string.h>

#include "kmodel.h"
#include "http-request.h"

int main(void)
{
  struct http_receive_request_params params = { 0, 0, 0, 64 };
  PDRIVER_OBJECT driver;
  PDEVICE_OBJECT device;
  PFILE_OBJECT file;
  PIRP waits[3];
  NTSTATUS status;
  int i;

  driver = KmLoadDriver(DriverEntry, L"http", &status);
  expect(driver != NULL, "DriverEntry succeeds");
  if (driver == NULL) return 2;
  device = KmFindDevice(L"\\Device\\Http\\ReqQueue");
  expect(device != NULL, "the request queue device exists");
  file = KmOpenFile(device);
  expect(KmCall(device, IRP_MJ_CREATE, file, NULL) == STATUS_SUCCESS, "a request queue opens");

  for (i = 0; i < 3; i++) {
    waits[i] = KmBuildIoctl(device, IOCTL_HTTP_RECEIVE_REQUEST, &params, sizeof params, 256, file);
    expect(KmSendIrp(device, waits[i]) == STATUS_PENDING, "a receive-request IRP waits");
  }
  expect(KmCancelIrp(waits[1]), "the harness cancels a waiting IRP");
  expect(KmIrpCompleted(waits[1]) && waits[1]->IoStatus.Status == STATUS_CANCELLED, "it completes as cancelled");
  expect(KmCall(device, IRP_MJ_CLOSE, file, NULL) == STATUS_SUCCESS, "the queue closes");
  for (i = 0; i < 3; i++) {
    expect(KmIrpCompleted(waits[i]) && waits[i]->IoStatus.Status == STATUS_CANCELLED, "close cancels every waiting IRP");
    KmFreeIrp(waits[i]);
  }
  KmCloseFile(file);
  /* Not unloaded: http.sys's unload routine sets thread_stop and signals its request thread, but the thread's
     loop never reads thread_stop, so the unload waits forever for the thread to end (Wine 8.0). The process
     exit ends the thread. */
  printf("http-harness: %s\n", failures == 0 ? "passed" : "FAILED");
  return failures != 0 ? 2 : KmFinish();
}
