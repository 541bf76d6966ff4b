/* The DDK's spin-lock shapes: mingw-w64's own wdm.h under MinGW, else test/golden/wdm-lite.h (the same amd64 macros).
   The device extension both the driver and its harness use. */
#ifndef SPIN_DDK_H
#define SPIN_DDK_H
#ifdef __MINGW32__
#include <ddk/wdm.h>
#else
#include "wdm-lite.h"
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#endif

typedef struct _EXT {
  KSPIN_LOCK QueueLock;
  KSPIN_LOCK DataLock;
  KSPIN_LOCK StatsLock;
  KIRQL Irql;
  int Fail;
  int Count;
} EXT, *PEXT;
#endif
