/* spincheck test addon: drives the runtime's hooks from Node on simulated threads and returns what it reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include "spincheck_prelude.h"
#include "spincheck.h"
#include "spincheck_test.h"

#define NTU 2
#define NSITES 64
#define NTHREADS 64
#define MAXDEPTH 64
#define MAXCAPTURE 4096

static spincheck_u64 hits[NTU][NSITES];
static spincheck_u64 held[NTU][NSITES];
static struct spincheck_site sites[NTU][NSITES];
static char names[NTU][NSITES][16];
static struct spincheck_tu tus[NTU] = {
  {SPINCHECK_ABI_VERSION, "tu0", "src/a.c", NULL, NSITES, hits[0], held[0], sites[0], 0, 0},
  {SPINCHECK_ABI_VERSION, "tu1", "src/b.c", NULL, NSITES, hits[1], held[1], sites[1], 0, 0},
};

static struct spincheck_frame frames[NTHREADS + 1][MAXDEPTH];
static int depth[NTHREADS + 1];
static unsigned char irql_var[NTHREADS + 1];
static unsigned char spin_irql_var[NTHREADS + 1];
/* The spin locks the tests name 0, 1, ... (their addresses are the locks' identities). */
static long spin_locks[8];

struct capture { char *json; char *text; int first; int suppressed; };
static struct capture captured[MAXCAPTURE];
static int ncaptured;
static char logbuf[65536];
static size_t loglen;

void spincheck__test_log(const char *text, size_t n) {
  if (loglen + n >= sizeof logbuf) n = sizeof logbuf - 1 - loglen;
  memcpy(logbuf + loglen, text, n);
  loglen += n;
  logbuf[loglen] = 0;
}

static char *dupn(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = 0;
  }
  return p;
}

void spincheck__test_violation(const char *json, size_t njson, const char *text, size_t ntext, int first,
                               int suppressed) {
  if (ncaptured == MAXCAPTURE) return;
  captured[ncaptured].json = dupn(json, njson);
  captured[ncaptured].text = dupn(text, ntext);
  captured[ncaptured].first = first;
  captured[ncaptured].suppressed = suppressed;
  ncaptured++;
}

static void clear_captured(void) {
  int i;
  for (i = 0; i < ncaptured; i++) {
    free(captured[i].json);
    free(captured[i].text);
  }
  ncaptured = 0;
}

/* Read up to 8 arguments: numbers as int, strings into sbuf, booleans as 0/1. */
static size_t args(napi_env env, napi_callback_info info, int *ints, size_t n, char *sbuf, size_t scap) {
  napi_value argv[8];
  size_t argc = 8, i;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  for (i = 0; i < argc && i < n; i++) {
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    ints[i] = 0;
    if (t == napi_number) {
      napi_get_value_int32(env, argv[i], &ints[i]);
    } else if (t == napi_boolean) {
      bool b;
      napi_get_value_bool(env, argv[i], &b);
      ints[i] = b;
    } else if (t == napi_string && sbuf) {
      size_t len;
      napi_get_value_string_utf8(env, argv[i], sbuf, scap, &len);
    }
  }
  return argc;
}

static napi_value num(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

static napi_value str(napi_env env, const char *s) {
  napi_value r;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &r);
  return r;
}

