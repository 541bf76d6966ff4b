/* io_core.h: the I/O manager's cancel semantics, compiled into both faces (harness kit and kernel model). */
#ifndef IO_CORE_H
#define IO_CORE_H 1

/* Header-agnostic: the including file has its IRP type and supplies, before including this header,
     IO_IRP, IO_CANCEL_ROUTINE            its PIRP and PDRIVER_CANCEL (an IRP with Cancel and CancelIrql fields)
     IO_TAKE_CANCEL_ROUTINE(irp)          atomically exchanges the IRP's cancel routine for NULL, returns the old one
     IO_CANCEL_DEVICE(irp)                the device object a cancel routine is called with
     IO_THREAD_ID()                       a non-zero size_t naming the calling thread
     IO_LOAD(p), IO_CAS(p, old, new)      atomic load and compare-exchange of a volatile size_t (CAS: true if swapped)
     IO_STORE(p, v), IO_YIELD()           atomic store; let another thread run while spinning
     IO_IRQL(), IO_SET_IRQL(irql)         the calling thread's IRQL (an unsigned char)
     IO_RESTORE_IRQL(irql)                what the release of the cancel lock does to the IRQL (the face's checks)
     IO_HELD()                            the calling thread's io_held_set (a thread-local of the face)
     IO_LOAD_LONG(p), IO_CAS_LONG(p, o, n) the same on a volatile long (an executive shared/exclusive lock)
   Each face keeps its own diagnostics: what the core reports through its results, the face says or ignores. */
#include <stddef.h>

#define IO_DISPATCH_LEVEL 2

/* ---- the cancel spin lock: a real lock with an owner; the acquire saves the IRQL, the release restores it ---- */

typedef struct io_cancel_lock {
  volatile size_t owner; /* IO_THREAD_ID() of the holder, 0 when free */
  unsigned long depth;   /* > 1 only after a double acquire the face let nest */
} io_cancel_lock;

enum io_lock_result {
  IO_LOCK_TAKEN,    /* acquire: the lock was free and is now the caller's */
  IO_LOCK_NESTED,   /* acquire by the holder, nesting allowed: one level deeper */
  IO_LOCK_REFUSED,  /* acquire by the holder, nesting not allowed: nothing changed (*old not written) */
  IO_LOCK_FREED,    /* release: the last level, the lock is free */
  IO_LOCK_LOWERED,  /* release: one level of a nested acquire, the lock is still held */
  IO_LOCK_NOT_HELD  /* release by a thread that does not hold it: nothing changed */
};

static inline int io_lock_mine(io_cancel_lock *lock) { return IO_LOAD(&lock->owner) == IO_THREAD_ID(); }

static inline int io_lock_free(io_cancel_lock *lock) { return IO_LOAD(&lock->owner) == 0; }

/* IoAcquireCancelSpinLock: waits for the lock, saves the IRQL in *old and raises to DISPATCH_LEVEL. A second
   acquire by the holder (a deadlock on a real system) nests when nest is set, else is refused. */
static inline enum io_lock_result io_lock_acquire(io_cancel_lock *lock, unsigned char *old, int nest)
{
  size_t me = IO_THREAD_ID();
  enum io_lock_result result = IO_LOCK_TAKEN;
  if (IO_LOAD(&lock->owner) == me) {
    if (!nest) return IO_LOCK_REFUSED;
    lock->depth++;
    result = IO_LOCK_NESTED;
  } else {
    while (!IO_CAS(&lock->owner, 0, me)) IO_YIELD();
    lock->depth = 1;
  }
  *old = IO_IRQL();
  IO_SET_IRQL(IO_DISPATCH_LEVEL);
  return result;
}

/* IoReleaseCancelSpinLock: by the holder, drops one level (the last frees the lock) and restores irql. */
static inline enum io_lock_result io_lock_release(io_cancel_lock *lock, unsigned char irql)
{
  enum io_lock_result result = IO_LOCK_LOWERED;
  if (IO_LOAD(&lock->owner) != IO_THREAD_ID()) return IO_LOCK_NOT_HELD;
  if (--lock->depth == 0) {
    IO_STORE(&lock->owner, 0);
    result = IO_LOCK_FREED;
  }
  IO_RESTORE_IRQL(irql);
  return result;
}

/* Frees the lock if the caller holds it, at any depth (a new run starts with the lock free). */
static inline void io_lock_reset(io_cancel_lock *lock)
{
  if (!io_lock_mine(lock)) return;
  lock->depth = 0;
  IO_STORE(&lock->owner, 0);
}

/* ---- every other spin lock: a real lock, and the set of locks the calling thread holds ---- */

/* The spin locks a thread holds besides the cancel lock (executive, in-stack queued, interrupt, numbered
   queued, VPB, shared/exclusive), with the depth of each: > 1 only after a double acquire the face let nest.
   A thread holds at most IO_MAX_HELD of them at once (more are refused). */
