/* spincheck runtime: every platform difference (threads, TLS, atomics, processes, files, time) lives here. */
#ifndef SPINCHECK_PORT_H
#define SPINCHECK_PORT_H 1

#if defined(_WIN32)
#define SPINCHECK__WINDOWS 1
#ifndef _CRT_SECURE_NO_WARNINGS
#define _CRT_SECURE_NO_WARNINGS 1
#endif
#ifndef _CRT_NONSTDC_NO_WARNINGS
#define _CRT_NONSTDC_NO_WARNINGS 1
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN 1
#endif
#else
#define SPINCHECK__POSIX 1
/* _GNU_SOURCE (it implies _DEFAULT_SOURCE): dladdr and Dl_info (call stacks) are GNU extensions in glibc and musl. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#endif

#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>

#if defined(SPINCHECK__WINDOWS)
#include <io.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <direct.h>
#include <process.h>
#include <windows.h>
#else
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <limits.h>
#endif

#if defined(_MSC_VER)
#define SPINCHECK__MSVC_ATOMICS 1
#define SPINCHECK__TLS __declspec(thread)
#define SPINCHECK__ALIGNED(n) __declspec(align(n))
#define SPINCHECK__UNUSED
#elif defined(__ELF__)
/* initial-exec: a thread-local read is one instruction instead of a __tls_get_addr call, which would also make
   every hook save registers. A shared object using it takes 24 bytes of the static TLS that glibc reserves for
   objects loaded later. */
#define SPINCHECK__TLS __thread __attribute__((tls_model("initial-exec")))
#define SPINCHECK__ALIGNED(n) __attribute__((aligned(n)))
#define SPINCHECK__UNUSED __attribute__((unused))
#else
#define SPINCHECK__TLS __thread
#define SPINCHECK__ALIGNED(n) __attribute__((aligned(n)))
#define SPINCHECK__UNUSED __attribute__((unused))
#endif

/* ---- atomics: relaxed counters, acquire/release state words, CAS ---- */
#if defined(SPINCHECK__MSVC_ATOMICS)
#define spincheck__load_long(p) InterlockedCompareExchange((volatile long *)(p), 0, 0)
#define spincheck__peek_long(p) (*(volatile long *)(p))
#define spincheck__store_long(p, v) ((void)InterlockedExchange((volatile long *)(p), (long)(v)))
#define spincheck__cas_long(p, e, d) (InterlockedCompareExchange((volatile long *)(p), (long)(d), (long)(e)) == (long)(e))
#define spincheck__add_long(p, v) InterlockedExchangeAdd((volatile long *)(p), (long)(v))
#define spincheck__load_ptr(p) InterlockedCompareExchangePointer((void *volatile *)(p), NULL, NULL)
#define spincheck__cas_ptr(p, e, d) \
  (InterlockedCompareExchangePointer((void *volatile *)(p), (void *)(d), (void *)(e)) == (void *)(e))
