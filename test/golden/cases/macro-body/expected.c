#include "wdm-lite.h"
/* spincheck prelude: the hook interface an instrumented C file uses (inserted into it verbatim).
   Routine exits are hooked with __attribute__((cleanup)), or with __try/__finally when SPINCHECK_USE_SEH is
   defined (the msvc dialect defines it first). */
#ifndef SPINCHECK_PRELUDE_H
#define SPINCHECK_PRELUDE_H 1
#define SPINCHECK_ABI_VERSION 1
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
#ifdef __cplusplus
}
#endif
#if defined(_MSC_VER) && !defined(__clang__)
#define SPINCHECK_ACQ(site, p) spincheck_acquire_pre(&spincheck_tu_, (site), (void *)(p))
#define SPINCHECK_REL(site, v) spincheck_release_pre(&spincheck_tu_, (site), (unsigned)(v))
#define SPINCHECK_REG(site, role, f) (spincheck_register(&spincheck_tu_, (site), (role), (spincheck_fn)(f)), (f))
#else
#define SPINCHECK_ACQ(site, p) ((__typeof__(p))spincheck_acquire_pre(&spincheck_tu_, (site), (void *)(p)))
#define SPINCHECK_REL(site, v) ((__typeof__(v))spincheck_release_pre(&spincheck_tu_, (site), (unsigned)(v)))
#define SPINCHECK_REG(site, role, f) ((__typeof__(1 ? (f) : (f)))spincheck_register(&spincheck_tu_, (site), (role), (spincheck_fn)(f)))
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
   strong definitions replace them wherever it is linked. */
__attribute__((weak)) void *spincheck_acquire_pre(struct spincheck_tu *tu, unsigned site, void *irql_ptr)
{ (void)tu; (void)site; return irql_ptr; }
__attribute__((weak)) void spincheck_acquire_post(struct spincheck_tu *tu, unsigned site)
{ (void)tu; (void)site; }
__attribute__((weak)) unsigned char spincheck_release_pre(struct spincheck_tu *tu, unsigned site, unsigned irql)
{ (void)tu; (void)site; return (unsigned char)irql; }
__attribute__((weak)) int spincheck_enter(struct spincheck_frame *frame, struct spincheck_tu *tu, unsigned entry_site,
                                          unsigned other_exit_site, int role, spincheck_fn fn, int irql)
{ (void)frame; (void)tu; (void)entry_site; (void)other_exit_site; (void)role; (void)fn; (void)irql; return 0; }
__attribute__((weak)) void spincheck_leave(struct spincheck_frame *frame)
{ (void)frame; }
__attribute__((weak)) spincheck_fn spincheck_register(struct spincheck_tu *tu, unsigned site, int role, spincheck_fn fn)
{ (void)tu; (void)site; (void)role; return fn; }
#endif
#define SPINCHECK_ACQ_POST(site) spincheck_acquire_post(&spincheck_tu_, (site))
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
#line 2

#define LOCK_QUEUE(p) (IoAcquireCancelSpinLock(SPINCHECK_ACQ(0, p)), SPINCHECK_ACQ_POST(0))
#define UNLOCK_QUEUE(i) do { IoReleaseCancelSpinLock(SPINCHECK_REL(1, i)); } while (0)
#define CHECK_CANCEL(irp) if ((irp)->Cancel) return STATUS_CANCELLED

DRIVER_DISPATCH DispatchRead;

NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(2, 3, 1, DispatchRead, -1)
    KIRQL irql;
    (void)DeviceObject;
    { SPINCHECK_RET(4) CHECK_CANCEL(Irp); }
    LOCK_QUEUE(&irql);
    UNLOCK_QUEUE(irql);
    { SPINCHECK_RET(5) return STATUS_SUCCESS; }
}

static spincheck_u64 spincheck_hits_[6];
static spincheck_u64 spincheck_held_[6];
static const struct spincheck_site spincheck_sites_[6] = {
  {1u, 3u, 23u, 0},
  {2u, 4u, 30u, 0},
  {3u, 9u, 1u, "DispatchRead"},
  {4u, 9u, 1u, "DispatchRead"},
  {4u, 13u, 5u, "DispatchRead"},
  {4u, 16u, 5u, "DispatchRead"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 6u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
