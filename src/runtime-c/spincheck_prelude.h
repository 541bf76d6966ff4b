/* spincheck prelude: the hook interface an instrumented C file uses (inserted into it verbatim).
   Routine exits are hooked with __attribute__((cleanup)), or with __try/__finally when SPINCHECK_USE_SEH is
   defined (the msvc dialect defines it first). */
#ifndef SPINCHECK_PRELUDE_H
#define SPINCHECK_PRELUDE_H 1
#define SPINCHECK_ABI_VERSION 7
#define SPINCHECK_ROLE_DISPATCH 1
#define SPINCHECK_ROLE_CANCEL 2
#define SPINCHECK_ROLE_CANDIDATE 3
#if defined(_MSC_VER) && !defined(__clang__)
typedef unsigned __int64 spincheck_u64;
#else
__extension__ typedef unsigned long long spincheck_u64;
#endif
typedef void (*spincheck_fn)(void);
struct spincheck_site { unsigned kind; unsigned line; unsigned column; const char *function; };
struct spincheck_tu {
  unsigned abi;
  const char *id;
  const char *source;
  const char *data_dir;
  unsigned nsites;
  spincheck_u64 *hits;
  spincheck_u64 *held;
  const struct spincheck_site *sites;
  struct spincheck_tu *next;
  volatile long state;
};
struct spincheck_frame {
  struct spincheck_tu *tu;
  struct spincheck_frame *prev;
  unsigned entry_site;
  unsigned exit_site;
  int role;
  int held_at_entry;
  int entered_holding;
  /* The thread's spin-lock epoch at entry (each entry starts a new one): a lock taken in a later epoch and still held
     at exit is reported. */
  unsigned long spin_mark;
};
/* The hooks' fast paths' counts not yet added to their units' counters (docs/runtime.md, "Counters"): a slot per
   counter (its site number modulo SPINCHECK_COUNTS), `counted` the slots in use. The runtime's, one per thread. */
#define SPINCHECK_COUNTS 32
struct spincheck_counts {
  unsigned long counted;
  spincheck_u64 *counter[SPINCHECK_COUNTS];
  spincheck_u64 count[SPINCHECK_COUNTS];
};
/* A thread's block: a small id (1, 2, ...; 0 before its first hook), its routine frames, the IRQL pointer of the
   acquire in progress, its counts (set with its id; kept out of the block, whose weak stand-in every instrumented
   unit defines: a shared object's thread-local data is taken from glibc's small static TLS reserve). */
struct spincheck_thread_state {
  long id;
  struct spincheck_frame *top;
  void *pending_irql;
  struct spincheck_counts *counts;
};
/* The one cancel spin lock: owner thread (0 free), nesting after a double acquire, acquire site, saved IRQL.
   owner is read by every thread; the rest is written and read under the real lock. */
struct spincheck_lock_state {
  volatile long owner;
  long nesting;
  long nested;
  struct spincheck_tu *acq_tu;
  long acq_site;
  long by_io;
  long irql;
};
/* The runtime's table of exclusively held spin locks (spincheck_spin.inc): one entry per lock key (keys stay once
   added), its holder (0: none), acquire site (its counter, which names unit and site) and in-stack handle, written
   together; 32 bytes on 64-bit targets, so an entry never straddles a cache line. */
#define SPINCHECK_SPIN_OWNERS 8192
/* A lock key's first slot in the table (the key's address as an integer). */
#define SPINCHECK_SPIN_HOME(k) \
  ((unsigned long)(((spincheck_u64)(k) >> 3) * (((spincheck_u64)0x9e3779b9UL << 32) | 0x7f4a7c15UL) >> 40) % SPINCHECK_SPIN_OWNERS)
struct spincheck_spin_owner {
  void *volatile key;
  volatile long thread;
  spincheck_u64 *hit;
  void *handle;
};
/* A thread's spin locks as the hooks' fast path keeps them (docs/runtime.md, "Spin-lock hooks"), reached through
   the runtime's spincheck_spin_open while that path is open, folded into its full state before its own code runs.
   The acquire in progress: its site's counter (which names unit and site; 0: none), | 1 while its arguments' hooks
   are not all done (acq_parts: those done, SPINCHECK_SPIN_HAS_*), the lock and the PKIRQL (0: the form has none).
   The release in progress (two hooks): the lock (0: its hook has not run), the IRQL | 0x100 (0: its hook has not
   run). The locks it holds, oldest first, up to `top`, with their owner-table entries and acquire sites' counters. `epoch`
   counts routine entries: a lock is held "since a routine entered" when its epoch is newer than the routine's mark.
   Each hold slot also counts the pairs its releases ended: `pairs` acquires at `pair_acq` released at `pair_rel`, not
   yet added to those counters; `counted` when the held lock's acquire was added already (docs/runtime.md,
   "Counters"). */