#define spincheck__inc_u64(p) ((void)InterlockedIncrement64((volatile __int64 *)(p)))
#define spincheck__add_u64(p, v) ((void)InterlockedExchangeAdd64((volatile __int64 *)(p), (__int64)(v)))
#define spincheck__load_u64(p) ((spincheck_u64)InterlockedCompareExchange64((volatile __int64 *)(p), 0, 0))
#define spincheck__store_u64(p, v) ((void)InterlockedExchange64((volatile __int64 *)(p), (__int64)(v)))
#else
#define spincheck__load_long(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define spincheck__peek_long(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define spincheck__store_long(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define spincheck__cas_long(p, e, d) spincheck__cas_long_fn((p), (e), (d))
#define spincheck__add_long(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)
#define spincheck__load_ptr(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define spincheck__cas_ptr(p, e, d) spincheck__cas_ptr_fn((void *volatile *)(p), (void *)(e), (void *)(d))
#define spincheck__inc_u64(p) ((void)__atomic_fetch_add((p), 1, __ATOMIC_RELAXED))
#define spincheck__add_u64(p, v) ((void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))
#define spincheck__load_u64(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define spincheck__store_u64(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
static int spincheck__cas_long_fn(volatile long *p, long e, long d) {
  return __atomic_compare_exchange_n(p, &e, d, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static int spincheck__cas_ptr_fn(void *volatile *p, void *e, void *d) {
  return __atomic_compare_exchange_n(p, &e, d, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
#endif

/* Rare paths kept out of line, so that the hooks' fast paths need no stack frame (the rare path is a tail
   call), and a branch hint. The fast paths themselves (the prelude's) need GNU C atomics; SPINCHECK_NO_FAST_PATHS
   builds a runtime that runs the full code for every hook (tests compare the two). */
#if defined(__GNUC__) || defined(__clang__)
#ifndef SPINCHECK_NO_FAST_PATHS
#define SPINCHECK__FAST_PATHS 1
#endif
#define SPINCHECK__OUT_OF_LINE __attribute__((noinline))
#define SPINCHECK__RARELY(x) __builtin_expect(!!(x), 0)
#else
#define SPINCHECK__OUT_OF_LINE __declspec(noinline)
#define SPINCHECK__RARELY(x) (x)
#endif

/* A function run at each thread's exit with the pointer the thread armed it with (not for the thread calling
   exit(), nor for threads still running then). */
#if defined(SPINCHECK__WINDOWS)
static void (*spincheck__thread_exit_fn)(void *);
static DWORD spincheck__thread_exit_slot = FLS_OUT_OF_INDEXES;
static SPINCHECK__UNUSED VOID WINAPI spincheck__thread_exit_cb(PVOID p) {
  if (p && spincheck__thread_exit_fn) spincheck__thread_exit_fn(p);
}
static SPINCHECK__UNUSED void spincheck__thread_exit_init(void (*fn)(void *)) {
  spincheck__thread_exit_fn = fn;
  spincheck__thread_exit_slot = FlsAlloc(spincheck__thread_exit_cb);
}
static SPINCHECK__UNUSED void spincheck__thread_exit_arm(void *p) {
  if (spincheck__thread_exit_slot != FLS_OUT_OF_INDEXES) FlsSetValue(spincheck__thread_exit_slot, p);
}
#else
static pthread_key_t spincheck__thread_exit_key;
static int spincheck__thread_exit_ok;
static SPINCHECK__UNUSED void spincheck__thread_exit_init(void (*fn)(void *)) {
  spincheck__thread_exit_ok = pthread_key_create(&spincheck__thread_exit_key, fn) == 0;
}
static SPINCHECK__UNUSED void spincheck__thread_exit_arm(void *p) {
  if (spincheck__thread_exit_ok) (void)pthread_setspecific(spincheck__thread_exit_key, p);
}
#endif

/* Give the CPU away while spinning on a cold-path lock. */
static void spincheck__yield(void) {
#if defined(SPINCHECK__WINDOWS)
  SwitchToThread();
#else
  sched_yield();
#endif
}

/* ---- processes ---- */
static long spincheck__getpid(void) {
#if defined(SPINCHECK__WINDOWS)
  return (long)GetCurrentProcessId();
#else
  return (long)getpid();
#endif
}

/* Leave at once, without atexit handlers (halt_on_error, exitcode). */
static void spincheck__exit_now(int code) {
  fflush(NULL);
  _exit(code);
}

/* Milliseconds since the Unix epoch. */
static double spincheck__now_ms(void) {
#if defined(SPINCHECK__WINDOWS)
  FILETIME ft;
  ULARGE_INTEGER u;
  GetSystemTimeAsFileTime(&ft);
  u.LowPart = ft.dwLowDateTime;
  u.HighPart = ft.dwHighDateTime;
  return (double)((u.QuadPart - 116444736000000000ULL) / 10000ULL);
#else
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000L);
#endif
}

/* Entropy for file names: high-resolution time, pid, an address, a counter (mixed by the caller). */
static spincheck_u64 spincheck__entropy(void) {
  static volatile long counter;
  spincheck_u64 x = (spincheck_u64)spincheck__getpid() << 32;
  x ^= (spincheck_u64)(size_t)&x;
  x ^= (spincheck_u64)spincheck__add_long(&counter, 1) << 48;
#if defined(SPINCHECK__WINDOWS)
  {
    LARGE_INTEGER q;
    QueryPerformanceCounter(&q);
    x ^= (spincheck_u64)q.QuadPart;
  }
#else
  {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    x ^= (spincheck_u64)ts.tv_nsec ^ ((spincheck_u64)ts.tv_sec << 20);
    clock_gettime(CLOCK_REALTIME, &ts);
    x ^= (spincheck_u64)ts.tv_nsec << 7;
  }
#endif
  return x;
}

/* ---- files: create-exclusive append-only, whole writes, directories ---- */
#if defined(SPINCHECK__WINDOWS)
#define SPINCHECK__PATH_SEP_OK(c) ((c) == '/' || (c) == '\\')
static int spincheck__open_new(const char *path) {
  return _open(path, _O_WRONLY | _O_CREAT | _O_EXCL | _O_APPEND | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
}
static int spincheck__open_log(const char *path) {
  return _open(path, _O_WRONLY | _O_CREAT | _O_APPEND | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
}
static int spincheck__write_some(int fd, const char *buf, size_t n) {
  return _write(fd, buf, (unsigned)n);
}
static void spincheck__close(int fd) { _close(fd); }
static int spincheck__mkdir(const char *path) { return _mkdir(path); }
static int spincheck__read_file(const char *path, char *buf, size_t cap) {
  int fd = _open(path, _O_RDONLY | _O_BINARY);
  int n, total = 0;
  if (fd < 0) return -1;
  while ((size_t)total + 1 < cap && (n = _read(fd, buf + total, (unsigned)(cap - 1 - (size_t)total))) > 0) total += n;
  _close(fd);
  buf[total] = 0;
  return total;
}
#else
#define SPINCHECK__PATH_SEP_OK(c) ((c) == '/')
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
static int spincheck__open_new(const char *path) {
  return open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
}
static int spincheck__open_log(const char *path) {
  return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
}
static int spincheck__write_some(int fd, const char *buf, size_t n) {
  return (int)write(fd, buf, n);
}
static void spincheck__close(int fd) { close(fd); }
static int spincheck__mkdir(const char *path) { return mkdir(path, 0777); }
static int spincheck__read_file(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n;
  size_t total = 0;
  if (fd < 0) return -1;
  while (total + 1 < cap) {
    n = read(fd, buf + total, cap - 1 - total);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    total += (size_t)n;
  }
  close(fd);
  buf[total] = 0;
  return (int)total;
}
#endif

/* Write all of buf (one call in the normal case, so a line lands whole with O_APPEND); 0 on success. */
static int spincheck__write_all(int fd, const char *buf, size_t n) {
  while (n > 0) {
    int w = spincheck__write_some(fd, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    buf += w;
    n -= (size_t)w;
  }
  return 0;
}

/* ---- call stacks: return addresses at a violation, and the module (file, load base) each one lies in (the
   state-machine test build, SPINCHECK_TEST_HOOKS, records none) ---- */
#if defined(SPINCHECK_TEST_HOOKS)
#elif defined(SPINCHECK__WINDOWS)
/* Return addresses of the calling thread, its caller's first (this function's own frame is left out). */
static SPINCHECK__OUT_OF_LINE int spincheck__backtrace(void **pcs, int cap) {
  return (int)RtlCaptureStackBackTrace(1, (DWORD)cap, pcs, NULL);
}

/* The module holding pc: its load base and its file name (copied into name); 0 on success. */
static int spincheck__module_of(const void *pc, size_t *base, char *name, size_t cap) {
  HMODULE m;
  DWORD n;
  if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          (LPCSTR)pc, &m))
    return -1;
  n = GetModuleFileNameA(m, name, (DWORD)cap);
  if (n == 0 || n >= cap) return -1;
  *base = (size_t)m;
  return 0;
}
#elif defined(__GNUC__) || defined(__clang__)
#include <unwind.h>
#include <dlfcn.h>
struct spincheck__unwind {
  void **pcs;
  int n;
  int cap;
  int skip;
};

static _Unwind_Reason_Code spincheck__unwind_frame(struct _Unwind_Context *ctx, void *arg) {
  struct spincheck__unwind *u = (struct spincheck__unwind *)arg;
  _Unwind_Ptr pc = _Unwind_GetIP(ctx);
  if (!pc || u->n >= u->cap) return _URC_END_OF_STACK;
  if (u->skip > 0) u->skip--;
  else u->pcs[u->n++] = (void *)pc;
  return _URC_NO_REASON;
}

/* Return addresses of the calling thread, its caller's first (this function's own frame is left out). */
static SPINCHECK__OUT_OF_LINE int spincheck__backtrace(void **pcs, int cap) {
  struct spincheck__unwind u;
  u.pcs = pcs;
  u.n = 0;
  u.cap = cap;
  u.skip = 1;
  _Unwind_Backtrace(spincheck__unwind_frame, &u);
  return u.n;
}

/* The module holding pc: its load base and its file name, made absolute (the main program's is argv[0] as
   typed: /proc/self/exe names it where there is one); 0 on success. */
static int spincheck__module_of(const void *pc, size_t *base, char *name, size_t cap) {
  Dl_info info;
  char full[PATH_MAX];
  const char *file;
  if (!dladdr(pc, &info) || !info.dli_fname || !info.dli_fbase) return -1;
  file = info.dli_fname;
  if (file[0] != '/') {
    ssize_t n = readlink("/proc/self/exe", full, sizeof full - 1);
    const char *slash = file[0] ? strrchr(file, '/') : NULL;
    const char *base_name = slash ? slash + 1 : file;
    const char *exe_slash;
    if (n > 0) {
      full[n] = 0;
      exe_slash = strrchr(full, '/');
      if (!file[0] || strcmp(exe_slash ? exe_slash + 1 : full, base_name) == 0) file = full;
    }
    if (file != full && realpath(info.dli_fname, full)) file = full;
  }
  if (strlen(file) >= cap) return -1;
  strcpy(name, file);
  *base = (size_t)info.dli_fbase;
  return 0;
}
#else
static int spincheck__backtrace(void **pcs, int cap) {
  (void)pcs;
  (void)cap;
  return 0;
}
static int spincheck__module_of(const void *pc, size_t *base, char *name, size_t cap) {
  (void)pc; (void)base; (void)name; (void)cap;
  return -1;
}
#endif

/* ---- process hooks: fork, exit, load time ---- */
#if defined(SPINCHECK__POSIX)
#define spincheck__atfork(prepare, parent, child) ((void)pthread_atfork((prepare), (parent), (child)))
#else
#define spincheck__atfork(prepare, parent, child) ((void)(prepare), (void)(parent), (void)(child))
#endif

/* Run a function when the image loads (registers the exit handler early, so it runs late). */
#if defined(_MSC_VER)
#pragma section(".CRT$XCU", read)
#define SPINCHECK__ON_LOAD(fn) \
  static void __cdecl fn(void); \
  __declspec(allocate(".CRT$XCU")) void(__cdecl *fn##_ptr)(void) = fn; \
  static void __cdecl fn(void)
#else
#define SPINCHECK__ON_LOAD(fn) \
  static void fn(void) __attribute__((constructor)); \
  static void fn(void)
#endif

/* glibc's on_exit sees the exit status; elsewhere atexit does not. */
#if defined(__GLIBC__)
#define SPINCHECK__HAVE_ON_EXIT 1
#endif

#endif
