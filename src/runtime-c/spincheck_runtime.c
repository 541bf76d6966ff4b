/* spincheck runtime: the hooks and the CancelSpinLock state machine; one translation unit including its parts. */
#ifndef SPINCHECK_RUNTIME
#define SPINCHECK_RUNTIME 1
#endif
#include "spincheck_prelude.h"
#include "spincheck_port.h"
#include <stdarg.h>
#include "spincheck_format.h"
#include "spincheck.h"
#ifdef SPINCHECK_TEST_HOOKS
#include "spincheck_test.h"
#endif

/* Translation units whose hooks ran, newest first (lock-free push). */
static struct spincheck_tu *volatile spincheck__tus;

static void spincheck__add_own_counts(void);
struct spincheck_thread_state;
static void spincheck__spin_add_counts(struct spincheck_thread_state *t, int forget);
#include "spincheck_options.inc"
#include "spincheck_writer.inc"
#include "spincheck_report.inc"

/* ---- threads: struct spincheck_thread_state (the prelude), one per thread ---- */
#ifdef SPINCHECK_TEST_HOOKS
#define SPINCHECK__SIM_THREADS 64
static struct spincheck_thread_state spincheck__sim[SPINCHECK__SIM_THREADS + 1];
static long spincheck__sim_current = 1;
static struct spincheck_counts spincheck__sim_counts[SPINCHECK__SIM_THREADS + 1];
static struct spincheck_thread_state *spincheck__self(void) {
  struct spincheck_thread_state *t = &spincheck__sim[spincheck__sim_current];
  t->id = spincheck__sim_current;
  t->counts = &spincheck__sim_counts[spincheck__sim_current];
  return t;
}
#define spincheck__self_fast spincheck__self
#else
SPINCHECK__TLS struct spincheck_thread_state spincheck_thread;
static SPINCHECK__TLS struct spincheck_counts spincheck__counts;
static volatile long spincheck__thread_ids;
static void spincheck__init(void);
static SPINCHECK__OUT_OF_LINE void spincheck__new_thread(struct spincheck_thread_state *t) {
  spincheck__init();
  t->counts = &spincheck__counts;
  t->id = spincheck__add_long(&spincheck__thread_ids, 1) + 1;
  spincheck__thread_exit_arm(t);
}
static struct spincheck_thread_state *spincheck__self(void) {
  struct spincheck_thread_state *t = &spincheck_thread;
  if (SPINCHECK__RARELY(!t->id)) spincheck__new_thread(t);
  return t;
}
/* The hooks' fast paths: the thread's block, its id still 0 before its first hook (they then take the full path). */
#define spincheck__self_fast() (&spincheck_thread)
#endif

/* Add a thread's pending counts (the fast paths', struct spincheck_thread_state) to the units' counters: at routine
   exits, full hooks, dumps and the thread's exit (docs/runtime.md, "Counters"). */
static void spincheck__add_counts(struct spincheck_thread_state *t) {
  struct spincheck_counts *b = t->counts;
  unsigned long used = b ? b->counted : 0;
  unsigned i;
  for (i = 0; used; i++, used >>= 1)
    if ((used & 1u) && b->count[i]) {
      spincheck__add_u64(b->counter[i], b->count[i]);
      b->count[i] = 0;
    }
  spincheck__spin_add_counts(t, 0);
}
static void spincheck__add_own_counts(void) { spincheck__add_counts(spincheck__self_fast()); }

/* ---- the one cancel spin lock (struct spincheck_lock_state, the prelude); reports read it racily ---- */
struct spincheck_lock_state spincheck_lock;

static void spincheck__take(long self, struct spincheck_tu *tu, unsigned site, int by_io, long irql) {
  spincheck_lock.acq_tu = tu;
  spincheck_lock.acq_site = (long)site;
  spincheck_lock.by_io = by_io;
  spincheck_lock.irql = irql;
  spincheck_lock.nesting = 1;
  spincheck_lock.nested = 0;
  spincheck__store_long(&spincheck_lock.owner, self);
}

/* The other fields are read only while the lock has an owner, and take() sets them all. */
static void spincheck__free(void) {
  spincheck_lock.nesting = 0;
  spincheck__store_long(&spincheck_lock.owner, 0);
}