#define SPINCHECK_SPIN_FAST_HELD 4
#define SPINCHECK_SPIN_HAS_KEY 1u
#define SPINCHECK_SPIN_HAS_IRQL 2u
#define SPINCHECK_SPIN_HAS_BOTH 3u
struct spincheck_spin_fast_hold {
  void *key;
  struct spincheck_spin_owner *owner;
  spincheck_u64 *hit;
  int irql;
  int counted;
  unsigned long epoch;
  spincheck_u64 *pair_acq;
  spincheck_u64 *pair_rel;
  spincheck_u64 pairs;
};
struct spincheck_spin_fast {
  long id;
  struct spincheck_spin_owner *owners;
  unsigned long epoch;
  spincheck_u64 *acq_hit;
  unsigned acq_parts;
  void *acq_key;
  void *acq_irql;
  void *rel_key;
  unsigned long rel_irql;
  struct spincheck_spin_fast_hold *top;
  struct spincheck_spin_fast_hold held[SPINCHECK_SPIN_FAST_HELD];
};
#ifdef __cplusplus
extern "C" {
#endif
void *spincheck_acquire_pre(struct spincheck_tu *tu, unsigned site, void *irql_ptr);
void spincheck_acquire_post(struct spincheck_tu *tu, unsigned site);
unsigned char spincheck_release_pre(struct spincheck_tu *tu, unsigned site, unsigned irql);
int spincheck_enter(struct spincheck_frame *frame, struct spincheck_tu *tu, unsigned entry_site,
                    unsigned other_exit_site, int role, spincheck_fn fn, int irql);
void spincheck_leave(struct spincheck_frame *frame);
spincheck_fn spincheck_register(struct spincheck_tu *tu, unsigned site, int role, spincheck_fn fn);
/* Every other spin lock (src/model/lock-api.ts; docs/runtime.md "Spin-lock hooks"). A lock is a pointer, or a
   number (queued spin locks; SPINCHECK_VPB_LOCK for the VPB lock). The lock argument's hook checks before the real
   call; the post hook records after it; a release's hooks (lock and IRQL arguments, in either order) finish before
   the real release. */
#define SPINCHECK_SPIN_SHARED 1
#define SPINCHECK_SPIN_TRY 2
#define SPINCHECK_VALUE_IRQL 1
#define SPINCHECK_VALUE_TRY 2
#define SPINCHECK_VPB_LOCK 0xffffUL
void *spincheck_spin_acquire_pre(struct spincheck_tu *tu, unsigned site, int flags, void *lock);
unsigned long spincheck_spin_acquire_pre_n(struct spincheck_tu *tu, unsigned site, int flags, unsigned long lock);
void *spincheck_spin_irql_out(struct spincheck_tu *tu, unsigned site, void *irql_ptr);
void *spincheck_spin_handle(struct spincheck_tu *tu, unsigned site, void *handle);
void *spincheck_spin_acquire_args(struct spincheck_tu *tu, unsigned site, int flags, void *lock, void *irql_ptr);
void *spincheck_spin_acquire_check(struct spincheck_tu *tu, unsigned site, int flags, void *lock);
void spincheck_spin_acquire_post_key(struct spincheck_tu *tu, unsigned site, int flags, void *lock, void *irql_ptr);
void spincheck_spin_acquire_post(struct spincheck_tu *tu, unsigned site);
unsigned long spincheck_spin_acquire_value(struct spincheck_tu *tu, unsigned site, int what, unsigned long value);
void *spincheck_spin_release_pre(struct spincheck_tu *tu, unsigned site, int parts, void *lock);
unsigned long spincheck_spin_release_pre_n(struct spincheck_tu *tu, unsigned site, int parts, unsigned long lock);
unsigned long spincheck_spin_release_irql(struct spincheck_tu *tu, unsigned site, unsigned long irql);
void *spincheck_spin_release_handle(struct spincheck_tu *tu, unsigned site, void *handle);
void *spincheck_spin_release_args(struct spincheck_tu *tu, unsigned site, void *lock, unsigned long irql);
void *spincheck_spin_init(struct spincheck_tu *tu, void *lock);
#ifdef __cplusplus
}
#endif
#if defined(_MSC_VER) && !defined(__clang__)
#define SPINCHECK_ACQ(site, p) spincheck_acquire_pre(&spincheck_tu_, (site), (void *)(p))
#define SPINCHECK_REL(site, v) spincheck_release_pre(&spincheck_tu_, (site), (unsigned)(v))
#define SPINCHECK_REG(site, role, f) (spincheck_register(&spincheck_tu_, (site), (role), (spincheck_fn)(f)), (f))
#define SPINCHECK_SPIN_CAST(e, v) (v)
#define SPINCHECK_SPIN_PTR(e, v) (v)
#define SPINCHECK_SPIN_VALUE(e, v) ((unsigned char)(v))
#else
#define SPINCHECK_ACQ(site, p) ((__typeof__(p))spincheck_acquire_pre(&spincheck_tu_, (site), (void *)(p)))
#define SPINCHECK_REL(site, v) ((__typeof__(v))spincheck_release_pre(&spincheck_tu_, (site), (unsigned)(v)))
#define SPINCHECK_REG(site, role, f) ((__typeof__(1 ? (f) : (f)))spincheck_register(&spincheck_tu_, (site), (role), (spincheck_fn)(f)))
#define SPINCHECK_SPIN_CAST(e, v) ((__typeof__(e))(v))
#define SPINCHECK_SPIN_PTR(e, v) ((__typeof__(1 ? (e) : (e)))(v))
#define SPINCHECK_SPIN_VALUE(e, v) ((__typeof__(e))(v))
#endif
/* The spin-lock hooks as the instrumenter writes them around an argument or a call (docs/semantics.md). */
#define SPINCHECK_SACQ(site, flags, p) SPINCHECK_SPIN_PTR(p, spincheck_spin_acquire_pre(&spincheck_tu_, (site), (flags), (void *)(p)))
#define SPINCHECK_SACQN(site, flags, n) SPINCHECK_SPIN_CAST(n, spincheck_spin_acquire_pre_n(&spincheck_tu_, (site), (flags), (unsigned long)(n)))
#define SPINCHECK_SACQK(site) ((void)spincheck_spin_acquire_pre_n(&spincheck_tu_, (site), 0, SPINCHECK_VPB_LOCK))
#define SPINCHECK_SIRQ(site, p) SPINCHECK_SPIN_PTR(p, spincheck_spin_irql_out(&spincheck_tu_, (site), (void *)(p)))
/* Both arguments of a call at once (lock and PKIRQL; lock and IRQL), where the other argument's text has no side
   effects: the instrumenter passes it to the hook too, so the call costs one hook instead of two. */
