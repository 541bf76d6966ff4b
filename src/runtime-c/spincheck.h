/* spincheck public interface for test harnesses: explicit dump of run data. */
#ifndef SPINCHECK_H
#define SPINCHECK_H 1
#ifdef __cplusplus
extern "C" {
#endif
/* Append to this process's run file: counters since the previous dump (deltas) and violation totals so far. */
void spincheck_dump(void);
#ifdef __cplusplus
}
#endif
#endif
