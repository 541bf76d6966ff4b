/* km_internal.h: what the model's own files share (not for drivers or harnesses).
   The model is compiled against the same DDK headers as the driver, as the kernel itself: no dllimport. */
#ifndef KM_INTERNAL_H
#define KM_INTERNAL_H 1

#ifndef _NTOSKRNL_
#define _NTOSKRNL_ 1
#endif
#ifndef _NTHALDLL_
#define _NTHALDLL_ 1
#endif
#ifndef _NTSYSTEM_
#define _NTSYSTEM_ 1
#endif
#include <ntddk.h>
#include <stdarg.h>

#include "kmodel.h"

#if defined(_MSC_VER) && !defined(__clang__)
#define KM_THREAD_LOCAL __declspec(thread)
#define KM_NORETURN __declspec(noreturn)
#else
#define KM_THREAD_LOCAL __thread
#define KM_NORETURN __attribute__((noreturn))
#endif

/* Exported under the import name as well: a driver compiled against the DDK calls through __imp_<name>. */
#if defined(_WIN64)
#define KM_EXPORT(name) void *__imp_##name = (void *)(ULONG_PTR)&name
#define KM_IMPORT_POINTER(name, target) void *__imp_##name = (void *)(ULONG_PTR)(target)
#else
/* x86: import names carry the calling convention's decoration (__imp__IoAcquireCancelSpinLock@4,
   __imp_@KfAcquireSpinLock@4, __imp__DbgPrint), which C cannot spell. The assembler is handed the
   function's own decorated symbol (%c0) and defines the pointer as __imp_<that>, inside a function that is
   never called (COFF gas has no .pushsection; read-only data in .text is enough for an import pointer). */
#define KM_IMPORT_POINTER(name, target) \
  __attribute__((used)) static void km_export_##name(void) \
  { __asm__(".globl __imp_%c0\n\t.balign 4\n__imp_%c0:\n\t.long %c1" : : "i"(&name), "i"(target)); }
#define KM_EXPORT(name) KM_IMPORT_POINTER(name, &name)
#endif

/* ---- port layer (km_port_win32.c): the only file that knows the host OS ---- */
ULONG km_thread_id(void);
void km_yield(void);
void km_sleep_ms(ULONG ms);
void km_install_trap_handler(void);
void km_write_stderr(const char *text);
void km_describe_address(const void *addr, char *out, size_t size); /* "function+0xoff (module)" */
KM_NORETURN void km_exit(int status);      /* exit(): the C library's and the runtime's exit handlers run */
KM_NORETURN void km_exit_now(int status);  /* at once, nothing else runs (the run data written before) */
/* Campaigns: starts this harness again as run `index` of a campaign (its status file `status`), waits at most
   timeout_ms; 0 when it ended (its exit code in *exit_code), 1 when it was ended after the timeout, -1 when it
   could not start. */
int km_spawn_run(unsigned long index, const char *status, unsigned long timeout_ms, unsigned long *exit_code);
void km_status_file(unsigned long index, char *path, size_t size); /* a temporary file for run index's status */
void km_remove_file(const char *path);
void km_set_env(const char *name, const char *value); /* for the children this process starts; NULL removes */

/* ---- messages and model errors (km_ex.c) ---- */
void km_note(const char *fmt, ...);
void km_error(const char *fmt, ...);                    /* a model error of kind "model-error" */
void km_report(const char *kind, const char *fmt, ...); /* a model error of its own kind (kinds.ts) */
KM_NORETURN void km_bugcheck(const char *name, ULONG code, const char *fmt, ...);
KM_NORETURN void km_stop(const char *kind, const char *fmt, ...); /* the run cannot go on (not modelled) */
KM_NORETURN void km_not_modelled(const char *name);
/* A finding record in the run data (through the spincheck runtime, when the harness links it). */
void km_record_finding(const char *kind, ULONG code, const char *message, const char *run);
void km_count_error(void);
/* An isolated campaign run did not end clean: an error of this process (KmFinish fails), and with the spincheck
   runtime linked, this process exits with its violation status. */