#define SPINCHECK_SACQI(site, flags, p, q) SPINCHECK_SPIN_PTR(p, spincheck_spin_acquire_args(&spincheck_tu_, (site), (flags), (void *)(p), (void *)(q)))
#define SPINCHECK_SRELI(site, p, v) SPINCHECK_SPIN_PTR(p, spincheck_spin_release_args(&spincheck_tu_, (site), (void *)(p), (unsigned long)(v)))
/* An acquire whose lock text (and PKIRQL text) the instrumenter copied into its post hook: the lock argument's hook
   only checks (nothing is recorded before the real call), the post hook takes the lock it names. */
#define SPINCHECK_SACQP(site, flags, p) SPINCHECK_SPIN_PTR(p, spincheck_spin_acquire_check(&spincheck_tu_, (site), (flags), (void *)(p)))
#define SPINCHECK_SPOSTP(site, flags, p, q) spincheck_spin_acquire_post_key(&spincheck_tu_, (site), (flags), (void *)(p), (void *)(q))
#define SPINCHECK_SHND(site, p) SPINCHECK_SPIN_PTR(p, spincheck_spin_handle(&spincheck_tu_, (site), (void *)(p)))
#define SPINCHECK_SPOST(site) spincheck_spin_acquire_post(&spincheck_tu_, (site))
/* The post hook of an acquire whose PKIRQL text the instrumenter copied (q: read inline; the runtime reads the
   pointer its argument hook kept). */
#define SPINCHECK_SPOSTI(site, q) spincheck_spin_acquire_post(&spincheck_tu_, (site))
#define SPINCHECK_SPOSTV(site, what, v) SPINCHECK_SPIN_VALUE(v, spincheck_spin_acquire_value(&spincheck_tu_, (site), (what), (unsigned long)(v)))
#define SPINCHECK_SREL(site, parts, p) SPINCHECK_SPIN_PTR(p, spincheck_spin_release_pre(&spincheck_tu_, (site), (parts), (void *)(p)))
#define SPINCHECK_SRELN(site, parts, n) SPINCHECK_SPIN_CAST(n, spincheck_spin_release_pre_n(&spincheck_tu_, (site), (parts), (unsigned long)(n)))
#define SPINCHECK_SRELK(site) ((void)spincheck_spin_release_pre_n(&spincheck_tu_, (site), 2, SPINCHECK_VPB_LOCK))
#define SPINCHECK_SRIRQ(site, v) SPINCHECK_SPIN_CAST(v, spincheck_spin_release_irql(&spincheck_tu_, (site), (unsigned long)(v)))
#define SPINCHECK_SRELH(site, p) SPINCHECK_SPIN_PTR(p, spincheck_spin_release_handle(&spincheck_tu_, (site), (void *)(p)))
#define SPINCHECK_SINIT(p) SPINCHECK_SPIN_PTR(p, spincheck_spin_init(&spincheck_tu_, (void *)(p)))
#if defined(__GNUC__) || defined(__clang__)
/* The common case of each lock hook (the unit registered, the thread known, the lock taken and released once by its
   holder, the IRQL as saved), shared by the runtime and, on ELF, inlined into instrumented code. Each returns 0
   when the hook's full version must run instead, having changed nothing. The site must be one of the unit's (the
   instrumenter numbers them; the runtime checks before it calls these). */
/* A hit of site counted in the thread's slot of its counter c (the site picks the slot: a constant where this is
   inlined); a slot taken by another counter first adds its count to that one. The runtime adds all of them at
   routine exits, full hooks, thread and process exit. */
