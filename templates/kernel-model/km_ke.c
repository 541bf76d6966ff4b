/* km_ke.c: the kernel executive the driver sees: IRQL, spin locks (the cancel spin lock, executive, in-stack
   queued, shared/exclusive, interrupt, numbered queued and VPB spin locks), fast mutexes, events, timers on a virtual clock, DPCs and waits.
   Nothing runs behind the harness's back: DPCs and timers run when the harness (or a wait) says so. */
#include "km_internal.h"

#include <stdio.h>
#include <string.h>

#if defined(_X86_) && defined(__clang__)
#pragma clang diagnostic ignored "-Winconsistent-dllimport"
#elif defined(_X86_) && defined(__GNUC__)
/* x86: the DDK declares KeAcquire/ReleaseInStackQueuedSpinLock dllimport even for the kernel (HAL calls);
   defined here, they are not imported, which is what the warning says. */
#pragma GCC diagnostic ignored "-Wattributes"
#endif

static KM_THREAD_LOCAL KIRQL km_cur_irql;
static KM_THREAD_LOCAL io_held_set km_held;
static io_cancel_lock km_cancel;  /* spin locks this thread holds, the cancel lock aside */
static KM_THREAD_LOCAL int km_in_dpc;

/* ------------------------------------------------------------------------------------------------ IRQL */

KIRQL km_irql(void) { return km_cur_irql; }

void km_set_irql(KIRQL irql) { km_cur_irql = irql; }

struct io_held_set *km_held_locks(void) { return &km_held; }

int km_locks_held(void) { return io_lock_mine(&km_cancel) + (int)io_held_count(); }

/* Lowering, as KeLowerIrql does; raising through a lower call is a driver bug. */
void km_lower(KIRQL irql, const char *api)
{
  if (irql > km_cur_irql)
    km_error("%s(%u) at IRQL %u: the new IRQL is higher than the current one", api, irql, km_cur_irql);
  km_cur_irql = irql;
}

static KIRQL km_raise(KIRQL irql, const char *api)
{
  KIRQL old = km_cur_irql;
  if (irql < old) km_error("%s(%u) at IRQL %u: the new IRQL is lower than the current one", api, irql, old);
  km_cur_irql = irql;
  return old;
}

#if defined(_X86_)
/* x86: the IRQL calls are the HAL's (KeLowerIrql and KeRaiseIrql are macros for the fastcall Kf* ones). */
KIRQL NTAPI KeGetCurrentIrql(VOID) { return km_cur_irql; }
KM_EXPORT(KeGetCurrentIrql);

VOID FASTCALL KfLowerIrql(KIRQL NewIrql) { km_lower(NewIrql, "KeLowerIrql"); }
KM_EXPORT(KfLowerIrql);

KIRQL FASTCALL KfRaiseIrql(KIRQL NewIrql) { return km_raise(NewIrql, "KeRaiseIrql"); }
KM_EXPORT(KfRaiseIrql);

KIRQL NTAPI KeRaiseIrqlToDpcLevel(VOID) { return km_raise(DISPATCH_LEVEL, "KeRaiseIrqlToDpcLevel"); }
KM_EXPORT(KeRaiseIrqlToDpcLevel);

KIRQL NTAPI KeRaiseIrqlToSynchLevel(VOID) { return km_raise(12 /* SYNCH_LEVEL */, "KeRaiseIrqlToSynchLevel"); }
KM_EXPORT(KeRaiseIrqlToSynchLevel);
#else
/* amd64: the DDK's inline KeGetCurrentIrql/KeRaiseIrql/KeLowerIrql read and write CR8 through these when
   the driver is compiled with kmodel_port.h (without it, km_port_win32.c emulates the instruction). */
unsigned __int64 __readcr8(void) { return km_cur_irql; }
void __writecr8(unsigned __int64 value) { km_cur_irql = (KIRQL)(value & 15); }
#endif

/* ----------------------------------------------------------------------------------- cancel spin lock */

/* The semantics are the shared core's (io_core.h); the model adds its messages, a nested double acquire (so
   the run goes on the way the driver wrote it) and the count of spin locks held. */
int km_cancel_lock_mine(void) { return io_lock_mine(&km_cancel); }

void km_cancel_lock_acquire(PKIRQL old)
{
  if (km_cur_irql > DISPATCH_LEVEL) km_error("IoAcquireCancelSpinLock at IRQL %u (above DISPATCH_LEVEL)", km_cur_irql);
  /* A real system spins here forever; spincheck reports it (double-acquire), the model goes on. */
  if (io_lock_mine(&km_cancel))
    km_note("IoAcquireCancelSpinLock: this thread already holds the cancel spin lock (deadlock on a real system)");
  (void)io_lock_acquire(&km_cancel, old, 1);
}

void km_cancel_lock_release(KIRQL irql)
{
  enum io_lock_result released = io_lock_release(&km_cancel, irql);
  if (released == IO_LOCK_NOT_HELD) {
    km_note("IoReleaseCancelSpinLock: the cancel spin lock is %s", io_lock_free(&km_cancel) ? "not held" : "held by another thread");
    km_lower(irql, "IoReleaseCancelSpinLock");
  }
}

