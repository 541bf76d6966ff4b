/* host.c: a thread-pool thread holding a critical section (the driver's lock, as Wine's drivers keep theirs)
   while a new thread's DLL_THREAD_ATTACH, which runs under the loader lock, waits for it: a process whose
   pool thread then calls exit() never ends (exit takes the loader lock). */
#include <windows.h>
#include <stdio.h>
#include "host.h"

static CRITICAL_SECTION DriverLock;
static volatile LONG BlockAttach;
static HANDLE AttachEntered;
static void (*Fn)(void *);
static void *FnContext;

/* Every thread's attach runs the program's TLS callbacks under the loader lock. */
static void NTAPI OnThreadEvent(PVOID module, DWORD reason, PVOID reserved)
{
  (void)module;
  (void)reserved;
  if (reason != DLL_THREAD_ATTACH || !InterlockedCompareExchange(&BlockAttach, 0, 1)) return;
  SetEvent(AttachEntered);
  EnterCriticalSection(&DriverLock);
  LeaveCriticalSection(&DriverLock);
}
__attribute__((used, section(".CRT$XLY"))) static const PIMAGE_TLS_CALLBACK HostTlsCallback = OnThreadEvent;

static DWORD WINAPI Attacher(LPVOID unused)
{
  (void)unused;
  return 0;
}

static VOID CALLBACK OnPoolThread(PTP_CALLBACK_INSTANCE instance, PVOID unused)
{
  (void)instance;
  (void)unused;
  EnterCriticalSection(&DriverLock);
  InterlockedExchange(&BlockAttach, 1);
  CloseHandle(CreateThread(NULL, 0, Attacher, NULL, 0, NULL));
  WaitForSingleObject(AttachEntered, INFINITE);
  Fn(FnContext);
  LeaveCriticalSection(&DriverLock);
}

void HostRunBlocked(void (*fn)(void *), void *context)
{
  InitializeCriticalSection(&DriverLock);
  AttachEntered = CreateEventA(NULL, TRUE, FALSE, NULL);
  Fn = fn;
  FnContext = context;
  TrySubmitThreadpoolCallback(OnPoolThread, NULL, NULL);
  Sleep(20000);
  printf("bugcheck-harness: the process did not end\n");
  fflush(stdout);
  TerminateProcess(GetCurrentProcess(), 99);
}