void km_run_failed(void);

/* How one run of a campaign ended (km_io.c writes it to the parent; the order of km_outcome_names). */
enum km_run_outcome { KM_RUN_CLEAN, KM_RUN_ERRORS, KM_RUN_BUGCHECK, KM_RUN_STOPPED, KM_RUN_HANG, KM_RUN_CRASHED };
void km_campaign_end(enum km_run_outcome outcome, ULONG code, const char *message);
int km_verbose(void);

/* ---- IRQL, locks (km_ke.c) ---- */
KIRQL km_irql(void);
void km_set_irql(KIRQL irql);
void km_lower(KIRQL irql, const char *api); /* as KeLowerIrql: an error when irql is above the current one */
int km_locks_held(void);                 /* spin locks (cancel lock included) held by this thread */
void km_cancel_lock_acquire(PKIRQL old);
void km_cancel_lock_release(KIRQL irql);
int km_cancel_lock_mine(void);
void km_spin_acquire(PKSPIN_LOCK lock, const char *api); /* a KSPIN_LOCK, the IRQL unchanged */
void km_spin_release(PKSPIN_LOCK lock, const char *api);
void km_reset_ke(void);
ULONG km_run_dpcs(void);

/* The code address a model call returns to (the driver's call site, when the driver called it). */
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define KM_RETURN_ADDRESS() _ReturnAddress()
#else
#define KM_RETURN_ADDRESS() __builtin_return_address(0)
#endif

/* ---- the I/O manager (km_io.c) ---- */
/* A point where another processor could cancel an IRP (or a request arrive). where names it: a kernel step
   ("inside IoStartPacket, before StartIo"), or with a %s, the code at addr (the driver's call site, or the
   driver routine that just returned), named only when the label is shown. */
void km_window(const char *where, const void *addr);
void km_reset_io(void);
const char *km_context(void);          /* the injected cancellation of this run, or NULL */
void km_lock_model(void);
void km_unlock_model(void);

/* ---- the model's side of the shared I/O-manager core (../io-core/io_core.h) ---- */
#define IO_IRP PIRP
#define IO_CANCEL_ROUTINE PDRIVER_CANCEL
#define IO_TAKE_CANCEL_ROUTINE(irp) IoSetCancelRoutine((irp), NULL)
#define IO_CANCEL_DEVICE(irp) (IoGetCurrentIrpStackLocation(irp)->DeviceObject)
#define IO_THREAD_ID() ((size_t)km_thread_id())
#define IO_LOAD(p) ((size_t)InterlockedCompareExchangePointer((PVOID volatile *)(p), NULL, NULL))
#define IO_CAS(p, expected, desired) \
  (InterlockedCompareExchangePointer((PVOID volatile *)(p), (PVOID)(desired), (PVOID)(expected)) == (PVOID)(expected))
#define IO_STORE(p, v) ((void)InterlockedExchangePointer((PVOID volatile *)(p), (PVOID)(v)))
#define IO_YIELD() km_yield()
#define IO_IRQL() km_irql()
#define IO_SET_IRQL(irql) km_set_irql((KIRQL)(irql))
#define IO_RESTORE_IRQL(irql) km_lower((KIRQL)(irql), "IoReleaseCancelSpinLock")
struct io_held_set *km_held_locks(void); /* the calling thread's (km_ke.c) */
#define IO_HELD() km_held_locks()
#define IO_LOAD_LONG(p) ((long)InterlockedCompareExchange((LONG volatile *)(p), 0, 0))
#define IO_CAS_LONG(p, expected, desired) \
  (InterlockedCompareExchange((LONG volatile *)(p), (LONG)(desired), (LONG)(expected)) == (LONG)(expected))
#include "../io-core/io_core.h"

/* ---- pool (km_ex.c) ---- */
void *km_alloc(SIZE_T size);              /* model-owned memory, zeroed; never counted as a driver leak */
void km_free(void *p);
ULONG km_reset_pool(const char *label);

#endif
