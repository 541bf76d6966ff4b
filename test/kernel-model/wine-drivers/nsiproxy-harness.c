/* nsiproxy-harness.c: Wine's nsiproxy.sys (dlls/nsiproxy.sys/device.c from Debian's wine source package,
   compiled unchanged against Wine's own headers) on the spincheck kernel model. An ICMP echo request waits in
   the driver's request queue until its request thread sends it, then in a listen thread (a work item) until
   a reply; the cancel routine icmp_echo_cancel has a branch for each: a request still queued (no handle: the
   request thread completes it as cancelled) and a request in its listen thread (it calls icmp_cancel_listen).
   The Unix side is nsiproxy-unix.c (no network: a listen ends when cancelled or told to). To keep a request in
   the request queue while it is cancelled, the harness holds the driver's request thread (SuspendThread where it
   waits for requests), as when that thread is not scheduled yet.

     nsiproxy.exe            the scenario once: both branches, counted
     nsiproxy.exe --inject   and the cancellation campaign
     nsiproxy.exe --arrive   and the arrival campaign */
#include <stdio.h>
#include <string.h>

#include "kmodel.h"
#include "nsiproxy-unix.h"

#define IOCTL_NSIPROXY_WINE_ICMP_ECHO CTL_CODE(FILE_DEVICE_NETWORK, 0x403, METHOD_BUFFERED, 0)
#define REQUEST_BYTES 8

/* struct nsiproxy_icmp_echo of Wine's include/wine/nsi.h, with an 8-byte request. */
struct sockaddr_inet { USHORT family; USHORT port; ULONG addr; UCHAR rest[20]; };
struct icmp_echo {
  struct sockaddr_inet src, dst;
  ULONGLONG user_reply_ptr;
  UCHAR bits, ttl, tos, flags;
  ULONG opt_size, req_size, timeout;
  UCHAR data[REQUEST_BYTES];
};

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static struct { ULONG queuedCancels, listeningCancels, failures; } Counts;

static void Expect(int ok, const char *what)
{
  if (!ok) {
    printf("nsiproxy-harness: FAILED: %s\n", what);
    Counts.failures++;
  }
}

static PIRP Echo(PDEVICE_OBJECT device)
{
  struct icmp_echo in;
  memset(&in, 0, sizeof in);
  in.dst.family = 2; /* AF_INET */
  in.dst.addr = 0x0100007f;
  in.bits = 64;
  in.ttl = 64;
  in.req_size = REQUEST_BYTES;
  in.timeout = 1000;
  return KmBuildIoctl(device, IOCTL_NSIPROXY_WINE_ICMP_ECHO, &in, sizeof in, 256, NULL);
}

/* Waits (up to 10 s) until the driver's threads complete Irp. */
static BOOL WaitCompleted(PIRP Irp)
{
  int i;
  for (i = 0; i < 10000 && !KmIrpCompleted(Irp); i++) NsiSleep(1);
  return KmIrpCompleted(Irp);
}

static void Scenario(void *Context)
{
  PDRIVER_OBJECT driver;
  PDEVICE_OBJECT device;
  PIRP listening, queued;
  long calls;
  int i;

  (void)Context;
  NsiUnixReset();
  NsiBeforeDriverEntry();
  driver = KmLoadDriver(DriverEntry, L"nsiproxy", NULL);
  device = KmFindDevice(L"\\Device\\Nsi");
  Expect(NsiFindRequestThread(), "DriverEntry starts a request thread");
  /* The first request: the request thread sends it and gives it to a listen thread with its handle. */
  listening = Echo(device);
  KmSendIrp(device, listening);
  Expect(NsiWaitListening(10000), "the first echo is sent and listened for");
  /* The second stays in the request queue: cancelled there, the cancel routine finds no handle; the request
     thread, let run, completes it as cancelled. */
  NsiHoldRequestThread();
  queued = Echo(device);
  KmSendIrp(device, queued);
  if (!KmIrpCompleted(queued)) {
    KmCancelIrp(queued);
    Counts.queuedCancels++;
  }
  NsiReleaseRequestThread();
  Expect(WaitCompleted(queued), "the request thread completes the cancelled queued request");
  /* Cancelled while listening, the cancel routine calls icmp_cancel_listen and the listen thread completes it. */
  if (!KmIrpCompleted(listening)) {
    calls = NsiCancelListenCalls;
    KmCancelIrp(listening);
    Expect(NsiCancelListenCalls == calls + 1, "cancelling a listening request calls icmp_cancel_listen");
    Counts.listeningCancels++;
  }
  /* Every other request (an arrival of a campaign) gets its reply; then nothing is pending. */
  NsiRepliesNow();
  Expect(WaitCompleted(listening), "the listen thread completes the listening request");
  for (i = 0; i < 10000 && KmPendingIrps() != 0; i++) NsiSleep(1);
  KmFreeIrp(listening);
  KmFreeIrp(queued);
  /* nsiproxy.sys has no unload routine (its request thread runs until the process ends): this deletes its
     device and driver object only. */
  KmUnloadDriver(driver);
}

int main(int argc, char **argv)
{
  int i;

  if (!KmCampaignChild()) {
    Scenario(NULL);
    printf("nsiproxy-harness: cancelled %lu queued, %lu listening\n", (unsigned long)Counts.queuedCancels,
           (unsigned long)Counts.listeningCancels);
  }
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--inject") == 0) printf("nsiproxy-harness: %lu injected cancellations\n", (unsigned long)KmInjectCancellation(Scenario, NULL));
    if (strcmp(argv[i], "--arrive") == 0) printf("nsiproxy-harness: %lu arrival runs\n", (unsigned long)KmInjectArrivals(Scenario, NULL));
  }
  printf("nsiproxy-harness: %s\n", Counts.failures == 0 ? "passed" : "FAILED");
  return Counts.failures != 0 ? 2 : KmFinish();
}