VOID NTAPI IoAcquireCancelSpinLock(PKIRQL Irql)
{
  km_window("IoAcquireCancelSpinLock called from %s", KM_RETURN_ADDRESS());
  km_cancel_lock_acquire(Irql);
}
KM_EXPORT(IoAcquireCancelSpinLock);

/* The driver's release opens a window; the model's own releases (inside IoStartPacket, IoCancelIrp ...) name
   their kernel step instead, or open none. */
VOID NTAPI IoReleaseCancelSpinLock(KIRQL Irql)
{
  km_cancel_lock_release(Irql);
  km_window("IoReleaseCancelSpinLock called from %s", KM_RETURN_ADDRESS());
}
KM_EXPORT(IoReleaseCancelSpinLock);

/* ------------------------------------------------------------------------------------------ spin locks */

/* The semantics are the shared core's (io_core.h): a real lock word owned by the thread id. As for the cancel
   lock, the model notes a double acquire and nests it (spincheck reports it; the run goes on the way the
   driver wrote it) and notes a release of a lock the caller does not hold (nothing changes). */
static KSPIN_LOCK km_token(void) { return ((KSPIN_LOCK)km_thread_id() << 1) | 1; }

static volatile size_t *km_word(PKSPIN_LOCK lock) { return (volatile size_t *)lock; }

static void km_acquired(enum io_lock_result result, const char *api, const volatile void *lock)
{
  if (result == IO_LOCK_NESTED)
    km_note("%s(%p): this thread already holds the spin lock (deadlock on a real system)", api, (const void *)lock);
  else if (result == IO_LOCK_REFUSED)
    km_error("%s(%p): this thread holds %d spin locks already; not taken", api, (const void *)lock, IO_MAX_HELD);
}

static int km_released(enum io_lock_result result, const char *api, const volatile void *lock)
{
  if (result != IO_LOCK_NOT_HELD) return 1;
  km_note("%s(%p): the spin lock is not held by this thread", api, (const void *)lock);
  return 0;
}

void km_spin_acquire(PKSPIN_LOCK lock, const char *api) { km_acquired(io_spin_acquire(km_word(lock), 1), api, lock); }

void km_spin_release(PKSPIN_LOCK lock, const char *api) { (void)km_released(io_spin_release(km_word(lock)), api, lock); }

static void km_need_dispatch(const char *api)
{
  if (km_cur_irql < DISPATCH_LEVEL) km_error("%s at IRQL %u: the caller must be at DISPATCH_LEVEL", api, km_cur_irql);
}

static void km_at_most_dispatch(const char *api)
{
  if (km_cur_irql > DISPATCH_LEVEL) km_error("%s at IRQL %u (above DISPATCH_LEVEL)", api, km_cur_irql);
}

/* Raising acquires: raise, take the lock; the old IRQL. No cancel window here: spincheck's hooks of the call
   bracket it (its acquire hook has run, its post hook has not), and a cancel routine run inside it would take and
   release locks between them. The windows are at the releases, which run after their hooks. */
static KIRQL km_acquire_raise(PKSPIN_LOCK lock, const char *api)
{
  KIRQL old;
  km_at_most_dispatch(api);
  old = km_raise(DISPATCH_LEVEL, api);
  km_spin_acquire(lock, api);
  return old;
}

/* Restoring releases: free the lock, lower to the acquire's saved IRQL, a cancel window after. */
static void km_release_lower(PKSPIN_LOCK lock, KIRQL irql, const char *api, const void *caller)
{
  char where[96];
  if (km_released(io_spin_release(km_word(lock)), api, lock)) km_lower(irql, api);
  snprintf(where, sizeof where, "%s called from %%s", api);
  km_window(where, caller);
}

static void km_acquire_at_dpc(PKSPIN_LOCK lock, const char *api)
{
  km_need_dispatch(api);
  km_spin_acquire(lock, api);
}

static void km_release_from_dpc(PKSPIN_LOCK lock, const char *api, const void *caller)
{
  char where[96];
  km_spin_release(lock, api);
  snprintf(where, sizeof where, "%s called from %%s", api);
  km_window(where, caller);
}

/* The ForDpc forms: raise only when below DISPATCH_LEVEL (the release restores what the acquire returned). */
static KIRQL km_raise_for_dpc(const char *api)
{
  km_at_most_dispatch(api);
  return km_cur_irql < DISPATCH_LEVEL ? km_raise(DISPATCH_LEVEL, api) : km_cur_irql;
}

#if defined(_X86_)
/* x86: the HAL's fastcall functions. */
KIRQL FASTCALL KfAcquireSpinLock(PKSPIN_LOCK SpinLock) { return km_acquire_raise(SpinLock, "KeAcquireSpinLock"); }
KM_EXPORT(KfAcquireSpinLock);

VOID FASTCALL KfReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) { km_release_lower(SpinLock, NewIrql, "KeReleaseSpinLock", KM_RETURN_ADDRESS()); }
KM_EXPORT(KfReleaseSpinLock);

VOID FASTCALL KefAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { km_acquire_at_dpc(SpinLock, "KeAcquireSpinLockAtDpcLevel"); }
KM_EXPORT(KefAcquireSpinLockAtDpcLevel);

