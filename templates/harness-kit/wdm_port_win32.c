/* wdm_port_win32.c: the Windows side of wdm_port.h (yielding, Interlocked operations). */
#include <windows.h>

#include "wdm_port.h"

void wdm_yield(void)
{
  SwitchToThread();
}

size_t wdm_load(volatile size_t *p)
{
  return (size_t)InterlockedCompareExchangePointer((PVOID volatile *)p, NULL, NULL);
}

void wdm_store(volatile size_t *p, size_t v)
{
  (void)InterlockedExchangePointer((PVOID volatile *)p, (PVOID)v);
}

int wdm_cas(volatile size_t *p, size_t expected, size_t desired)
{
  return InterlockedCompareExchangePointer((PVOID volatile *)p, (PVOID)desired, (PVOID)expected) == (PVOID)expected;
}

size_t wdm_xchg(volatile size_t *p, size_t v)
{
  return (size_t)InterlockedExchangePointer((PVOID volatile *)p, (PVOID)v);
}

long wdm_load_long(volatile long *p)
{
  return InterlockedCompareExchange(p, 0, 0);
}

int wdm_cas_long(volatile long *p, long expected, long desired)
{
  return InterlockedCompareExchange(p, desired, expected) == expected;
}
