/* wdm_port.h: the harness kit's platform differences (thread-local storage, atomics, yield). */
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