VOID FASTCALL KefReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { km_release_from_dpc(SpinLock, "KeReleaseSpinLockFromDpcLevel", KM_RETURN_ADDRESS()); }
KM_EXPORT(KefReleaseSpinLockFromDpcLevel);
#else
KIRQL NTAPI KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock) { return km_acquire_raise(SpinLock, "KeAcquireSpinLock"); }
KM_EXPORT(KeAcquireSpinLockRaiseToDpc);

VOID NTAPI KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) { km_release_lower(SpinLock, NewIrql, "KeReleaseSpinLock", KM_RETURN_ADDRESS()); }
KM_EXPORT(KeReleaseSpinLock);

VOID NTAPI KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { km_acquire_at_dpc(SpinLock, "KeAcquireSpinLockAtDpcLevel"); }
KM_EXPORT(KeAcquireSpinLockAtDpcLevel);

VOID NTAPI KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { km_release_from_dpc(SpinLock, "KeReleaseSpinLockFromDpcLevel", KM_RETURN_ADDRESS()); }
KM_EXPORT(KeReleaseSpinLockFromDpcLevel);
#endif

KIRQL FASTCALL KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock)
{
  KIRQL old = km_raise_for_dpc("KeAcquireSpinLockForDpc");
  km_spin_acquire(SpinLock, "KeAcquireSpinLockForDpc");
  return old;
}
KM_EXPORT(KeAcquireSpinLockForDpc);

VOID FASTCALL KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql)
{
  km_release_lower(SpinLock, OldIrql, "KeReleaseSpinLockForDpc", KM_RETURN_ADDRESS());
}
KM_EXPORT(KeReleaseSpinLockForDpc);

/* Holds the lock only when it returns TRUE: a lock held by anyone (the caller included) gives FALSE. */
BOOLEAN FASTCALL KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
  km_need_dispatch("KeTryToAcquireSpinLockAtDpcLevel");
  return (BOOLEAN)io_spin_try(km_word(SpinLock));
}
KM_EXPORT(KeTryToAcquireSpinLockAtDpcLevel);

/* In-stack queued spin locks: the handle records the lock and the IRQL to restore; its release frees that lock. */
static void km_handle(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle, KIRQL old)
{
  LockHandle->LockQueue.Next = NULL;
  LockHandle->LockQueue.Lock = SpinLock;
  LockHandle->OldIrql = old;
}

VOID FASTCALL KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
  km_handle(SpinLock, LockHandle, km_acquire_raise(SpinLock, "KeAcquireInStackQueuedSpinLock"));
}
KM_EXPORT(KeAcquireInStackQueuedSpinLock);

VOID FASTCALL KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
  km_release_lower(LockHandle->LockQueue.Lock, LockHandle->OldIrql, "KeReleaseInStackQueuedSpinLock", KM_RETURN_ADDRESS());
}
KM_EXPORT(KeReleaseInStackQueuedSpinLock);

VOID FASTCALL KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
  km_handle(SpinLock, LockHandle, km_cur_irql);
  km_acquire_at_dpc(SpinLock, "KeAcquireInStackQueuedSpinLockAtDpcLevel");
}
KM_EXPORT(KeAcquireInStackQueuedSpinLockAtDpcLevel);

VOID FASTCALL KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
  km_release_from_dpc(LockHandle->LockQueue.Lock, "KeReleaseInStackQueuedSpinLockFromDpcLevel", KM_RETURN_ADDRESS());
}
KM_EXPORT(KeReleaseInStackQueuedSpinLockFromDpcLevel);

VOID FASTCALL KeAcquireInStackQueuedSpinLockForDpc(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
  km_handle(SpinLock, LockHandle, km_raise_for_dpc("KeAcquireInStackQueuedSpinLockForDpc"));
  km_spin_acquire(SpinLock, "KeAcquireInStackQueuedSpinLockForDpc");
}
KM_EXPORT(KeAcquireInStackQueuedSpinLockForDpc);

VOID FASTCALL KeReleaseInStackQueuedSpinLockForDpc(PKLOCK_QUEUE_HANDLE LockHandle)
{
  km_release_lower(LockHandle->LockQueue.Lock, LockHandle->OldIrql, "KeReleaseInStackQueuedSpinLockForDpc", KM_RETURN_ADDRESS());
}
KM_EXPORT(KeReleaseInStackQueuedSpinLockForDpc);

/* Executive shared/exclusive spin locks (declared in kmodel.h: mingw-w64's DDK headers lack them). */
static KIRQL km_ex_acquire_raise(PEX_SPIN_LOCK lock, int shared, const char *api)
{
  KIRQL old;
  km_at_most_dispatch(api);
  old = km_raise(DISPATCH_LEVEL, api);
  km_acquired(io_ex_acquire((volatile long *)lock, shared, 1), api, lock);
  return old;
}

static void km_ex_release(PEX_SPIN_LOCK lock, int shared, const KIRQL *irql, const char *api, const void *caller)
{
  char where[96];
  if (km_released(io_ex_release((volatile long *)lock, shared), api, lock) && irql != NULL) km_lower(*irql, api);
  snprintf(where, sizeof where, "%s called from %%s", api);
  km_window(where, caller);
}