/* ---- function address -> registered role (lock-free open addressing) ---- */
#define SPINCHECK__REG_SIZE 4096
static void *volatile spincheck__reg_key[SPINCHECK__REG_SIZE];
static volatile long spincheck__reg_role[SPINCHECK__REG_SIZE];
static volatile long spincheck__reg_full;

static size_t spincheck__reg_hash(size_t key) {
  return (size_t)(((spincheck_u64)key >> 4) * 0x9e3779b97f4a7c15ULL >> 40) % SPINCHECK__REG_SIZE;
}

/* Remember the role of a function address; the first registration's role stays. */
static void spincheck__reg_put(size_t key, int role) {
  size_t h = spincheck__reg_hash(key), n;
  for (n = 0; n < SPINCHECK__REG_SIZE; n++) {
    size_t i = (h + n) % SPINCHECK__REG_SIZE;
    void *k = spincheck__load_ptr(&spincheck__reg_key[i]);
    if (!k && spincheck__cas_ptr(&spincheck__reg_key[i], NULL, (void *)key)) {
      spincheck__store_long(&spincheck__reg_role[i], role);
      return;
    }
    k = spincheck__load_ptr(&spincheck__reg_key[i]);
    if (k == (void *)key) {
      spincheck__cas_long(&spincheck__reg_role[i], 0, role);
      return;
    }
  }
  if (spincheck__cas_long(&spincheck__reg_full, 0, 1))
    spincheck__warn("more than %d registered routines; further registrations ignored", SPINCHECK__REG_SIZE);
}

static int spincheck__reg_get(size_t key) {
  size_t h = spincheck__reg_hash(key), n;
  for (n = 0; n < SPINCHECK__REG_SIZE; n++) {
    size_t i = (h + n) % SPINCHECK__REG_SIZE;
    void *k = spincheck__load_ptr(&spincheck__reg_key[i]);
    if (!k) return 0;
    if (k == (void *)key) return (int)spincheck__peek_long(&spincheck__reg_role[i]);
  }
  return 0;
}

/* ---- start-up, exit, fork ---- */
static volatile long spincheck__init_state;
/* Isolated campaign runs (child processes) that did not end clean (spincheck_run_failed). */
static volatile long spincheck__failed_runs;

#ifndef SPINCHECK_TEST_HOOKS
static void spincheck__finish(int status, int status_known) {
  spincheck_u64 n;
  long failed = spincheck__load_long(&spincheck__failed_runs);
  spincheck__add_own_counts();
  spincheck__io_lock();
  n = spincheck__nviolations;
  /* A process in which no instrumented unit ran still leaves its run file (the header alone): the report can then
     tell "the tests ran, but no hook reached the runtime" from "no test ran". */
  if (spincheck__load_ptr(&spincheck__tus) || n) spincheck__dump_locked();
  else (void)spincheck__run_open_locked();
  if (n)
    spincheck__warn_locked("%lu violation(s) of the CancelSpinLock rule in process %ld%s%s", (unsigned long)n,
                           spincheck__getpid(), spincheck__run_fd >= 0 ? "; run data in " : "",
                           spincheck__run_fd >= 0 ? spincheck__run_path : "");
  if (failed)
    spincheck__warn_locked("%ld isolated campaign run(s) of process %ld did not end clean (their run files hold why)",
                           failed, spincheck__getpid());
  spincheck__io_unlock();
  if ((n || failed) && spincheck__opt.exitcode && (!status_known || status == 0)) spincheck__exit_now(spincheck__opt.exitcode);
}

#if defined(SPINCHECK__HAVE_ON_EXIT)
static void spincheck__on_exit(int status, void *arg) {
  (void)arg;
  spincheck__finish(status, 1);
}
#else
static void spincheck__at_exit(void) { spincheck__finish(0, 0); }
#endif

/* A thread ends: its pending counts go to the counters. */
static void spincheck__thread_exit(void *t) { spincheck__add_counts((struct spincheck_thread_state *)t); }

static void spincheck__fork_prepare(void) { spincheck__io_lock(); }
static void spincheck__fork_parent(void) { spincheck__io_unlock(); }

