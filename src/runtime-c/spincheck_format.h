/* spincheck run-data format constants, mirroring src/model/format.ts and kinds.ts (test/runtime-c checks they agree). */
#ifndef SPINCHECK_FORMAT_H
#define SPINCHECK_FORMAT_H 1

#define SPINCHECK_RUN_FORMAT "spincheck-run"
#define SPINCHECK_RUN_VERSION 3
#define SPINCHECK_RUNS_DIR "runs"

/* Violation kinds, in the order of VIOLATION_KINDS. */
#define SPINCHECK_V_DOUBLE_ACQUIRE 0
#define SPINCHECK_V_RELEASE_NOT_HELD 1
#define SPINCHECK_V_RELEASE_OTHER_THREAD 2
#define SPINCHECK_V_DISPATCH_EXIT_HELD 3
#define SPINCHECK_V_CANCEL_EXIT_HELD 4
#define SPINCHECK_V_IRQL_MISMATCH 5
#define SPINCHECK_V_SPIN_LOCK_EXIT_HELD 6
#define SPINCHECK_V_SPIN_LOCK_DOUBLE_ACQUIRE 7
#define SPINCHECK_V_SPIN_LOCK_RELEASE_NOT_HELD 8
#define SPINCHECK_V_SPIN_LOCK_RELEASE_OTHER_THREAD 9
#define SPINCHECK_V_COUNT 10

/* Kinds recorded per lock (PER_LOCK_KINDS): one distinct violation per acquire site, so two locks leaked at one exit
   are two. */
#define SPINCHECK_PER_LOCK(kind) ((kind) == SPINCHECK_V_SPIN_LOCK_EXIT_HELD)

/* Site kinds in a TU trailer, 1-based in the order of SITE_KINDS. */
#define SPINCHECK_SITE_ACQUIRE 1
#define SPINCHECK_SITE_RELEASE 2
#define SPINCHECK_SITE_ENTRY 3
#define SPINCHECK_SITE_EXIT 4
#define SPINCHECK_SITE_REGISTRATION 5

static const char *const spincheck__kind_names[SPINCHECK_V_COUNT] = {
  "double-acquire",
  "release-not-held",
  "release-other-thread",
  "dispatch-exit-held",
  "cancel-exit-held",
  "irql-mismatch",
  "spin-lock-exit-held",
  "spin-lock-double-acquire",
  "spin-lock-release-not-held",
  "spin-lock-release-other-thread",
};

static const char *const spincheck__kind_text[SPINCHECK_V_COUNT] = {
  "IoAcquireCancelSpinLock called while this thread already holds the cancel spin lock",
  "IoReleaseCancelSpinLock called while the cancel spin lock is not held",
  "IoReleaseCancelSpinLock called while another thread holds the cancel spin lock",
  "dispatch routine returned holding the cancel spin lock",
  "cancel routine returned holding the cancel spin lock",
  "a spin-lock release restores an IRQL other than the one its acquire saved",
  "dispatch or cancel routine returned holding a spin lock it acquired",
  "spin lock acquired by the thread that already holds it",
  "spin lock released while no thread holds it",
  "spin lock released by a thread other than its holder",
};

#endif