static void km_ex_acquire_at_dpc(PEX_SPIN_LOCK lock, int shared, const char *api)
{
  km_need_dispatch(api);
  km_acquired(io_ex_acquire((volatile long *)lock, shared, 1), api, lock);
}

KIRQL NTAPI ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock) { return km_ex_acquire_raise(SpinLock, 0, "ExAcquireSpinLockExclusive"); }
KM_EXPORT(ExAcquireSpinLockExclusive);

KIRQL NTAPI ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock) { return km_ex_acquire_raise(SpinLock, 1, "ExAcquireSpinLockShared"); }
KM_EXPORT(ExAcquireSpinLockShared);

VOID NTAPI ExAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock) { km_ex_acquire_at_dpc(SpinLock, 0, "ExAcquireSpinLockExclusiveAtDpcLevel"); }
KM_EXPORT(ExAcquireSpinLockExclusiveAtDpcLevel);

VOID NTAPI ExAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock) { km_ex_acquire_at_dpc(SpinLock, 1, "ExAcquireSpinLockSharedAtDpcLevel"); }
KM_EXPORT(ExAcquireSpinLockSharedAtDpcLevel);

VOID NTAPI ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql) { km_ex_release(SpinLock, 0, &OldIrql, "ExReleaseSpinLockExclusive", KM_RETURN_ADDRESS()); }
KM_EXPORT(ExReleaseSpinLockExclusive);

VOID NTAPI ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql) { km_ex_release(SpinLock, 1, &OldIrql, "ExReleaseSpinLockShared", KM_RETURN_ADDRESS()); }
KM_EXPORT(ExReleaseSpinLockShared);

VOID NTAPI ExReleaseSpinLockExclusiveFromDpcLevel(PEX_SPIN_LOCK SpinLock) { km_ex_release(SpinLock, 0, NULL, "ExReleaseSpinLockExclusiveFromDpcLevel", KM_RETURN_ADDRESS()); }
KM_EXPORT(ExReleaseSpinLockExclusiveFromDpcLevel);

VOID NTAPI ExReleaseSpinLockSharedFromDpcLevel(PEX_SPIN_LOCK SpinLock) { km_ex_release(SpinLock, 1, NULL, "ExReleaseSpinLockSharedFromDpcLevel", KM_RETURN_ADDRESS()); }
KM_EXPORT(ExReleaseSpinLockSharedFromDpcLevel);

LOGICAL NTAPI ExTryAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
  km_need_dispatch("ExTryAcquireSpinLockExclusiveAtDpcLevel");
  return io_ex_try((volatile long *)SpinLock, 0);
}
KM_EXPORT(ExTryAcquireSpinLockExclusiveAtDpcLevel);

LOGICAL NTAPI ExTryAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
  km_need_dispatch("ExTryAcquireSpinLockSharedAtDpcLevel");
  return io_ex_try((volatile long *)SpinLock, 1);
}
KM_EXPORT(ExTryAcquireSpinLockSharedAtDpcLevel);

LOGICAL NTAPI ExTryConvertSharedSpinLockExclusive(PEX_SPIN_LOCK SpinLock) { return io_ex_convert((volatile long *)SpinLock); }
KM_EXPORT(ExTryConvertSharedSpinLockExclusive);

/* Numbered queued spin locks; the VPB lock is LockQueueIoVpbLock, as on a real system. */
static KSPIN_LOCK km_queued[LockQueueMaximumLock];

static PKSPIN_LOCK km_queued_lock(KSPIN_LOCK_QUEUE_NUMBER number, const char *api)
{
  if (number >= LockQueueMaximumLock) km_bugcheck("INVALID_DATA_ACCESS_TRAP", 0, "%s(%lu): no such queued spin lock", api, (unsigned long)number);
  return &km_queued[number];
}

KIRQL FASTCALL KeAcquireQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number)
{
  return km_acquire_raise(km_queued_lock(Number, "KeAcquireQueuedSpinLock"), "KeAcquireQueuedSpinLock");
}
KM_EXPORT(KeAcquireQueuedSpinLock);

VOID FASTCALL KeReleaseQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number, KIRQL OldIrql)
{
  km_release_lower(km_queued_lock(Number, "KeReleaseQueuedSpinLock"), OldIrql, "KeReleaseQueuedSpinLock", KM_RETURN_ADDRESS());
}
KM_EXPORT(KeReleaseQueuedSpinLock);

VOID NTAPI IoAcquireVpbSpinLock(PKIRQL Irql) { *Irql = km_acquire_raise(&km_queued[LockQueueIoVpbLock], "IoAcquireVpbSpinLock"); }
KM_EXPORT(IoAcquireVpbSpinLock);

VOID NTAPI IoReleaseVpbSpinLock(KIRQL Irql) { km_release_lower(&km_queued[LockQueueIoVpbLock], Irql, "IoReleaseVpbSpinLock", KM_RETURN_ADDRESS()); }
KM_EXPORT(IoReleaseVpbSpinLock);