/* The child starts with zero counters and an empty violation table; it writes its own run file. */
static void spincheck__fork_child(void) {
  struct spincheck_tu *tu;
  for (tu = (struct spincheck_tu *)spincheck__load_ptr(&spincheck__tus); tu; tu = tu->next) {
    memset(tu->hits, 0, tu->nsites * sizeof tu->hits[0]);
    memset(tu->held, 0, tu->nsites * sizeof tu->held[0]);
  }
  memset(spincheck__counts.count, 0, sizeof spincheck__counts.count);
  spincheck__spin_add_counts(&spincheck_thread, 1);
  memset(spincheck__vtab, 0, sizeof spincheck__vtab);
  spincheck__nviolations = 0;
  spincheck__failed_runs = 0;
  spincheck__io_unlock();
}
#endif

/* Read options and suppressions, install exit and fork handlers; once per process. */
static void spincheck__init(void) {
  if (spincheck__load_long(&spincheck__init_state) == 2) return;
  if (spincheck__cas_long(&spincheck__init_state, 0, 1)) {
    spincheck_lock.irql = -1;
    spincheck__options_defaults();
    spincheck__parse_options(getenv("SPINCHECK_OPTIONS"));
    spincheck__load_suppressions(spincheck__opt.suppressions);
#ifndef SPINCHECK_TEST_HOOKS
#if defined(SPINCHECK__HAVE_ON_EXIT)
    on_exit(spincheck__on_exit, NULL);
#else
    atexit(spincheck__at_exit);
#endif
    spincheck__atfork(spincheck__fork_prepare, spincheck__fork_parent, spincheck__fork_child);
    spincheck__thread_exit_init(spincheck__thread_exit);
#endif
    spincheck__store_long(&spincheck__init_state, 2);
  } else {
    while (spincheck__load_long(&spincheck__init_state) != 2) spincheck__yield();
  }
}

#ifndef SPINCHECK_TEST_HOOKS
SPINCHECK__ON_LOAD(spincheck__on_load) { spincheck__init(); }
#endif

/* First hook of a TU: add it to the list dumped at exit. */
static SPINCHECK__OUT_OF_LINE void spincheck__register_tu(struct spincheck_tu *tu) {
  struct spincheck_tu *head;
  spincheck__init();
  if (!spincheck__cas_long(&tu->state, 0, 1)) return;
  if (tu->abi != SPINCHECK_ABI_VERSION) {
    spincheck__warn("%s: instrumented for hook ABI %u, runtime has %d; its counters are not recorded",
                    tu->source ? tu->source : "?", tu->abi, SPINCHECK_ABI_VERSION);
    return;
  }
  do {
    head = (struct spincheck_tu *)spincheck__load_ptr(&spincheck__tus);
    tu->next = head;
  } while (!spincheck__cas_ptr(&spincheck__tus, head, tu));
  spincheck__store_long(&tu->state, 2);
  if (spincheck__opt.verbosity >= 2) spincheck__warn("instrumented unit %s (%s) ran", tu->id, tu->source);
}

#define spincheck__touch(tu) \
  do { \
    if (SPINCHECK__RARELY(spincheck__peek_long(&(tu)->state) != 2)) spincheck__register_tu(tu); \
  } while (0)

/* A hit of a full hook (or a routine's entry or exit): the thread's pending counts first, then this one, added to
   the units' counters atomically. */
static void spincheck__hit(struct spincheck_tu *tu, unsigned site) {
  spincheck__add_own_counts();
  if (site < tu->nsites) spincheck__inc_u64(&tu->hits[site]);
}

/* Fill a violation from the lock state and the thread, then report it. */
static SPINCHECK__OUT_OF_LINE void spincheck__report(int kind, struct spincheck_tu *tu, unsigned site, const struct spincheck_thread_state *t,
                              long irql_released) {
  struct spincheck__violation v;
  v.kind = kind;
  v.tu = tu;
  v.site = site;
  v.acq_tu = spincheck__peek_long(&spincheck_lock.owner) ? spincheck_lock.acq_tu : NULL;
  v.acq_site = v.acq_tu ? spincheck_lock.acq_site : -1;
  v.by_io = v.acq_tu ? (int)spincheck_lock.by_io : 0;
  v.thread = t->id;
  v.irql_acquired = irql_released >= 0 ? spincheck_lock.irql : -1;
  v.irql_released = irql_released;
  v.top = t->top;
  spincheck__violation(&v);
}