static __inline__ __attribute__((unused)) void spincheck_fast_count(struct spincheck_thread_state *t, unsigned site, spincheck_u64 *c)
{
  struct spincheck_counts *b = t->counts;
  unsigned i = site % SPINCHECK_COUNTS;
  if (__builtin_expect(b->counter[i] != c, 0)) {
    if (b->count[i]) __atomic_fetch_add(b->counter[i], b->count[i], __ATOMIC_RELAXED);
    b->counter[i] = c;
    b->count[i] = 0;
    b->counted |= 1UL << i;
  }
  b->count[i]++;
}
static __inline__ __attribute__((unused)) int spincheck_fast_acquire_pre(struct spincheck_tu *tu, struct spincheck_thread_state *t,
                                                 struct spincheck_lock_state *l, void *irql_ptr)
{
  if (__builtin_expect(tu->state != 2 || !t->id || __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == t->id, 0)) return 0;
  t->pending_irql = irql_ptr;
  return 1;
}
static __inline__ __attribute__((unused)) int spincheck_fast_acquire_post(struct spincheck_tu *tu, unsigned site, struct spincheck_thread_state *t,
                                                  struct spincheck_lock_state *l)
{
  const unsigned char *p = (const unsigned char *)t->pending_irql;
  /* A pending IRQL pointer means this thread's acquire_pre ran, which gives it an id. */
  if (__builtin_expect(!p || __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == t->id, 0)) return 0;
  t->pending_irql = 0;
  l->acq_tu = tu;
  l->acq_site = (long)site;
  l->by_io = 0;
  l->irql = (long)*p;
  l->nesting = 1;
  l->nested = 0;
  __atomic_store_n(&l->owner, t->id, __ATOMIC_RELEASE);
  spincheck_fast_count(t, site, &tu->hits[site]);
  return 1;
}
/* A free lock has nesting 0, so a thread without its id yet (0, as the free owner) takes the full path. */
static __inline__ __attribute__((unused)) int spincheck_fast_release_pre(struct spincheck_tu *tu, unsigned site, unsigned irql,
                                                 struct spincheck_thread_state *t, struct spincheck_lock_state *l)
{
  if (__builtin_expect(tu->state != 2 || __atomic_load_n(&l->owner, __ATOMIC_RELAXED) != t->id ||
                       l->nesting != 1 || (!l->nested && l->irql >= 0 && (long)(irql & 0xffu) != l->irql), 0))
    return 0;
  spincheck_fast_count(t, site, &tu->hits[site]);
  l->nesting = 0;
  __atomic_store_n(&l->owner, 0, __ATOMIC_RELEASE);
  return 1;
}
/* The spin-lock hooks' common case, as above, on the thread's fast-path state (while it has one): an acquire (plain,
   exclusive, by lock address) of a lock the thread does not hold, whose key is in its first slot of the owner
   table, by a thread holding fewer than SPINCHECK_SPIN_FAST_HELD locks, from a registered unit; the release of the
   lock it took last, the IRQL as saved. The argument hook (or the lock and PKIRQL arguments' hooks, in either order,
   no other acquire's in between) records the acquire in progress, the post hook takes the lock: hold, owner,
   counter; where the post hook has its own copy of the lock's text (SPINCHECK_SACQP, SPINCHECK_SPOSTP), the argument
   hook only checks and records nothing. A release's hook releases (of two argument hooks, the first records its part). Each returns 0, having
   changed nothing, when the full hook must run. */
/* The double-acquire check: is key one of the (at most SPINCHECK_SPIN_FAST_HELD - 1) locks held? 1 when it is not. */
static __inline__ __attribute__((unused)) int spincheck_fast_spin_free(const struct spincheck_spin_fast *f, const void *key)
{
  const struct spincheck_spin_fast_hold *h, *top = f->top;
  if (__builtin_expect(!key, 0)) return 0;
  if (__builtin_expect(top != f->held, 0)) {
    if (top == f->held + SPINCHECK_SPIN_FAST_HELD) return 0;
    for (h = f->held; h < top; h++)
      if (__builtin_expect(h->key == key, 0)) return 0;
  }
  return 1;
}
/* One of an acquire's two argument hooks (part: SPINCHECK_SPIN_HAS_KEY or _IRQL): the first marks the acquire
   incomplete, the second completes it. */
static __inline__ __attribute__((unused)) int spincheck_fast_spin_arg(struct spincheck_spin_fast *f, struct spincheck_tu *tu,
                                              unsigned site, unsigned part)
{
  spincheck_u64 *c = &tu->hits[site];
  if (__builtin_expect(tu->state != 2, 0)) return 0;
  if (!f->acq_hit) {
    f->acq_hit = (spincheck_u64 *)((__UINTPTR_TYPE__)c | 1u);
    f->acq_parts = part;
    return 1;
  }
  if (__builtin_expect(f->acq_hit != (spincheck_u64 *)((__UINTPTR_TYPE__)c | 1u) || f->acq_parts != (part ^ SPINCHECK_SPIN_HAS_BOTH), 0)) return 0;
  f->acq_hit = c;
  return 1;
}
static __inline__ __attribute__((unused)) int spincheck_fast_spin_lock(struct spincheck_spin_fast *f, struct spincheck_tu *tu,
                                               unsigned site, void *key)
{
  if (!spincheck_fast_spin_free(f, key) || !spincheck_fast_spin_arg(f, tu, site, SPINCHECK_SPIN_HAS_KEY)) return 0;
  f->acq_key = key;
  return 1;
}
/* The lock argument's hook of a form whose PKIRQL (irql_ptr; 0: none) comes with it (SPINCHECK_SACQI). */
static __inline__ __attribute__((unused)) int spincheck_fast_spin_lock_args(struct spincheck_spin_fast *f, struct spincheck_tu *tu,
                                                    unsigned site, void *key, void *irql_ptr)
{
  if (__builtin_expect(tu->state != 2 || f->acq_hit || !spincheck_fast_spin_free(f, key), 0)) return 0;
  f->acq_hit = &tu->hits[site];
  f->acq_key = key;
  f->acq_irql = irql_ptr;
  return 1;
}
static __inline__ __attribute__((unused)) int spincheck_fast_spin_irql_out(struct spincheck_spin_fast *f, struct spincheck_tu *tu,
                                                   unsigned site, void *irql_ptr)
{
  if (__builtin_expect(!irql_ptr || !spincheck_fast_spin_arg(f, tu, site, SPINCHECK_SPIN_HAS_IRQL), 0)) return 0;
  f->acq_irql = irql_ptr;
  return 1;
}
/* The lock argument's hook of an acquire whose post hook names the lock itself (SPINCHECK_SACQP): the double-acquire
   check, nothing recorded. */
static __inline__ __attribute__((unused)) int spincheck_fast_spin_check(const struct spincheck_spin_fast *f, const struct spincheck_tu *tu,
                                                const void *key)
{
  return __builtin_expect(tu->state == 2 && !f->acq_hit && spincheck_fast_spin_free(f, key), 1);
}
/* The thread takes `key` (acquire site counter c, saved IRQL irql: -1 unknown), its hold the next free one, which
   keeps the key and owner entry of the last lock released from it: taking that lock again skips the hash. 0, having
   changed nothing but that cache, when the key has no owner entry yet. */