/* Interrupt objects (IoConnectInterrupt): the service routine never runs (the model raises no interrupts);
   the object's spin lock is real and its acquire raises to the object's SynchronizeIrql. */
struct _KINTERRUPT {
  PKSPIN_LOCK SpinLock; /* the caller's, or Own */
  KSPIN_LOCK Own;
  KIRQL SynchronizeIrql;
  PKSERVICE_ROUTINE ServiceRoutine;
  PVOID ServiceContext;
};

NTSTATUS NTAPI IoConnectInterrupt(PKINTERRUPT *InterruptObject, PKSERVICE_ROUTINE ServiceRoutine, PVOID ServiceContext,
                                  PKSPIN_LOCK SpinLock, ULONG Vector, KIRQL Irql, KIRQL SynchronizeIrql,
                                  KINTERRUPT_MODE InterruptMode, BOOLEAN ShareVector, KAFFINITY ProcessorEnableMask,
                                  BOOLEAN FloatingSave)
{
  PKINTERRUPT i = (PKINTERRUPT)km_alloc(sizeof *i);
  (void)Vector; (void)InterruptMode; (void)ShareVector; (void)ProcessorEnableMask; (void)FloatingSave;
  if (SynchronizeIrql < Irql) km_error("IoConnectInterrupt: SynchronizeIrql %u is below Irql %u", SynchronizeIrql, Irql);
  i->SpinLock = SpinLock != NULL ? SpinLock : &i->Own;
  i->SynchronizeIrql = SynchronizeIrql;
  i->ServiceRoutine = ServiceRoutine;
  i->ServiceContext = ServiceContext;
  *InterruptObject = i;
  return STATUS_SUCCESS;
}
KM_EXPORT(IoConnectInterrupt);

VOID NTAPI IoDisconnectInterrupt(PKINTERRUPT InterruptObject) { km_free(InterruptObject); }
KM_EXPORT(IoDisconnectInterrupt);

KIRQL NTAPI KeAcquireInterruptSpinLock(PKINTERRUPT Interrupt)
{
  KIRQL old = km_raise(Interrupt->SynchronizeIrql, "KeAcquireInterruptSpinLock");
  km_spin_acquire(Interrupt->SpinLock, "KeAcquireInterruptSpinLock");
  return old;
}
KM_EXPORT(KeAcquireInterruptSpinLock);

VOID NTAPI KeReleaseInterruptSpinLock(PKINTERRUPT Interrupt, KIRQL OldIrql)
{
  km_release_lower(Interrupt->SpinLock, OldIrql, "KeReleaseInterruptSpinLock", KM_RETURN_ADDRESS());
}
KM_EXPORT(KeReleaseInterruptSpinLock);

/* Runs the routine at the interrupt's SynchronizeIrql holding its spin lock, as an ISR would run. */
BOOLEAN NTAPI KeSynchronizeExecution(PKINTERRUPT Interrupt, PKSYNCHRONIZE_ROUTINE SynchronizeRoutine, PVOID SynchronizeContext)
{
  KIRQL old = KeAcquireInterruptSpinLock(Interrupt);
  BOOLEAN r = SynchronizeRoutine(SynchronizeContext);
  KeReleaseInterruptSpinLock(Interrupt, old);
  return r;
}
KM_EXPORT(KeSynchronizeExecution);

/* -------------------------------------------------------------------------------------- fast mutexes */

static PKTHREAD km_thread_token(void) { return (PKTHREAD)(ULONG_PTR)km_token(); }

static void km_fast_acquire(PFAST_MUTEX m, const char *api)
{
  if (m->Owner == km_thread_token())
    km_bugcheck("DEADLOCK", 0, "%s(%p): this thread already owns the fast mutex (a real system hangs here)", api, (void *)m);
  while (InterlockedCompareExchange(&m->Count, 0, 1) != 1) km_sleep_ms(0);
  m->Owner = km_thread_token();
}

static void km_fast_release(PFAST_MUTEX m, const char *api)
{
  if (m->Owner != km_thread_token()) {
    km_report("unbalanced-lock", "%s(%p): the fast mutex is not owned by this thread", api, (void *)m);
    return;
  }
  m->Owner = NULL;
  InterlockedExchange(&m->Count, 1);
}

VOID FASTCALL ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
  KIRQL old;
  if (km_cur_irql > APC_LEVEL) km_error("ExAcquireFastMutex at IRQL %u (above APC_LEVEL)", km_cur_irql);
  old = km_raise(km_cur_irql > APC_LEVEL ? km_cur_irql : APC_LEVEL, "ExAcquireFastMutex");
  km_fast_acquire(FastMutex, "ExAcquireFastMutex");
  FastMutex->OldIrql = old;
}
KM_EXPORT(ExAcquireFastMutex);

VOID FASTCALL ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
  KIRQL old = (KIRQL)FastMutex->OldIrql;
  km_fast_release(FastMutex, "ExReleaseFastMutex");
  km_lower(old, "ExReleaseFastMutex");
}
KM_EXPORT(ExReleaseFastMutex);