/* ---- the hooks ---- */

/*
 * The three lock hooks run on every acquire and release: each tries the prelude's fast path for the common case
 * (also inlined into instrumented code on ELF) and calls its full version, out of line, for everything else.
 */

static SPINCHECK__OUT_OF_LINE void *spincheck__acquire_pre_full(struct spincheck_tu *tu, unsigned site, void *irql_ptr) {
  struct spincheck_thread_state *t;
  spincheck__touch(tu);
  t = spincheck__self();
  t->pending_irql = irql_ptr;
  if (spincheck__peek_long(&spincheck_lock.owner) == t->id) {
    spincheck__hit(tu, site);
    spincheck__report(SPINCHECK_V_DOUBLE_ACQUIRE, tu, site, t, -1);
  }
  return irql_ptr;
}

void *spincheck_acquire_pre(struct spincheck_tu *tu, unsigned site, void *irql_ptr) {
#ifdef SPINCHECK__FAST_PATHS
  if (site < tu->nsites && spincheck_fast_acquire_pre(tu, spincheck__self_fast(), &spincheck_lock, irql_ptr)) return irql_ptr;
#endif
  return spincheck__acquire_pre_full(tu, site, irql_ptr);
}

static SPINCHECK__OUT_OF_LINE void spincheck__acquire_post_full(struct spincheck_tu *tu, unsigned site) {
  struct spincheck_thread_state *t = spincheck__self();
  void *p = t->pending_irql;
  t->pending_irql = NULL;
  if (spincheck__peek_long(&spincheck_lock.owner) == t->id) {
    spincheck_lock.nesting++;
    spincheck_lock.nested = 1;
    return;
  }
  spincheck__take(t->id, tu, site, 0, p ? (long)*(const unsigned char *)p : -1);
  spincheck__hit(tu, site);
}

void spincheck_acquire_post(struct spincheck_tu *tu, unsigned site) {
#ifdef SPINCHECK__FAST_PATHS
  if (site < tu->nsites && spincheck_fast_acquire_post(tu, site, spincheck__self_fast(), &spincheck_lock)) return;
#endif
  spincheck__acquire_post_full(tu, site);
}

static SPINCHECK__OUT_OF_LINE unsigned char spincheck__release_pre_full(struct spincheck_tu *tu, unsigned site, unsigned irql) {
  struct spincheck_thread_state *t;
  long owner;
  spincheck__touch(tu);
  t = spincheck__self();
  owner = spincheck__peek_long(&spincheck_lock.owner);
  if (owner == t->id) spincheck__hit(tu, site);
  else spincheck__hit(tu, site);
  if (!owner) {
    spincheck__report(SPINCHECK_V_RELEASE_NOT_HELD, tu, site, t, -1);
  } else if (owner != t->id) {
    spincheck__report(SPINCHECK_V_RELEASE_OTHER_THREAD, tu, site, t, -1);
  } else if (spincheck_lock.nesting > 1) {
    spincheck_lock.nesting--;
  } else {
    if (!spincheck_lock.nested && spincheck_lock.irql >= 0 && (long)(irql & 0xffu) != spincheck_lock.irql)
      spincheck__report(SPINCHECK_V_IRQL_MISMATCH, tu, site, t, (long)(irql & 0xffu));
    spincheck__free();
  }
  return (unsigned char)irql;
}

unsigned char spincheck_release_pre(struct spincheck_tu *tu, unsigned site, unsigned irql) {
#ifdef SPINCHECK__FAST_PATHS
  if (site < tu->nsites && spincheck_fast_release_pre(tu, site, irql, spincheck__self_fast(), &spincheck_lock))
    return (unsigned char)irql;
#endif
  return spincheck__release_pre_full(tu, site, irql);
}

#include "spincheck_spin.inc"