#define IO_MAX_HELD 32

typedef struct io_held_lock {
  volatile void *lock;
  unsigned long depth;
  unsigned char ex;     /* an executive shared/exclusive lock (a long), else a KSPIN_LOCK-style word */
  unsigned char shared; /* held shared (reader) */
} io_held_lock;

typedef struct io_held_set {
  unsigned count;
  io_held_lock held[IO_MAX_HELD];
} io_held_set;

static inline io_held_lock *io_held_find(const volatile void *lock)
{
  io_held_set *set = IO_HELD();
  unsigned i;
  for (i = 0; i < set->count; i++)
    if (set->held[i].lock == lock) return &set->held[i];
  return NULL;
}

/* Spin locks the calling thread holds (the cancel lock not counted). */
static inline unsigned io_held_count(void) { return IO_HELD()->count; }

static inline int io_held_full(void) { return IO_HELD()->count == IO_MAX_HELD; }

static inline void io_held_add(volatile void *lock, int ex, int shared)
{
  io_held_set *set = IO_HELD();
  io_held_lock *h = &set->held[set->count++];
  h->lock = lock;
  h->depth = 1;
  h->ex = (unsigned char)ex;
  h->shared = (unsigned char)shared;
}

static inline void io_held_drop(io_held_lock *h)
{
  io_held_set *set = IO_HELD();
  *h = set->held[--set->count];
}

/* A second acquire by the holder: one level deeper when nest is set, else refused (nothing changes). */
static inline enum io_lock_result io_held_again(io_held_lock *h, int nest)
{
  if (!nest) return IO_LOCK_REFUSED;
  h->depth++;
  return IO_LOCK_NESTED;
}

/* KSPIN_LOCK (and every lock kept in one: in-stack queued, interrupt, numbered queued, VPB): the word holds
   the IO_THREAD_ID() of its holder, 0 when free. Acquire waits for it; the IRQL is the face's.

   The caller's hold of the word, or NULL. A word that no longer names the caller was reinitialised (the DDK's
   KeInitializeSpinLock is an inline store): that hold has ended. */
static inline io_held_lock *io_spin_mine(volatile size_t *word)
{
  io_held_lock *h = io_held_find(word);
  if (h == NULL || h->ex || IO_LOAD(word) == IO_THREAD_ID()) return h;
  io_held_drop(h);
  return NULL;
}

static inline enum io_lock_result io_spin_acquire(volatile size_t *word, int nest)
{
  size_t me = IO_THREAD_ID();
  io_held_lock *h = io_spin_mine(word);
  if (h != NULL) return io_held_again(h, nest);
  if (io_held_full()) return IO_LOCK_REFUSED;
  while (!IO_CAS(word, 0, me)) IO_YIELD();
  io_held_add(word, 0, 0);
  return IO_LOCK_TAKEN;
}

/* KeTryToAcquireSpinLockAtDpcLevel: one attempt; true when the lock was free and is now the caller's (a lock
   the caller holds already is not free: false). */
static inline int io_spin_try(volatile size_t *word)
{
  if (io_spin_mine(word) != NULL || io_held_full() || !IO_CAS(word, 0, IO_THREAD_ID())) return 0;
  io_held_add(word, 0, 0);
  return 1;
}

/* The release by the holder drops one level; the last frees the lock. */
static inline enum io_lock_result io_spin_release(volatile size_t *word)
{
  io_held_lock *h = io_spin_mine(word);
  if (h == NULL || h->ex) return IO_LOCK_NOT_HELD;
  if (--h->depth != 0) return IO_LOCK_LOWERED;
  io_held_drop(h);
  IO_STORE(word, 0);
  return IO_LOCK_FREED;
}

/* Executive shared/exclusive spin locks (EX_SPIN_LOCK, a LONG): IO_EX_EXCLUSIVE while a writer holds it,
   else the number of readers. Readers wait while a writer holds it; a writer waits until it is 0. */
#define IO_EX_EXCLUSIVE 0x40000000L

static inline int io_ex_attempt(volatile long *lock, int shared)
{
  long now = IO_LOAD_LONG(lock);
  if (!shared) return now == 0 && IO_CAS_LONG(lock, 0, IO_EX_EXCLUSIVE);
  return (now & IO_EX_EXCLUSIVE) == 0 && IO_CAS_LONG(lock, now, now + 1);
}

static inline enum io_lock_result io_ex_acquire(volatile long *lock, int shared, int nest)
{
  io_held_lock *h = io_held_find(lock);
  if (h != NULL) return io_held_again(h, nest);
  if (io_held_full()) return IO_LOCK_REFUSED;
  while (!io_ex_attempt(lock, shared)) IO_YIELD();
  io_held_add(lock, 1, shared);
  return IO_LOCK_TAKEN;
}

