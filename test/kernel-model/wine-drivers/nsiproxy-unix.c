/* nsiproxy-unix.c: the Unix side of Wine's nsiproxy.sys for the harness (the driver's WINE_UNIX_CALL goes to
   __wine_unix_call_dispatcher, which Wine's ntdll provides only to modules of Wine's own build). ICMP echoes
   never reach the network: icmp_send_echo hands out a handle and answers "pending", icmp_listen waits until icmp_cancel_listen or the harness's "replies now" for that handle. */
#include <windows.h>
#include <tlhelp32.h>

#include "nsiproxy-unix.h"

#define STATUS_PENDING_ ((LONG)0x00000103)
#define STATUS_CANCELLED_ ((LONG)0xC0000120)
#define STATUS_NOT_SUPPORTED_ ((LONG)0xC00000BB)
#define STATUS_IO_TIMEOUT_ ((LONG)0xC00000B5)
#define HANDLES 64

enum unix_calls { icmp_cancel_listen, icmp_close, icmp_listen, icmp_send_echo };

struct icmp_handle_params { UINT handle; };
struct icmp_listen_params { UINT handle; void *reply; ULONGLONG user_reply_ptr; unsigned int bits, reply_len; int timeout; };
struct icmp_send_echo_params { void *dst; void *request, *reply; UINT request_size, reply_len; BYTE bits, ttl, tos; UINT *handle; };

static HANDLE listen_started, listening[HANDLES];
static volatile LONG next_handle, replies_now;
static DWORD known[64];
static int nknown;
static HANDLE request_thread;
volatile long NsiCancelListenCalls;

void NsiSleep(unsigned long ms) { Sleep(ms); }

void NsiUnixReset(void)
{
  int i;
  if (listen_started == NULL) {
    listen_started = CreateEventW(NULL, FALSE, FALSE, NULL);
    for (i = 0; i < HANDLES; i++) listening[i] = CreateEventW(NULL, TRUE, FALSE, NULL);
  }
  ResetEvent(listen_started);
  for (i = 0; i < HANDLES; i++) ResetEvent(listening[i]);
  next_handle = 0;
  replies_now = 0;
  NsiCancelListenCalls = 0;
}

int NsiWaitListening(unsigned long ms) { return WaitForSingleObject(listen_started, ms) == WAIT_OBJECT_0; }

void NsiRepliesNow(void)
{
  int i;
  replies_now = 1;
  for (i = 0; i < HANDLES; i++) SetEvent(listening[i]);
}

static LONG WINAPI dispatch(ULONGLONG handle, unsigned int code, void *args)
{
  (void)handle;
  switch (code) {
  case icmp_send_echo: {
    struct icmp_send_echo_params *p = args;
    *p->handle = (UINT)(InterlockedIncrement(&next_handle) % HANDLES) + 1;
    return STATUS_PENDING_;
  }
  case icmp_listen: {
    struct icmp_listen_params *p = args;
    SetEvent(listen_started);
    WaitForSingleObject(listening[p->handle - 1], 30000);
    p->reply_len = 0;
    return replies_now ? STATUS_IO_TIMEOUT_ : STATUS_CANCELLED_;
  }
  case icmp_cancel_listen:
    InterlockedIncrement(&NsiCancelListenCalls);
    SetEvent(listening[((struct icmp_handle_params *)args)->handle - 1]);
    return 0;
  case icmp_close:
    return 0;
  default:
    return STATUS_NOT_SUPPORTED_;
  }
}

ULONGLONG __wine_unixlib_handle = 1;
LONG (WINAPI *__wine_unix_call_dispatcher)(ULONGLONG, unsigned int, void *) = dispatch;
LONG WINAPI __wine_init_unix_call(void) { return 0; }

/* The threads of this process, by id (at most 64). */
static int threads(DWORD *ids)
{
  THREADENTRY32 t = { sizeof t, 0, 0, 0, 0, 0, 0 };
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  int n = 0;
  if (Thread32First(snap, &t)) {
    do {
      if (t.th32OwnerProcessID == GetCurrentProcessId() && n < 64) ids[n++] = t.th32ThreadID;
    } while (Thread32Next(snap, &t));
  }
  CloseHandle(snap);
  return n;
}

void NsiBeforeDriverEntry(void) { nknown = threads(known); }

int NsiFindRequestThread(void)
{
  DWORD now[64];
  int n = threads(now), i, j;
  for (i = 0; i < n; i++) {
    for (j = 0; j < nknown && known[j] != now[i]; j++) {}
    if (j == nknown) {
      request_thread = OpenThread(THREAD_SUSPEND_RESUME, FALSE, now[i]);
      return request_thread != NULL;
    }
  }
  return 0;
}

void NsiHoldRequestThread(void)
{
  Sleep(100);
  SuspendThread(request_thread);
}

void NsiReleaseRequestThread(void) { ResumeThread(request_thread); }