static __inline__ __attribute__((unused)) int spincheck_fast_spin_hold(struct spincheck_spin_fast *f, spincheck_u64 *c, void *key,
                                               long irql)
{
  struct spincheck_spin_fast_hold *h = f->top;
  struct spincheck_spin_owner *o = h->owner;
  if (__builtin_expect(h->key != key, 0)) {
    o = &f->owners[SPINCHECK_SPIN_HOME((__UINTPTR_TYPE__)key)];
    if (__builtin_expect(o->key != key, 0)) return 0;
    h->key = key;
    h->owner = o;
  }
  f->top = h + 1;
  h->hit = c;
  h->irql = (int)irql;
  h->epoch = f->epoch;
  /* Written while the real lock is held, which orders them; other threads read them only to name a holder. The
     entry's handle is 0: only an in-stack acquire sets it, and the full code clears it with the holder. The acquire
     is counted with its release (spincheck_fast_spin_release) or when the thread's counts are added. */
  o->hit = c;
  __atomic_store_n(&o->thread, f->id, __ATOMIC_RELEASE);
  return 1;
}
/* The post hook of an acquire whose argument hooks recorded it. irql: the saved IRQL the acquire returned, or -2 for
   the one stored through its recorded PKIRQL (-1 without one). The acquire's hooks ran fast for this site (of a
   registered unit), so the thread holds fewer than SPINCHECK_SPIN_FAST_HELD locks. */
static __inline__ __attribute__((unused)) int spincheck_fast_spin_take(struct spincheck_spin_fast *f, struct spincheck_tu *tu,
                                               unsigned site, long irql)
{
  spincheck_u64 *c = &tu->hits[site];
  if (__builtin_expect(f->acq_hit != c, 0)) return 0;
  if (irql == -2) irql = f->acq_irql ? (long)*(const unsigned char *)f->acq_irql : -1;
  if (!spincheck_fast_spin_hold(f, c, f->acq_key, irql)) return 0;
  f->acq_hit = 0;
  return 1;
}
/* The post hook of SPINCHECK_SACQP's acquire (SPINCHECK_SPOSTP): its lock argument's hook checked `key` with no
   acquire in progress, which the runtime's full code would have kept (and the fast path closed) had it run. Code
   run inside the real call (a kernel model's window calling the driver) may have taken locks since: the held set is
   checked again (room, and not this lock). */
static __inline__ __attribute__((unused)) int spincheck_fast_spin_take_key(struct spincheck_spin_fast *f, struct spincheck_tu *tu,
                                                   unsigned site, void *key, long irql)
{
  if (__builtin_expect(f->acq_hit || !spincheck_fast_spin_free(f, key), 0)) return 0;
  return spincheck_fast_spin_hold(f, &tu->hits[site], key, irql);
}
/* The release of hold h at the release site counted by c, other than the next of its slot's run of pairs: the
   run so far added to its counters, a new one begun; or, when the hold's acquire was counted already, the release
   alone counted. */
static __inline__ __attribute__((unused)) void spincheck_fast_spin_pair(struct spincheck_thread_state *t, struct spincheck_spin_fast_hold *h,
                                               unsigned site, spincheck_u64 *c)
{
  if (h->counted) {
    h->counted = 0;
    spincheck_fast_count(t, site, c);
    return;
  }
  if (h->pairs) {
    __atomic_fetch_add(h->pair_acq, h->pairs, __ATOMIC_RELAXED);
    __atomic_fetch_add(h->pair_rel, h->pairs, __ATOMIC_RELAXED);
  }
  h->pair_acq = h->hit;
  h->pair_rel = c;
  h->pairs = 1;
}
/* irql: the IRQL the release restores (0-255), or -1 when the form has none; any other than the hold's (also one
   known on one side only) takes the full code, which decides. The lock's hold is the newest. */