/* ExTryAcquireSpinLockShared/ExclusiveAtDpcLevel: one attempt (false on a lock the caller holds). */
static inline int io_ex_try(volatile long *lock, int shared)
{
  if (io_held_find(lock) != NULL || io_held_full() || !io_ex_attempt(lock, shared)) return 0;
  io_held_add(lock, 1, shared);
  return 1;
}

/* The release must name the way the caller holds the lock (shared or exclusive); else nothing changes. */
static inline enum io_lock_result io_ex_release(volatile long *lock, int shared)
{
  io_held_lock *h = io_held_find(lock);
  long now;
  if (h == NULL || !h->ex || h->shared != shared) return IO_LOCK_NOT_HELD;
  if (--h->depth != 0) return IO_LOCK_LOWERED;
  io_held_drop(h);
  if (!shared) {
    (void)IO_CAS_LONG(lock, IO_EX_EXCLUSIVE, 0);
    return IO_LOCK_FREED;
  }
  do now = IO_LOAD_LONG(lock);
  while (!IO_CAS_LONG(lock, now, now - 1));
  return IO_LOCK_FREED;
}

/* ExTryConvertSharedSpinLockExclusive: a shared hold becomes exclusive when the caller is the only reader. */
static inline int io_ex_convert(volatile long *lock)
{
  io_held_lock *h = io_held_find(lock);
  if (h == NULL || !h->ex || !h->shared || !IO_CAS_LONG(lock, 1, IO_EX_EXCLUSIVE)) return 0;
  h->shared = 0;
  return 1;
}

/* Frees every lock the caller holds (a new run starts with none). */
static inline void io_held_reset(void)
{
  io_held_set *set = IO_HELD();
  while (set->count > 0) {
    io_held_lock *h = &set->held[set->count - 1];
    h->depth = 1;
    if (h->ex) (void)io_ex_release((volatile long *)h->lock, h->shared);
    else (void)io_spin_release((volatile size_t *)h->lock);
  }
}

/* ---- IoCancelIrp ---- */

/* IoCancelIrp's work under the cancel lock, which the caller took (the acquire saved irql): sets Cancel and
   takes the cancel routine; with one, stores irql in CancelIrql and calls it (it must release the lock) and
   returns it; without, returns NULL and the caller releases the lock. */
static inline IO_CANCEL_ROUTINE io_cancel_locked(IO_IRP irp, unsigned char irql)
{
  IO_CANCEL_ROUTINE routine;
  irp->Cancel = 1;
  routine = IO_TAKE_CANCEL_ROUTINE(irp);
  if (routine != NULL) {
    irp->CancelIrql = irql;
    routine(IO_CANCEL_DEVICE(irp), irp);
  }
  return routine;
}

/* For an IRP just queued with its cancel routine set: when IoCancelIrp came first (Cancel set), takes the
   routine back and returns it (the cancel is then the caller's to finish); else returns NULL (not cancelled,
   or IoCancelIrp took the routine and its call finishes the cancel). */
static inline IO_CANCEL_ROUTINE io_take_if_cancelled(IO_IRP irp)
{
  return irp->Cancel ? IO_TAKE_CANCEL_ROUTINE(irp) : NULL;
}

/* ---- cancellation injection: cancel windows and (window, IRP) pairs ---- */

/* A cancel window is a point where another processor could call IoCancelIrp: the calling thread holds no
   spin lock. Each IRP in flight there makes one (window, IRP) pair, numbered from 1 in the order a run passes
   them. A counting run numbers the pairs; a cancelling run cancels the IRP of its target pair, once. */
enum io_inject_mode { IO_INJECT_OFF, IO_INJECT_COUNT, IO_INJECT_CANCEL };

typedef struct io_injection {
  enum io_inject_mode mode;
  unsigned long pairs;  /* pairs passed in this run */
  unsigned long target; /* the pair a cancelling run cancels at */
  int reached;          /* a cancelling run passed its target: no more windows in this run */
} io_injection;

/* Starts a run (target: the pair to cancel at, for IO_INJECT_CANCEL). */
static inline void io_inject_start(io_injection *in, enum io_inject_mode mode, unsigned long target)
{
  in->mode = mode;
  in->pairs = 0;
  in->target = target;
  in->reached = 0;
}

/* Whether a window opens here: injection on, the target not reached yet, no spin lock held by the caller
   (locks_held: the cancel lock and io_held_count()). */
static inline int io_window_open(const io_injection *in, int locks_held)
{
  return in->mode != IO_INJECT_OFF && !in->reached && !locks_held;
}

/* One more pair at an open window (call once per IRP in flight, in order, while it returns 0): true when this
   pair is the target, whose IRP the caller then cancels. */
static inline int io_window_pair(io_injection *in)
{
  if (++in->pairs != in->target || in->mode != IO_INJECT_CANCEL) return 0;
  in->reached = 1;
  return 1;
}

#endif