BOOLEAN FASTCALL ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
  KIRQL old = km_cur_irql;
  if (InterlockedCompareExchange(&FastMutex->Count, 0, 1) != 1) return FALSE;
  FastMutex->Owner = km_thread_token();
  FastMutex->OldIrql = old;
  if (km_cur_irql < APC_LEVEL) km_cur_irql = APC_LEVEL;
  return TRUE;
}
KM_EXPORT(ExTryToAcquireFastMutex);

VOID FASTCALL ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex) { km_fast_acquire(FastMutex, "ExAcquireFastMutexUnsafe"); }
KM_EXPORT(ExAcquireFastMutexUnsafe);

VOID FASTCALL ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex) { km_fast_release(FastMutex, "ExReleaseFastMutexUnsafe"); }
KM_EXPORT(ExReleaseFastMutexUnsafe);

/* ---------------------------------------------------------------------------------------------- DPCs */

static LIST_ENTRY km_dpcs = { &km_dpcs, &km_dpcs };

VOID NTAPI KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
  memset(Dpc, 0, sizeof *Dpc);
  Dpc->Type = 19; /* DpcObject */
  Dpc->DeferredRoutine = DeferredRoutine;
  Dpc->DeferredContext = DeferredContext;
}
KM_EXPORT(KeInitializeDpc);

VOID NTAPI KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
  KeInitializeDpc(Dpc, DeferredRoutine, DeferredContext);
}
KM_EXPORT(KeInitializeThreadedDpc);

static BOOLEAN km_insert_dpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
  BOOLEAN queued = FALSE;
  km_lock_model();
  if (Dpc->DpcData == NULL) {
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    Dpc->DpcData = (PVOID)&km_dpcs;
    InsertTailList(&km_dpcs, &Dpc->DpcListEntry);
    queued = TRUE;
  }
  km_unlock_model();
  return queued;
}
/* The driver queues a DPC: a window (the DPC could run on another processor at once). */
BOOLEAN NTAPI KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
  BOOLEAN queued = km_insert_dpc(Dpc, SystemArgument1, SystemArgument2);
  km_window("KeInsertQueueDpc called from %s", KM_RETURN_ADDRESS());
  return queued;
}
KM_EXPORT(KeInsertQueueDpc);

BOOLEAN NTAPI KeRemoveQueueDpc(PRKDPC Dpc)
{
  BOOLEAN removed = FALSE;
  km_lock_model();
  if (Dpc->DpcData != NULL) {
    RemoveEntryList(&Dpc->DpcListEntry);
    Dpc->DpcData = NULL;
    removed = TRUE;
  }
  km_unlock_model();
  return removed;
}
KM_EXPORT(KeRemoveQueueDpc);

VOID NTAPI KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance) { Dpc->Importance = (UCHAR)Importance; }
KM_EXPORT(KeSetImportanceDpc);

VOID NTAPI KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number) { (void)Dpc; (void)Number; }
KM_EXPORT(KeSetTargetProcessorDpc);

/* Runs the DPC queue at DISPATCH_LEVEL until it is empty. A DPC returning at another IRQL or holding a spin
   lock is a model error (a real system bugchecks). */
ULONG km_run_dpcs(void)
{
  ULONG n = 0;
  for (;;) {
    PKDPC dpc = NULL;
    KIRQL saved = km_cur_irql;
    int held = km_locks_held();
    km_lock_model();
    if (!IsListEmpty(&km_dpcs)) {
      dpc = CONTAINING_RECORD(RemoveHeadList(&km_dpcs), KDPC, DpcListEntry);
      dpc->DpcData = NULL;
    }
    km_unlock_model();
    if (dpc == NULL) return n;
    km_cur_irql = DISPATCH_LEVEL;
    km_in_dpc++;
    dpc->DeferredRoutine(dpc, dpc->DeferredContext, dpc->SystemArgument1, dpc->SystemArgument2);
    km_in_dpc--;
    if (km_cur_irql != DISPATCH_LEVEL)
      km_report("unbalanced-lock", "the DPC routine %p returned at IRQL %u (it was called at DISPATCH_LEVEL)", (void *)(ULONG_PTR)dpc->DeferredRoutine, km_cur_irql);
    if (km_locks_held() != held) km_report("unbalanced-lock", "the DPC routine %p returned holding a spin lock", (void *)(ULONG_PTR)dpc->DeferredRoutine);
    km_cur_irql = saved;
    n++;
    km_window("the return of the DPC routine %s", (const void *)(ULONG_PTR)dpc->DeferredRoutine);
  }
}

ULONG KmRunDpcs(void) { return km_run_dpcs(); }

VOID NTAPI KeFlushQueuedDpcs(VOID) { km_run_dpcs(); }
KM_EXPORT(KeFlushQueuedDpcs);

/* ------------------------------------------------------------------------------------ virtual clock */

#define KM_CLOCK_BASE 0x01D9000000000000LL /* some day in 2023, in 100 ns since 1601 */
static LONGLONG km_now = KM_CLOCK_BASE;

VOID NTAPI KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime) { CurrentTime->QuadPart = km_now; }
KM_EXPORT(KeQuerySystemTimePrecise);