static __inline__ __attribute__((unused)) int spincheck_fast_spin_release(struct spincheck_spin_fast *f, struct spincheck_thread_state *t,
                                                  struct spincheck_tu *tu, unsigned site, void *key, long irql)
{
  struct spincheck_spin_fast_hold *h;
  spincheck_u64 *c = &tu->hits[site];
  if (__builtin_expect(f->top == f->held, 0)) return 0;
  h = f->top - 1;
  if (__builtin_expect(h->key != key || h->irql != irql, 0)) return 0;
  /* The pair counted in the hold's slot: the next of its run, else (the unit is registered when its release site
     already counts a run: only registered units' fast paths count; else it is checked) a new run. */
  if (__builtin_expect(h->pair_rel == c && h->pair_acq == h->hit, 1)) {
    h->pairs++;
  } else {
    if (__builtin_expect(tu->state != 2, 0)) return 0;
    spincheck_fast_spin_pair(t, h, site, c);
  }
  f->top = h;
  __atomic_store_n(&h->owner->thread, 0, __ATOMIC_RELEASE);
  return 1;
}
/* A release's lock argument (parts 1: the form has no IRQL argument, release now). */
static __inline__ __attribute__((unused)) int spincheck_fast_spin_release_lock(struct spincheck_spin_fast *f, struct spincheck_thread_state *t,
                                                       struct spincheck_tu *tu, unsigned site, int parts, void *key)
{
  if (parts < 2) return spincheck_fast_spin_release(f, t, tu, site, key, -1);
  if (__builtin_expect(!key || f->rel_key, 0)) return 0;
  if (!f->rel_irql) {
    f->rel_key = key;
    return 1;
  }
  if (!spincheck_fast_spin_release(f, t, tu, site, key, (long)(f->rel_irql & 0xffu))) return 0;
  f->rel_irql = 0;
  return 1;
}
static __inline__ __attribute__((unused)) int spincheck_fast_spin_release_irql(struct spincheck_spin_fast *f, struct spincheck_thread_state *t,
                                                       struct spincheck_tu *tu, unsigned site, unsigned long irql)
{
  if (__builtin_expect(f->rel_irql != 0, 0)) return 0;
  if (!f->rel_key) {
    f->rel_irql = (irql & 0xffu) | 0x100u;
    return 1;
  }
  if (!spincheck_fast_spin_release(f, t, tu, site, f->rel_key, (long)(irql & 0xffu))) return 0;
  f->rel_key = 0;
  return 1;
}
#endif
#if defined(__ELF__) && (defined(__GNUC__) || defined(__clang__)) && !defined(SPINCHECK_RUNTIME) && !defined(SPINCHECK_NO_FAST_PATHS)
/* On ELF the common case runs inline, on the runtime's lock and thread block; the rest calls the hook. */
extern struct spincheck_lock_state spincheck_lock;
extern __thread struct spincheck_thread_state spincheck_thread __attribute__((tls_model("initial-exec")));
extern __thread struct spincheck_spin_fast *spincheck_spin_open __attribute__((tls_model("initial-exec")));
static __inline__ __attribute__((unused)) void *spincheck_acq_inline(struct spincheck_tu *tu, unsigned site, void *p)
{
  return spincheck_fast_acquire_pre(tu, &spincheck_thread, &spincheck_lock, p) ? p : spincheck_acquire_pre(tu, site, p);
}
static __inline__ __attribute__((unused)) void spincheck_acq_post_inline(struct spincheck_tu *tu, unsigned site)
{
  if (!spincheck_fast_acquire_post(tu, site, &spincheck_thread, &spincheck_lock)) spincheck_acquire_post(tu, site);
}
static __inline__ __attribute__((unused)) unsigned char spincheck_rel_inline(struct spincheck_tu *tu, unsigned site, unsigned irql)
{
  return spincheck_fast_release_pre(tu, site, irql, &spincheck_thread, &spincheck_lock)
           ? (unsigned char)irql : spincheck_release_pre(tu, site, irql);
}
static __inline__ __attribute__((unused)) void *spincheck_sacq_inline(struct spincheck_tu *tu, unsigned site, int flags, void *p)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  return !flags && f && spincheck_fast_spin_lock(f, tu, site, p) ? p : spincheck_spin_acquire_pre(tu, site, flags, p);
}
static __inline__ __attribute__((unused)) void *spincheck_sirq_inline(struct spincheck_tu *tu, unsigned site, void *p)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  return f && spincheck_fast_spin_irql_out(f, tu, site, p) ? p : spincheck_spin_irql_out(tu, site, p);
}
static __inline__ __attribute__((unused)) void spincheck_spost_inline(struct spincheck_tu *tu, unsigned site)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  if (!f || !spincheck_fast_spin_take(f, tu, site, -2)) spincheck_spin_acquire_post(tu, site);
}
static __inline__ __attribute__((unused)) void spincheck_sposti_inline(struct spincheck_tu *tu, unsigned site, const void *q)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  if (!f || !spincheck_fast_spin_take(f, tu, site, q ? (long)*(const unsigned char *)q : -1))
    spincheck_spin_acquire_post(tu, site);
}
static __inline__ __attribute__((unused)) unsigned long spincheck_spostv_inline(struct spincheck_tu *tu, unsigned site, int what,
                                                                  unsigned long v)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  return what == SPINCHECK_VALUE_IRQL && f && spincheck_fast_spin_take(f, tu, site, (long)(v & 0xffu))
           ? v : spincheck_spin_acquire_value(tu, site, what, v);
}
static __inline__ __attribute__((unused)) void *spincheck_srel_inline(struct spincheck_tu *tu, unsigned site, int parts, void *p)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  return f && spincheck_fast_spin_release_lock(f, &spincheck_thread, tu, site, parts, p) ? p : spincheck_spin_release_pre(tu, site, parts, p);
}
static __inline__ __attribute__((unused)) void *spincheck_sacqi_inline(struct spincheck_tu *tu, unsigned site, int flags, void *p, void *q)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  return !flags && f && spincheck_fast_spin_lock_args(f, tu, site, p, q) ? p : spincheck_spin_acquire_args(tu, site, flags, p, q);
}
static __inline__ __attribute__((unused)) void *spincheck_sacqp_inline(struct spincheck_tu *tu, unsigned site, int flags, void *p)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  return !flags && f && spincheck_fast_spin_check(f, tu, p) ? p : spincheck_spin_acquire_check(tu, site, flags, p);
}
static __inline__ __attribute__((unused)) void spincheck_spostp_inline(struct spincheck_tu *tu, unsigned site, int flags, void *p, void *q)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  if (flags || !f || !spincheck_fast_spin_take_key(f, tu, site, p, q ? (long)*(const unsigned char *)q : -1))
    spincheck_spin_acquire_post_key(tu, site, flags, p, q);
}
static __inline__ __attribute__((unused)) void *spincheck_sreli_inline(struct spincheck_tu *tu, unsigned site, void *p, unsigned long v)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  return f && spincheck_fast_spin_release(f, &spincheck_thread, tu, site, p, (long)(v & 0xffu)) ? p : spincheck_spin_release_args(tu, site, p, v);
}
static __inline__ __attribute__((unused)) unsigned long spincheck_srirq_inline(struct spincheck_tu *tu, unsigned site, unsigned long v)
{
  struct spincheck_spin_fast *f = spincheck_spin_open;
  return f && spincheck_fast_spin_release_irql(f, &spincheck_thread, tu, site, v) ? v : spincheck_spin_release_irql(tu, site, v);
}
#undef SPINCHECK_ACQ
#undef SPINCHECK_REL
#undef SPINCHECK_SACQ
#undef SPINCHECK_SIRQ
#undef SPINCHECK_SPOST
#undef SPINCHECK_SPOSTI
#undef SPINCHECK_SPOSTV
#undef SPINCHECK_SREL
#undef SPINCHECK_SRIRQ
#undef SPINCHECK_SACQI
#undef SPINCHECK_SRELI
#undef SPINCHECK_SACQP
#undef SPINCHECK_SPOSTP
#define SPINCHECK_ACQ(site, p) ((__typeof__(p))spincheck_acq_inline(&spincheck_tu_, (site), (void *)(p)))
#define SPINCHECK_REL(site, v) ((__typeof__(v))spincheck_rel_inline(&spincheck_tu_, (site), (unsigned)(v)))
#define SPINCHECK_ACQ_POST(site) spincheck_acq_post_inline(&spincheck_tu_, (site))
#define SPINCHECK_SACQ(site, flags, p) SPINCHECK_SPIN_PTR(p, spincheck_sacq_inline(&spincheck_tu_, (site), (flags), (void *)(p)))
#define SPINCHECK_SIRQ(site, p) SPINCHECK_SPIN_PTR(p, spincheck_sirq_inline(&spincheck_tu_, (site), (void *)(p)))
#define SPINCHECK_SPOST(site) spincheck_spost_inline(&spincheck_tu_, (site))
#define SPINCHECK_SPOSTI(site, q) spincheck_sposti_inline(&spincheck_tu_, (site), (const void *)(q))
#define SPINCHECK_SPOSTV(site, what, v) SPINCHECK_SPIN_VALUE(v, spincheck_spostv_inline(&spincheck_tu_, (site), (what), (unsigned long)(v)))
#define SPINCHECK_SREL(site, parts, p) SPINCHECK_SPIN_PTR(p, spincheck_srel_inline(&spincheck_tu_, (site), (parts), (void *)(p)))
#define SPINCHECK_SRIRQ(site, v) SPINCHECK_SPIN_CAST(v, spincheck_srirq_inline(&spincheck_tu_, (site), (unsigned long)(v)))
#define SPINCHECK_SACQI(site, flags, p, q) SPINCHECK_SPIN_PTR(p, spincheck_sacqi_inline(&spincheck_tu_, (site), (flags), (void *)(p), (void *)(q)))
#define SPINCHECK_SRELI(site, p, v) SPINCHECK_SPIN_PTR(p, spincheck_sreli_inline(&spincheck_tu_, (site), (void *)(p), (unsigned long)(v)))
#define SPINCHECK_SACQP(site, flags, p) SPINCHECK_SPIN_PTR(p, spincheck_sacqp_inline(&spincheck_tu_, (site), (flags), (void *)(p)))
#define SPINCHECK_SPOSTP(site, flags, p, q) spincheck_spostp_inline(&spincheck_tu_, (site), (flags), (void *)(p), (void *)(q))
#else
#define SPINCHECK_ACQ_POST(site) spincheck_acquire_post(&spincheck_tu_, (site))
#endif
#ifdef SPINCHECK_USE_SEH
#define SPINCHECK_BEGIN(entry, other, role, f, irql) \
  struct spincheck_frame spincheck_frame_; \
  int spincheck_entered_ = \
    spincheck_enter(&spincheck_frame_, &spincheck_tu_, (entry), (other), (role), (spincheck_fn)(f), (irql)); \
  __try {
#define SPINCHECK_END(site) spincheck_frame_.exit_site = (site); \
  } __finally { (void)spincheck_entered_; spincheck_leave(&spincheck_frame_); }