int spincheck_enter(struct spincheck_frame *frame, struct spincheck_tu *tu, unsigned entry_site,
                    unsigned other_exit_site, int role, spincheck_fn fn, int irql) {
  struct spincheck_thread_state *t;
  long owner;
  spincheck__touch(tu);
  frame->tu = tu;
  frame->prev = NULL;
  frame->entry_site = entry_site;
  frame->exit_site = other_exit_site;
  frame->held_at_entry = 0;
  frame->entered_holding = 0;
  frame->spin_mark = 0;
  if (role == SPINCHECK_ROLE_CANDIDATE) role = fn ? spincheck__reg_get((size_t)fn) : 0;
  if (role != SPINCHECK_ROLE_DISPATCH && role != SPINCHECK_ROLE_CANCEL) role = 0;
  frame->role = role;
  if (!role) return 0;
  spincheck__hit(tu, entry_site);
  t = spincheck__self();
  frame->prev = t->top;
  t->top = frame;
  frame->spin_mark = spincheck__spin_mark();
  owner = spincheck__peek_long(&spincheck_lock.owner);
  frame->held_at_entry = owner == t->id;
  if (role == SPINCHECK_ROLE_CANCEL && !owner) {
    spincheck__take(t->id, tu, entry_site, 1, irql >= 0 ? (long)(irql & 0xff) : -1);
    frame->entered_holding = 1;
  }
  return role;
}

void spincheck_leave(struct spincheck_frame *frame) {
  struct spincheck_thread_state *t = spincheck__self();
  struct spincheck_tu *tu = frame->tu;
  unsigned site = frame->exit_site;
  int held = spincheck__peek_long(&spincheck_lock.owner) == t->id;
  int report = 0;
  if (!frame->role) return;
  spincheck__hit(tu, site);
  if (held && site < tu->nsites) spincheck__inc_u64(&tu->held[site]);
  if (t->top != frame) {
    struct spincheck_frame *f = t->top;
    while (f && f != frame) f = f->prev;
    if (f) t->top = frame;
  }
  if (held) {
    if (frame->role == SPINCHECK_ROLE_CANCEL) report = SPINCHECK_V_CANCEL_EXIT_HELD + 1;
    else if (!frame->prev || (spincheck__opt.strict_nesting && !frame->held_at_entry))
      report = SPINCHECK_V_DISPATCH_EXIT_HELD + 1;
  }
  if (report) {
    spincheck__report(report - 1, tu, site, t, -1);
    spincheck__free();
  }
  spincheck__spin_exit(frame);
  if (t->top == frame) t->top = frame->prev;
}

spincheck_fn spincheck_register(struct spincheck_tu *tu, unsigned site, int role, spincheck_fn fn) {
  spincheck__touch(tu);
  spincheck__hit(tu, site);
  if (fn && (role == SPINCHECK_ROLE_DISPATCH || role == SPINCHECK_ROLE_CANCEL)) spincheck__reg_put((size_t)fn, role);
  return fn;
}

const int spincheck_runtime_present = 1;

/* A model finding (templates/kernel-model): appended to the run file at once, as a violation is. */
void spincheck_run_failed(void) {
  spincheck__init();
  spincheck__add_long(&spincheck__failed_runs, 1);
}

void spincheck_model_finding(const char *kind, unsigned long code, const char *message, const char *run) {
  char line[2048];
  struct spincheck__buf b;
  b.p = line;
  b.len = 0;
  b.cap = sizeof line - 2;
  b.fd = -1;
  b.failed = 0;
  spincheck__init();
  spincheck__puts(&b, "{\"t\":\"finding\",\"kind\":");
  spincheck__put_json(&b, kind ? kind : "model-error");
  spincheck__puts(&b, ",\"code\":");
  spincheck__put_u64(&b, (spincheck_u64)code);
  spincheck__puts(&b, ",\"message\":");
  spincheck__put_json(&b, message ? message : "");
  if (run && *run) {
    spincheck__puts(&b, ",\"run\":");
    spincheck__put_json(&b, run);
  }
  spincheck__puts(&b, "}");
  line[b.len++] = '\n';
#ifndef SPINCHECK_TEST_HOOKS
  spincheck__io_lock();
  spincheck__append_line_locked(line, b.len);
  spincheck__io_unlock();
#endif
}

void spincheck_dump(void) {
  spincheck__init();
  spincheck__add_own_counts();
  spincheck__io_lock();
  spincheck__dump_locked();
  spincheck__io_unlock();
}

#ifdef SPINCHECK_TEST_HOOKS
#include "spincheck_test.inc"
#endif
