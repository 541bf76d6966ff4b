/* The DDK's spin-lock shapes: mingw-w64's own wdm.h under MinGW, else test/golden/wdm-lite.h (the same amd64 macros;
   with -DSPIN_X86 the x86 ones).
   The device extension both the driver and its harness use. */
#ifndef SPIN_DDK_H
#define SPIN_DDK_H
#ifdef __MINGW32__
#include <ddk/wdm.h>
#else
#include "wdm-lite.h"
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#define NTAPI
#ifdef SPIN_X86
/* The x86 DDK's shapes (mingw-w64 i686 ddk/wdm.h): the HAL's KfAcquireSpinLock / KfReleaseSpinLock, Kef... at DPC level. */
KIRQL KfAcquireSpinLock(PKSPIN_LOCK SpinLock);
void KfReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
void KefAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
void KefReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
#undef KeAcquireSpinLock
#define KeAcquireSpinLock(a, b) *(b) = KfAcquireSpinLock(a)
#define KeReleaseSpinLock(a, b) KfReleaseSpinLock(a, b)
#define KeAcquireSpinLockAtDpcLevel(SpinLock) KefAcquireSpinLockAtDpcLevel(SpinLock)
#define KeReleaseSpinLockFromDpcLevel(SpinLock) KefReleaseSpinLockFromDpcLevel(SpinLock)
#endif
#endif

typedef struct _EXT {
  KSPIN_LOCK QueueLock;
  KSPIN_LOCK DataLock;
  KSPIN_LOCK StatsLock;
  KIRQL Irql;
  int Fail;
  int Count;
  KSPIN_LOCK Inside[4]; /* taken from inside the real acquire of another lock (SpinInside) */
  int InsideArmed;
} EXT, *PEXT;
void SpinInsideTake(PEXT ext);
#endif