#else
#define SPINCHECK_BEGIN(entry, other, role, f, irql) \
  struct spincheck_frame spincheck_frame_ __attribute__((cleanup(spincheck_leave))); \
  int spincheck_entered_ __attribute__((unused)) = \
    spincheck_enter(&spincheck_frame_, &spincheck_tu_, (entry), (other), (role), (spincheck_fn)(f), (irql));
#define SPINCHECK_END(site) spincheck_frame_.exit_site = (site);
#endif
#if defined(__ELF__) && !defined(SPINCHECK_RUNTIME)
/* Weak no-op stubs: a link that never sees the runtime still succeeds (and records nothing); the runtime's
   strong definitions replace them wherever it is linked. SPINCHECK_STUB keeps every optimiser away from their
   bodies: gcc's link-time optimisation (12, with bfd and gold, also -ffat-lto-objects) inlines a weak
   definition even when the linker reports it preempted by the runtime's, so no hook would ever run. */
#if defined(__has_attribute)
#if __has_attribute(noipa)
#define SPINCHECK_STUB __attribute__((weak, noinline, noipa))
/* Stand-ins with the same body would be folded into aliases of one another by identical code folding, and gcc
   12's lto1 crashes (IPA icf) on such an alias once the runtime preempts it: an empty asm with a constant of its
   own makes every body distinct, at no cost in code. */
