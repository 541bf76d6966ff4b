#include "prelude.h"
#define TRACE_LOCKS 0
DRIVER_DISPATCH DebugPairs;
DRIVER_DISPATCH Seeded;
DRIVER_DISPATCH Decided;

/* The same unknown test decides alike twice: acquire and release both or neither. */
NTSTATUS DebugPairs(PDEVICE_OBJECT dev, PIRP irp)
{
    KIRQL irql;
#if DBG
    IoAcquireCancelSpinLock(&irql);
#endif
    irp->Cancel = FALSE;
#if DBG
    IoReleaseCancelSpinLock(irql);
#endif
    return STATUS_SUCCESS;
}

/* An extra release when SEEDED is defined: reported, with the assumption on its path. */
NTSTATUS Seeded(PDEVICE_OBJECT dev, PIRP irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    IoReleaseCancelSpinLock(irql);
#ifdef SEEDED
    IoReleaseCancelSpinLock(irql);
#endif
    return STATUS_SUCCESS;
}

/* TRACE_LOCKS is 0 in this file: the group that would leak is never compiled. */
NTSTATUS Decided(PDEVICE_OBJECT dev, PIRP irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
#if TRACE_LOCKS && !defined(NO_TRACE)
    return STATUS_PENDING;
#else
    IoReleaseCancelSpinLock(irql);
#endif
    return STATUS_SUCCESS;
}
