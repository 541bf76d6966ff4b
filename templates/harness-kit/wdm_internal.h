/* wdm_internal.h: what the I/O-manager model (wdm_user.c) offers the harness layer (wdm_harness.c). */
#ifndef WDM_INTERNAL_H
#define WDM_INTERNAL_H 1

#include <stddef.h>

#include "wdm_user.h"

/* A unique id of the calling thread. */
size_t WdmThreadId(void);
/* True when the calling thread holds the cancel spin lock. */
BOOLEAN WdmCancelLockHeld(void);
/* Cancellation injection (io_core.h): WdmInjectRun(0) starts a run counting the (window, IRP) pairs,
   WdmInjectRun(Pair) one cancelling the IRP of that pair at its window; WdmInjectPairs() is the pairs the
   current run passed, WdmInjectOff() stops injecting. IRPs are in flight from WdmCallDriver to completion. */
void WdmInjectRun(ULONG Pair);
ULONG WdmInjectPairs(void);
void WdmInjectOff(void);
/* Called at every cancel window where the calling thread holds no spin lock (NULL: none); not re-entered. */
void WdmSetWindowHook(void (*Hook)(void));
/* Drops every in-flight IRP (a new scenario run: the previous run's IRPs are gone). */
void WdmForgetInFlight(void);

#endif
