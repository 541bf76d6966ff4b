/* harness.c: the kernel model as PnP manager over pnp.c's drivers; prints what it checked, one line each. */
#include <stdio.h>
#include "kmodel.h"
#include "pnp.h"

static int Failures;

static void Check(int ok, const char *what)
{
  printf("pnp-harness: %s: %s\n", ok ? "ok" : "FAILED", what);
  Failures += !ok;
}

int main(void)
{
  PDRIVER_OBJECT bus = KmLoadDriver(PnpBusEntry, L"PnpBus", NULL);
  PDRIVER_OBJECT fdo = KmLoadDriver(PnpFdoEntry, L"PnpFdo", NULL);
  PDEVICE_OBJECT pdo = KmFindDevice(L"\\Device\\PnpBus0");
  PDEVICE_OBJECT child;
  IO_STATUS_BLOCK iosb;
  KEVENT event;
  ULONG out = 0;

  Check(KmAddDevice(fdo, pdo) == STATUS_SUCCESS && pdo->AttachedDevice != NULL, "AddDevice attaches an FDO to the bus PDO");
  Check(KmStartDevice(pdo) == STATUS_SUCCESS, "the stack starts");
  Check(PnpResults.id, "IoBuildSynchronousFsdRequest(IRP_MJ_PNP): the status block gets the ID");
  Check(PnpResults.buffered == 42, "IoBuildDeviceIoControlRequest, METHOD_BUFFERED: output copied back");
  Check(PnpResults.neither == 82 && PnpResults.internal, "METHOD_NEITHER, internal: the caller's buffers");
  Check(PnpResults.read, "IoBuildSynchronousFsdRequest(IRP_MJ_READ), DO_BUFFERED_IO: Information bytes copied back");
  Check(PnpResults.childStarts == 1, "the invalidated bus relations start the new child once");
  child = KmFindInterface(&PnpInterface, 0);
  Check(child != NULL && child == KmFindDevice(L"\\Device\\PnpChild0"), "the child's enabled interface finds it");
  Check(KmProcessRelations() == 0 && PnpResults.childStarts == 1, "a child already started is not started again");

  KeInitializeEvent(&event, NotificationEvent, FALSE);
  Check(PnpSendPending(&event, &iosb, &out) == STATUS_PENDING && !KeReadStateEvent(&event) && out == 0, "a pended request: no event, no output yet");
  PnpBusCompletePending(7);
  Check(KeReadStateEvent(&event) && iosb.Status == STATUS_SUCCESS && iosb.Information == 4 && out == 7, "at its completion: event, status block, output");

  Check(KmPnp(child, IRP_MN_REMOVE_DEVICE, NULL) == STATUS_SUCCESS && KmFindInterface(&PnpInterface, 0) == NULL, "the child's removal disables its interface");
  Check(KmPnp(pdo, IRP_MN_REMOVE_DEVICE, NULL) == STATUS_SUCCESS && pdo->AttachedDevice == NULL, "the FDO's removal detaches it");
  KmUnloadDriver(fdo);
  KmUnloadDriver(bus);
  return Failures != 0 ? 2 : KmFinish();
}
