/* wdm_port.h: the harness kit's platform differences (thread-local storage, atomics, yield, a campaign run in a
   process of its own: fork on POSIX; Windows runs campaigns in the harness's process). */
#ifndef WDM_PORT_H
#define WDM_PORT_H 1

#include <stddef.h>

#if defined(_MSC_VER) && !defined(__clang__)
#define WDM_TLS __declspec(thread)
#else
#define WDM_TLS __thread
#endif

#if defined(_WIN32)
/* Windows: implemented in wdm_port_win32.c (windows.h cannot meet wdm_user.h's WDM types in one file). */
void wdm_yield(void);
size_t wdm_load(volatile size_t *p);
void wdm_store(volatile size_t *p, size_t v);
int wdm_cas(volatile size_t *p, size_t expected, size_t desired);
size_t wdm_xchg(volatile size_t *p, size_t v);
long wdm_load_long(volatile long *p);
int wdm_cas_long(volatile long *p, long expected, long desired);
#else
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#define WDM_ISOLATE 1

/* How an isolated run ended (wdm_isolated). */
enum wdm_run_end { WDM_RUN_EXITED, WDM_RUN_SIGNALLED, WDM_RUN_HUNG, WDM_RUN_NOT_STARTED };

/* Runs fn(ctx, out, cap) in a forked child, which writes what fn put in out back through a pipe and exits with
   status 0 (its atexit handlers run: the spincheck runtime writes the child's run data). Waits at most timeout_s
   seconds (then kills it: a hang). *detail: the exit status or the signal. *got: the bytes the child sent. */
static __inline__ enum wdm_run_end wdm_isolated(size_t (*fn)(void *ctx, void *out, size_t cap), void *ctx, void *out, size_t cap,
                                                unsigned timeout_s, int *detail, size_t *got)
{
  int fds[2], status = 0;
  unsigned long waited_ms = 0;
  pid_t pid;
  ssize_t n;
  *got = 0;
  if (pipe(fds) != 0) return WDM_RUN_NOT_STARTED;
  pid = fork();
  if (pid < 0) return WDM_RUN_NOT_STARTED;
  if (pid == 0) {
    size_t len;
    close(fds[0]);
    len = fn(ctx, out, cap);
    if (len > 0 && write(fds[1], out, len) < 0) exit(1);
    close(fds[1]);
    exit(0);
  }
  close(fds[1]);
  for (;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    struct timespec ten_ms = { 0, 10000000L };
    if (done == pid) break;
    if (waited_ms >= (unsigned long)timeout_s * 1000UL) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      close(fds[0]);
      return WDM_RUN_HUNG;
    }
    nanosleep(&ten_ms, NULL);
    waited_ms += 10;
  }
  while (*got < cap && (n = read(fds[0], (char *)out + *got, cap - *got)) > 0) *got += (size_t)n;
  close(fds[0]);
  if (WIFSIGNALED(status)) {
    *detail = WTERMSIG(status);
    return WDM_RUN_SIGNALLED;
  }
  *detail = WEXITSTATUS(status);
  return WDM_RUN_EXITED;
}
#define wdm_yield() sched_yield()
#define wdm_load(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define wdm_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define wdm_xchg(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
static __inline__ int wdm_cas(volatile size_t *p, size_t expected, size_t desired)
{
  return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
#define wdm_load_long(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
static __inline__ int wdm_cas_long(volatile long *p, long expected, long desired)
{
  return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
#endif

#endif
