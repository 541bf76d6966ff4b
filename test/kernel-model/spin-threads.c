/* spin-threads.c: the Win32 side of test/kit/spin-locks.c on the kernel model (windows.h cannot meet the DDK
   headers in one file): one other thread, its join, a short sleep. */
#include <windows.h>

static HANDLE Thread;

static DWORD WINAPI Run(LPVOID Routine)
{
  ((void (*)(void))(ULONG_PTR)Routine)();
  return 0;
}

void SpinStart(void (*Routine)(void))
{
  Thread = CreateThread(NULL, 0, Run, (LPVOID)(ULONG_PTR)Routine, 0, NULL);
}

void SpinJoin(void)
{
  WaitForSingleObject(Thread, INFINITE);
  CloseHandle(Thread);
}

void SpinPause(void)
{
  Sleep(20);
}
