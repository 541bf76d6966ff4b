/* spincheck public interface for test harnesses: explicit dump of run data. */
#ifndef SPINCHECK_H
#define SPINCHECK_H 1
#ifdef __cplusplus
extern "C" {
#endif
/* Append to this process's run file: counter and violation totals so far (the last record of each wins). */
void spincheck_dump(void);
/* A finding of a model the harness runs on (the kernel model's bugchecks, leaks, stops): one "finding" record of
   the run file. kind is a name of MODEL_FINDING_KINDS (src/model/kinds.ts); code a bug check code or 0; run names
   the campaign run (its window and IRP), or NULL. */
void spincheck_model_finding(const char *kind, unsigned long code, const char *message, const char *run);
/* An isolated run of a harness campaign (a child process of this one) did not end clean: its violations are in
   its own run file, and this process exits with the violation exit code too, so the harness never looks clean. */
void spincheck_run_failed(void);
/* Defined only by the runtime: links pull the runtime in with -u spincheck_runtime_present, over the weak
   stubs instrumented files carry on ELF targets for links that never see the runtime. */
extern const int spincheck_runtime_present;
#ifdef __cplusplus
}
#endif
#endif
