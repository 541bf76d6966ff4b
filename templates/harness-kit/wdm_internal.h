/* wdm_internal.h: what the I/O-manager model (wdm_user.c) offers the harness layer (wdm_harness.c). */
#ifndef WDM_INTERNAL_H
#define WDM_INTERNAL_H 1

#include <stddef.h>

#include "wdm_user.h"

/* A unique id of the calling thread. */
size_t WdmThreadId(void);
/* True when the calling thread holds the cancel spin lock. */
BOOLEAN WdmCancelLockHeld(void);
/* Called at each cancel window (the cancel lock released, a cancel routine set, a dispatch routine
   returned) while IRPs are in flight and the cancel lock is free; never re-entered. */
typedef void WDM_CANCEL_WINDOW_HOOK(void);
void WdmSetCancelWindowHook(WDM_CANCEL_WINDOW_HOOK *Hook);
/* IRPs sent with WdmCallDriver and not completed yet. */
ULONG WdmInFlight(void);
PIRP WdmInFlightIrp(ULONG Index);
/* Drops every in-flight IRP (a new scenario run: the previous run's IRPs are gone). */
void WdmForgetInFlight(void);

#endif