#define SPINCHECK_DISTINCT(n) __asm__("" : : "i"(n));
#endif
#endif
#ifndef SPINCHECK_STUB
#define SPINCHECK_STUB __attribute__((weak, noinline))
#define SPINCHECK_DISTINCT(n)
#endif
SPINCHECK_STUB void *spincheck_acquire_pre(struct spincheck_tu *tu, unsigned site, void *irql_ptr)
{ SPINCHECK_DISTINCT(1) (void)tu; (void)site; return irql_ptr; }
SPINCHECK_STUB void spincheck_acquire_post(struct spincheck_tu *tu, unsigned site)
{ SPINCHECK_DISTINCT(2) (void)tu; (void)site; }
SPINCHECK_STUB unsigned char spincheck_release_pre(struct spincheck_tu *tu, unsigned site, unsigned irql)
{ SPINCHECK_DISTINCT(3) (void)tu; (void)site; return (unsigned char)irql; }
SPINCHECK_STUB int spincheck_enter(struct spincheck_frame *frame, struct spincheck_tu *tu, unsigned entry_site,
                                   unsigned other_exit_site, int role, spincheck_fn fn, int irql)
{ SPINCHECK_DISTINCT(4) (void)frame; (void)tu; (void)entry_site; (void)other_exit_site; (void)role; (void)fn; (void)irql; return 0; }
SPINCHECK_STUB void spincheck_leave(struct spincheck_frame *frame)
{ SPINCHECK_DISTINCT(5) (void)frame; }
SPINCHECK_STUB spincheck_fn spincheck_register(struct spincheck_tu *tu, unsigned site, int role, spincheck_fn fn)
{ SPINCHECK_DISTINCT(6) (void)tu; (void)site; (void)role; return fn; }
SPINCHECK_STUB void *spincheck_spin_acquire_pre(struct spincheck_tu *tu, unsigned site, int flags, void *lock)
{ SPINCHECK_DISTINCT(7) (void)tu; (void)site; (void)flags; return lock; }
SPINCHECK_STUB unsigned long spincheck_spin_acquire_pre_n(struct spincheck_tu *tu, unsigned site, int flags, unsigned long lock)
{ SPINCHECK_DISTINCT(8) (void)tu; (void)site; (void)flags; return lock; }
SPINCHECK_STUB void *spincheck_spin_irql_out(struct spincheck_tu *tu, unsigned site, void *irql_ptr)
{ SPINCHECK_DISTINCT(9) (void)tu; (void)site; return irql_ptr; }
SPINCHECK_STUB void *spincheck_spin_handle(struct spincheck_tu *tu, unsigned site, void *handle)
{ SPINCHECK_DISTINCT(10) (void)tu; (void)site; return handle; }
SPINCHECK_STUB void spincheck_spin_acquire_post(struct spincheck_tu *tu, unsigned site) { SPINCHECK_DISTINCT(11) (void)tu; (void)site; }
SPINCHECK_STUB unsigned long spincheck_spin_acquire_value(struct spincheck_tu *tu, unsigned site, int what, unsigned long value)
{ SPINCHECK_DISTINCT(12) (void)tu; (void)site; (void)what; return value; }
SPINCHECK_STUB void *spincheck_spin_release_pre(struct spincheck_tu *tu, unsigned site, int parts, void *lock)
{ SPINCHECK_DISTINCT(13) (void)tu; (void)site; (void)parts; return lock; }
SPINCHECK_STUB unsigned long spincheck_spin_release_pre_n(struct spincheck_tu *tu, unsigned site, int parts, unsigned long lock)
{ SPINCHECK_DISTINCT(14) (void)tu; (void)site; (void)parts; return lock; }
SPINCHECK_STUB unsigned long spincheck_spin_release_irql(struct spincheck_tu *tu, unsigned site, unsigned long irql)
{ SPINCHECK_DISTINCT(15) (void)tu; (void)site; return irql; }
SPINCHECK_STUB void *spincheck_spin_release_handle(struct spincheck_tu *tu, unsigned site, void *handle)
{ SPINCHECK_DISTINCT(16) (void)tu; (void)site; return handle; }
SPINCHECK_STUB void *spincheck_spin_init(struct spincheck_tu *tu, void *lock)
{ SPINCHECK_DISTINCT(17) (void)tu; return lock; }
SPINCHECK_STUB void *spincheck_spin_acquire_args(struct spincheck_tu *tu, unsigned site, int flags, void *lock, void *irql_ptr)
{ SPINCHECK_DISTINCT(18) (void)tu; (void)site; (void)flags; (void)irql_ptr; return lock; }
SPINCHECK_STUB void *spincheck_spin_release_args(struct spincheck_tu *tu, unsigned site, void *lock, unsigned long irql)
{ SPINCHECK_DISTINCT(19) (void)tu; (void)site; (void)irql; return lock; }
SPINCHECK_STUB void *spincheck_spin_acquire_check(struct spincheck_tu *tu, unsigned site, int flags, void *lock)
{ SPINCHECK_DISTINCT(20) (void)tu; (void)site; (void)flags; return lock; }
SPINCHECK_STUB void spincheck_spin_acquire_post_key(struct spincheck_tu *tu, unsigned site, int flags, void *lock, void *irql_ptr)
{ SPINCHECK_DISTINCT(21) (void)tu; (void)site; (void)flags; (void)lock; (void)irql_ptr; }
__attribute__((weak)) struct spincheck_lock_state spincheck_lock;
__attribute__((weak)) __thread struct spincheck_thread_state spincheck_thread;
__attribute__((weak)) __thread struct spincheck_spin_fast *spincheck_spin_open;
#endif
#define SPINCHECK_RET(site) spincheck_frame_.exit_site = (site);
#endif
#if defined(__GNUC__) || defined(__clang__)
#define SPINCHECK_UNUSED __attribute__((unused))
#else
#define SPINCHECK_UNUSED
#endif
#ifndef SPINCHECK_RUNTIME
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED;
#endif