#if defined(_X86_)
/* Calls on x86; on amd64 they are inline reads of KUSER_SHARED_DATA (not modelled). */
VOID NTAPI KeQuerySystemTime(PLARGE_INTEGER CurrentTime) { CurrentTime->QuadPart = km_now; }
KM_EXPORT(KeQuerySystemTime);

ULONGLONG NTAPI KeQueryInterruptTime(VOID) { return (ULONGLONG)(km_now - KM_CLOCK_BASE); }
KM_EXPORT(KeQueryInterruptTime);
#endif

LARGE_INTEGER NTAPI KeQueryPerformanceCounter(PLARGE_INTEGER Frequency)
{
  LARGE_INTEGER now;
  if (Frequency != NULL) Frequency->QuadPart = 10000000;
  now.QuadPart = km_now - KM_CLOCK_BASE;
  return now;
}
KM_EXPORT(KeQueryPerformanceCounter);

VOID NTAPI KeStallExecutionProcessor(ULONG MicroSeconds) { (void)MicroSeconds; }
KM_EXPORT(KeStallExecutionProcessor);

/* ---------------------------------------------------------------------------------------------- timers */

static LIST_ENTRY km_timers = { &km_timers, &km_timers };

#define KM_TIMER_SET(t) ((t)->TimerListEntry.Flink != NULL)

VOID NTAPI KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
  memset(Timer, 0, sizeof *Timer);
  Timer->Header.Type = (UCHAR)(Type == NotificationTimer ? 8 : 9);
}
KM_EXPORT(KeInitializeTimerEx);

VOID NTAPI KeInitializeTimer(PKTIMER Timer) { KeInitializeTimerEx(Timer, NotificationTimer); }
KM_EXPORT(KeInitializeTimer);

static BOOLEAN km_unset_timer(PKTIMER Timer)
{
  if (!KM_TIMER_SET(Timer)) return FALSE;
  RemoveEntryList(&Timer->TimerListEntry);
  Timer->TimerListEntry.Flink = Timer->TimerListEntry.Blink = NULL;
  return TRUE;
}

BOOLEAN NTAPI KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
  BOOLEAN was;
  km_lock_model();
  was = km_unset_timer(Timer);
  Timer->DueTime.QuadPart = (ULONGLONG)(DueTime.QuadPart < 0 ? km_now - DueTime.QuadPart : DueTime.QuadPart);
  Timer->Period = (ULONG)Period;
  Timer->Dpc = Dpc;
  Timer->Header.SignalState = 0;
  InsertTailList(&km_timers, &Timer->TimerListEntry);
  km_unlock_model();
  return was;
}
KM_EXPORT(KeSetTimerEx);

BOOLEAN NTAPI KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc) { return KeSetTimerEx(Timer, DueTime, 0, Dpc); }
KM_EXPORT(KeSetTimer);

BOOLEAN NTAPI KeCancelTimer(PKTIMER Timer)
{
  BOOLEAN was;
  km_lock_model();
  was = km_unset_timer(Timer);
  km_unlock_model();
  return was;
}
KM_EXPORT(KeCancelTimer);

BOOLEAN NTAPI KeReadStateTimer(PKTIMER Timer) { return Timer->Header.SignalState != 0; }
KM_EXPORT(KeReadStateTimer);

/* The set timer due first (the earliest set on a tie), or NULL; with Limit, only one due by then. */
static PKTIMER km_next_timer(const LONGLONG *Limit)
{
  PLIST_ENTRY e;
  PKTIMER best = NULL;
  for (e = km_timers.Flink; e != &km_timers; e = e->Flink) {
    PKTIMER t = CONTAINING_RECORD(e, KTIMER, TimerListEntry);
    if (Limit != NULL && (LONGLONG)t->DueTime.QuadPart > *Limit) continue;
    if (best == NULL || t->DueTime.QuadPart < best->DueTime.QuadPart) best = t;
  }
  return best;
}

/* Expires one timer: signalled, re-armed when periodic, its DPC queued. */
static void km_expire(PKTIMER t)
{
  km_lock_model();
  km_unset_timer(t);
  if ((LONGLONG)t->DueTime.QuadPart > km_now) km_now = (LONGLONG)t->DueTime.QuadPart;
  t->Header.SignalState = 1;
  if (t->Period != 0) {
    t->DueTime.QuadPart += (ULONGLONG)t->Period * 10000;
    InsertTailList(&km_timers, &t->TimerListEntry);
  }
  km_unlock_model();
  if (t->Dpc != NULL) km_insert_dpc(t->Dpc, (PVOID)(ULONG_PTR)km_now, NULL);
}

ULONG KmAdvanceTime(LONGLONG Delta)
{
  LONGLONG until = km_now + (Delta > 0 ? Delta : 0);
  ULONG n = 0;
  PKTIMER t;
  while ((t = km_next_timer(&until)) != NULL) {
    km_expire(t);
    n++;
    km_run_dpcs();
  }
  km_now = until;
  km_run_dpcs();
  return n;
}