static napi_value undef(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

static struct spincheck_tu *tu_of(int i) { return &tus[i >= 0 && i < NTU ? i : 0]; }
static int tu_index(const struct spincheck_tu *tu) { return tu ? (int)(tu - tus) : -1; }
static int thread_of(int t) { return t >= 1 && t <= NTHREADS ? t : 1; }
static spincheck_fn fn_of(int id) { return (spincheck_fn)(size_t)(0x10000 + (size_t)id * 16); }

static napi_value js_reset(napi_env env, napi_callback_info info) {
  char opts[4096] = "";
  int ints[1];
  args(env, info, ints, 1, opts, sizeof opts);
  clear_captured();
  loglen = 0;
  logbuf[0] = 0;
  memset(frames, 0, sizeof frames);
  memset(depth, 0, sizeof depth);
  memset(hits, 0, sizeof hits);
  memset(held, 0, sizeof held);
  spincheck_test_reset(opts);
  return undef(env);
}

static napi_value js_acquire_pre(napi_env env, napi_callback_info info) {
  int a[4];
  args(env, info, a, 4, NULL, 0);
  a[0] = thread_of(a[0]);
  spincheck_test_set_thread(a[0]);
  spincheck_acquire_pre(tu_of(a[1]), (unsigned)a[2], a[3] ? &irql_var[a[0]] : NULL);
  return undef(env);
}

static napi_value js_acquire_post(napi_env env, napi_callback_info info) {
  int a[4];
  args(env, info, a, 4, NULL, 0);
  a[0] = thread_of(a[0]);
  spincheck_test_set_thread(a[0]);
  irql_var[a[0]] = (unsigned char)a[3];
  spincheck_acquire_post(tu_of(a[1]), (unsigned)a[2]);
  return undef(env);
}

static napi_value js_release(napi_env env, napi_callback_info info) {
  int a[4];
  args(env, info, a, 4, NULL, 0);
  spincheck_test_set_thread(thread_of(a[0]));
  return num(env, spincheck_release_pre(tu_of(a[1]), (unsigned)a[2], (unsigned)a[3]));
}

static void *spin_lock_of(int i) { return &spin_locks[i >= 0 && i < 8 ? i : 0]; }

/* An acquire's hooks as the instrumenter writes them: the lock and PKIRQL arguments' own, one for both, or a check
   whose post hook names the lock again (void acquires only). */
enum { SPIN_FORM_TWO_HOOKS, SPIN_FORM_ONE_HOOK, SPIN_FORM_POST_KEY };

/* spinPre(t, tu, site, lock, flags, form, what): the lock argument's hook (`what` as spinPost's: with a PKIRQL
   when 0). */
static napi_value js_spin_pre(napi_env env, napi_callback_info info) {
  int a[7], t;
  struct spincheck_tu *tu;
  args(env, info, a, 7, NULL, 0);
  t = thread_of(a[0]);
  tu = tu_of(a[1]);
  spincheck_test_set_thread(t);
  if (a[5] == SPIN_FORM_ONE_HOOK)
    spincheck_spin_acquire_args(tu, (unsigned)a[2], a[4], spin_lock_of(a[3]), a[6] == 0 ? &spin_irql_var[t] : NULL);
  else if (a[5] == SPIN_FORM_POST_KEY)
    spincheck_spin_acquire_check(tu, (unsigned)a[2], a[4], spin_lock_of(a[3]));
  else
    spincheck_spin_acquire_pre(tu, (unsigned)a[2], a[4], spin_lock_of(a[3]));
  return undef(env);
}

/* spinPost(t, tu, site, what, value, form, lock, flags): what 0 a void acquire storing `value` through its PKIRQL, 3 one
   without a PKIRQL, else spincheck_spin_acquire_value's `what` with the call's value. */
static napi_value js_spin_post(napi_env env, napi_callback_info info) {
  int a[8], t;
  struct spincheck_tu *tu;
  args(env, info, a, 8, NULL, 0);
  t = thread_of(a[0]);
  tu = tu_of(a[1]);
  spincheck_test_set_thread(t);
  if (a[3] == 0) {
    spin_irql_var[t] = (unsigned char)a[4];
    if (a[5] == SPIN_FORM_TWO_HOOKS) spincheck_spin_irql_out(tu, (unsigned)a[2], &spin_irql_var[t]);
  }
  if (a[3] != 0 && a[3] != 3)
    spincheck_spin_acquire_value(tu, (unsigned)a[2], a[3], (unsigned long)a[4]);
  else if (a[5] == SPIN_FORM_POST_KEY)
    spincheck_spin_acquire_post_key(tu, (unsigned)a[2], a[7], spin_lock_of(a[6]), a[3] == 0 ? &spin_irql_var[t] : NULL);
  else
    spincheck_spin_acquire_post(tu, (unsigned)a[2]);
  return undef(env);
}

/* spinRelease(t, tu, site, lock, irql, irqlFirst): irql -1 a release without an IRQL argument. */
static napi_value js_spin_release(napi_env env, napi_callback_info info) {
  int a[6];
  args(env, info, a, 6, NULL, 0);
  spincheck_test_set_thread(thread_of(a[0]));
  if (a[4] < 0) {
    spincheck_spin_release_pre(tu_of(a[1]), (unsigned)a[2], 1, spin_lock_of(a[3]));
  } else if (a[5]) {
    spincheck_spin_release_irql(tu_of(a[1]), (unsigned)a[2], (unsigned long)a[4]);
    spincheck_spin_release_pre(tu_of(a[1]), (unsigned)a[2], 2, spin_lock_of(a[3]));
  } else {
    spincheck_spin_release_pre(tu_of(a[1]), (unsigned)a[2], 2, spin_lock_of(a[3]));
    spincheck_spin_release_irql(tu_of(a[1]), (unsigned)a[2], (unsigned long)a[4]);
  }
  return undef(env);
}

static napi_value js_spin_init(napi_env env, napi_callback_info info) {
  int a[3];
  args(env, info, a, 3, NULL, 0);
  spincheck_test_set_thread(thread_of(a[0]));
  spincheck_spin_init(tu_of(a[1]), spin_lock_of(a[2]));
  return undef(env);
}

static napi_value js_enter(napi_env env, napi_callback_info info) {
  int a[7], t;
  args(env, info, a, 7, NULL, 0);
  t = thread_of(a[0]);
  spincheck_test_set_thread(t);
  if (depth[t] == MAXDEPTH) return num(env, -1);
  return num(env, spincheck_enter(&frames[t][depth[t]++], tu_of(a[1]), (unsigned)a[2], (unsigned)a[3], a[4],
                                  fn_of(a[5]), a[6]));
}

static napi_value js_set_exit(napi_env env, napi_callback_info info) {
  int a[2], t;
  args(env, info, a, 2, NULL, 0);
  t = thread_of(a[0]);
  if (depth[t]) frames[t][depth[t] - 1].exit_site = (unsigned)a[1];
  return undef(env);
}

static napi_value js_leave(napi_env env, napi_callback_info info) {
  int a[1], t;
  args(env, info, a, 1, NULL, 0);
  t = thread_of(a[0]);
  spincheck_test_set_thread(t);
  if (depth[t]) spincheck_leave(&frames[t][--depth[t]]);
  return undef(env);
}

static napi_value js_register(napi_env env, napi_callback_info info) {
  int a[5];
  args(env, info, a, 5, NULL, 0);
  spincheck_test_set_thread(thread_of(a[0]));
  spincheck_register(tu_of(a[1]), (unsigned)a[2], a[3], fn_of(a[4]));
  return undef(env);
}

static void set(napi_env env, napi_value obj, const char *key, napi_value v) {
  napi_set_named_property(env, obj, key, v);
}

static napi_value js_state(napi_env env, napi_callback_info info) {
  long owner, nesting, acq_site, by_io, irql;
  struct spincheck_tu *acq_tu;
  napi_value o, nul;
  (void)info;
  spincheck_test_lock_state(&owner, &nesting, &acq_tu, &acq_site, &by_io, &irql);
  napi_create_object(env, &o);
  napi_get_null(env, &nul);
  set(env, o, "owner", num(env, (double)owner));
  set(env, o, "nesting", num(env, (double)nesting));
  set(env, o, "acquireTu", acq_tu ? str(env, acq_tu->id) : nul);
  set(env, o, "acquireSite", acq_tu ? num(env, (double)acq_site) : nul);
  set(env, o, "byIoManager", num(env, (double)by_io));
  set(env, o, "irql", num(env, (double)irql));
  return o;
}

static napi_value js_take(napi_env env, napi_callback_info info) {
  napi_value arr;
  int i;
  (void)info;
  napi_create_array_with_length(env, (size_t)ncaptured, &arr);
  for (i = 0; i < ncaptured; i++) {
    napi_value o, b1, b2;
    napi_create_object(env, &o);
    set(env, o, "json", str(env, captured[i].json ? captured[i].json : ""));
    set(env, o, "text", str(env, captured[i].text ? captured[i].text : ""));
    napi_get_boolean(env, captured[i].first != 0, &b1);
    napi_get_boolean(env, captured[i].suppressed != 0, &b2);
    set(env, o, "first", b1);
    set(env, o, "suppressed", b2);
    napi_set_element(env, arr, (uint32_t)i, o);
  }
  clear_captured();
  return arr;
}

static napi_value js_logs(napi_env env, napi_callback_info info) {
  napi_value r;
  (void)info;
  r = str(env, logbuf);
  loglen = 0;
  logbuf[0] = 0;
  return r;
}

static napi_value js_counters(napi_env env, napi_callback_info info) {
  int a[1], i;
  napi_value o, h, k;
  args(env, info, a, 1, NULL, 0);
  spincheck_test_flush();
  napi_create_object(env, &o);
  napi_create_array_with_length(env, NSITES, &h);
  napi_create_array_with_length(env, NSITES, &k);
  for (i = 0; i < NSITES; i++) {
    napi_set_element(env, h, (uint32_t)i, num(env, (double)tu_of(a[0])->hits[i]));
    napi_set_element(env, k, (uint32_t)i, num(env, (double)tu_of(a[0])->held[i]));
  }
  set(env, o, "hits", h);
  set(env, o, "held", k);
  return o;
}

static napi_value js_options(napi_env env, napi_callback_info info) {
  int ints[4];
  const char *strs[3];
  napi_value o;
  (void)info;
  spincheck_test_options(ints, strs);
  napi_create_object(env, &o);
  set(env, o, "haltOnError", num(env, ints[0]));
  set(env, o, "exitcode", num(env, ints[1]));
  set(env, o, "verbosity", num(env, ints[2]));
  set(env, o, "strictNesting", num(env, ints[3]));
  set(env, o, "logPath", str(env, strs[0]));
  set(env, o, "dataDir", str(env, strs[1]));
  set(env, o, "suppressions", str(env, strs[2]));
  return o;
}

static napi_value js_suppressed(napi_env env, napi_callback_info info) {
  int a[4];
  napi_value b;
  args(env, info, a, 4, NULL, 0);
  spincheck_test_set_thread(thread_of(a[0]));
  napi_get_boolean(env, spincheck_test_suppressed(a[1], tu_of(a[2]), (unsigned)a[3]) != 0, &b);
  return b;
}

static napi_value js_dump(napi_env env, napi_callback_info info) {
  (void)info;
  spincheck_dump();
  return undef(env);
}

static napi_value init(napi_env env, napi_value exports) {
  static const struct { const char *name; napi_callback cb; } fns[] = {
    {"reset", js_reset}, {"acquirePre", js_acquire_pre}, {"acquirePost", js_acquire_post},
    {"release", js_release}, {"enter", js_enter}, {"setExit", js_set_exit}, {"leave", js_leave},
    {"register", js_register}, {"state", js_state}, {"take", js_take}, {"logs", js_logs},
    {"counters", js_counters}, {"options", js_options}, {"suppressed", js_suppressed}, {"dump", js_dump},
    {"spinPre", js_spin_pre}, {"spinPost", js_spin_post}, {"spinRelease", js_spin_release}, {"spinInit", js_spin_init},
  };
  size_t i;
  int t, s;
  for (t = 0; t < NTU; t++)
    for (s = 0; s < NSITES; s++) {
      sprintf(names[t][s], "f%d_%d", t, s);
      sites[t][s].kind = 1;
      sites[t][s].line = (unsigned)s + 1;
      sites[t][s].column = 1;
      sites[t][s].function = names[t][s];
    }
  for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}

NAPI_MODULE(spincheck_test, init)
