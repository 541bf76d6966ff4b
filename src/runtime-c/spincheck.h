/* spincheck public interface for test harnesses: explicit dump of run data. */
#ifndef SPINCHECK_H
#define SPINCHECK_H 1
#ifdef __cplusplus
extern "C" {
#endif
/* Append counters and violation counts accumulated since the previous dump to this process's run file. */
void spincheck_dump(void);
#ifdef __cplusplus
}
#endif
#endif