ULONG KmFireTimers(void)
{
  /* Each timer set now fires once (a periodic timer re-arms, but is not fired again by this call). */
  PKTIMER batch[256];
  ULONG n = 0, i;
  PKTIMER t;
  km_lock_model();
  while (n < 256 && (t = km_next_timer(NULL)) != NULL) {
    batch[n++] = t;
    km_unset_timer(t);
  }
  for (i = 0; i < n; i++) InsertTailList(&km_timers, &batch[i]->TimerListEntry);
  km_unlock_model();
  for (i = 0; i < n; i++) {
    if (KM_TIMER_SET(batch[i])) km_expire(batch[i]);
  }
  km_run_dpcs();
  return n;
}

/* ---------------------------------------------------------------------------------------------- events */

VOID NTAPI KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
  memset(Event, 0, sizeof *Event);
  Event->Header.Type = (UCHAR)Type;
  Event->Header.SignalState = State ? 1 : 0;
  InitializeListHead(&Event->Header.WaitListHead);
}
KM_EXPORT(KeInitializeEvent);

LONG NTAPI KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
  (void)Increment;
  (void)Wait;
  return InterlockedExchange((LONG volatile *)&Event->Header.SignalState, 1);
}
KM_EXPORT(KeSetEvent);

LONG NTAPI KeResetEvent(PRKEVENT Event) { return InterlockedExchange((LONG volatile *)&Event->Header.SignalState, 0); }
KM_EXPORT(KeResetEvent);

VOID NTAPI KeClearEvent(PRKEVENT Event) { Event->Header.SignalState = 0; }
KM_EXPORT(KeClearEvent);

LONG NTAPI KeReadStateEvent(PRKEVENT Event) { return Event->Header.SignalState; }
KM_EXPORT(KeReadStateEvent);

/* Takes the object when it is signalled (synchronization objects are reset). */
static int km_try_take(DISPATCHER_HEADER *h)
{
  if (h->Type == 1 /* SynchronizationEvent */ || h->Type == 9 /* SynchronizationTimer */)
    return InterlockedCompareExchange((LONG volatile *)&h->SignalState, 0, 1) == 1;
  if (h->Type == 0 || h->Type == 8) return h->SignalState != 0;
  km_not_modelled("KeWaitForSingleObject on an object other than an event or a timer");
}

/* A wait on one thread of a deterministic model: run what is queued (DPCs, then timers in due order) until
   the object is signalled; a timeout moves the clock. Other real threads get 10 s before the model gives up. */
NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                     PLARGE_INTEGER Timeout)
{
  DISPATCHER_HEADER *h = (DISPATCHER_HEADER *)Object;
  LONGLONG until = 0;
  ULONG waited = 0;
  (void)WaitReason;
  (void)WaitMode;
  (void)Alertable;
  if ((Timeout == NULL || Timeout->QuadPart != 0) && km_cur_irql > APC_LEVEL)
    km_error("KeWaitForSingleObject with a non-zero timeout at IRQL %u", km_cur_irql);
  if (Timeout != NULL) until = Timeout->QuadPart < 0 ? km_now - Timeout->QuadPart : Timeout->QuadPart;
  for (;;) {
    PKTIMER t;
    if (km_try_take(h)) return STATUS_SUCCESS;
    if (km_run_dpcs() > 0) continue;
    if (Timeout != NULL && km_now >= until) return STATUS_TIMEOUT;
    t = km_next_timer(Timeout != NULL ? &until : NULL);
    if (t != NULL) {
      km_expire(t);
      continue;
    }
    if (Timeout != NULL) {
      km_now = until;
      continue;
    }
    if (waited++ > 10000)
      km_bugcheck("DEADLOCK", 0, "KeWaitForSingleObject(%p): nothing can signal the object (no DPC, timer or thread)", Object);
    km_sleep_ms(1);
  }
}
KM_EXPORT(KeWaitForSingleObject);

NTSTATUS NTAPI KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
  (void)WaitMode;
  (void)Alertable;
  KmAdvanceTime(Interval->QuadPart < 0 ? -Interval->QuadPart : Interval->QuadPart - km_now);
  return STATUS_SUCCESS;
}
KM_EXPORT(KeDelayExecutionThread);

/* ------------------------------------------------------------------------------------ threads, misc */

HANDLE NTAPI PsGetCurrentThreadId(VOID) { return (HANDLE)(ULONG_PTR)km_thread_id(); }
KM_EXPORT(PsGetCurrentThreadId);

HANDLE NTAPI PsGetCurrentProcessId(VOID) { return (HANDLE)(ULONG_PTR)4; }
KM_EXPORT(PsGetCurrentProcessId);

/* Between injected runs: the DPC queue and the timers start empty, the clock restarts. */
void km_reset_ke(void)
{
  km_lock_model();
  while (!IsListEmpty(&km_dpcs)) {
    PKDPC dpc = CONTAINING_RECORD(RemoveHeadList(&km_dpcs), KDPC, DpcListEntry);
    dpc->DpcData = NULL;
  }
  while (!IsListEmpty(&km_timers)) {
    PKTIMER t = CONTAINING_RECORD(km_timers.Flink, KTIMER, TimerListEntry);
    km_unset_timer(t);
  }
  km_now = KM_CLOCK_BASE;
  km_unlock_model();
  io_lock_reset(&km_cancel);
  io_held_reset();
  km_cur_irql = PASSIVE_LEVEL;
}
