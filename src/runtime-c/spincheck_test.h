/* spincheck test-only interface, compiled into the Node addon (SPINCHECK_TEST_HOOKS): simulated threads, reset, captured output. */
#ifndef SPINCHECK_TEST_H
#define SPINCHECK_TEST_H 1
#include <stddef.h>

/* Forget all state and counters, then apply an options string as SPINCHECK_OPTIONS would. */
void spincheck_test_reset(const char *options);
/* Add every simulated thread's pending counts (its fast paths') to the counters. */
void spincheck_test_flush(void);
/* Make later hooks run as simulated thread id (1..64). */
void spincheck_test_set_thread(long id);
/* The lock state: owner (0 free), nesting, acquire TU/site, acquired by the I/O manager, stored IRQL (-1 unknown). */
void spincheck_test_lock_state(long *owner, long *nesting, struct spincheck_tu **acq_tu, long *acq_site, long *by_io,
                               long *irql);
/* Parsed options: halt_on_error, exitcode, verbosity, strict_nesting; log_path, data_dir, suppressions. */
void spincheck_test_options(int ints[4], const char *strs[3]);
/* Does the suppressions list suppress this violation of kind on function/file? */
int spincheck_test_suppressed(int kind, struct spincheck_tu *tu, unsigned site);

/* Provided by the test harness: every message, and every violation occurrence (JSON line and stderr block). */
void spincheck__test_log(const char *text, size_t n);
void spincheck__test_violation(const char *json, size_t njson, const char *text, size_t ntext, int first,
                               int suppressed);
#endif
