/* nsiproxy-unix.h: the harness's control of nsiproxy-unix.c, the Unix side of nsiproxy.sys it stands in for
   (plain C types: the harness includes the DDK's headers, nsiproxy-unix.c windows.h). */
#ifndef NSIPROXY_UNIX_H
#define NSIPROXY_UNIX_H 1
/* Forgets handles and counts. */
void NsiUnixReset(void);
/* Waits until an icmp_listen started (the request's handle is set: its listen thread has it). */
int NsiWaitListening(unsigned long ms);
/* Ends every listen (as a timed-out reply): every request completes. */
void NsiRepliesNow(void);
/* Calls of icmp_cancel_listen: the cancel routine's branch for a request in its listen thread. */
extern volatile long NsiCancelListenCalls;
/* Sleep, for a harness that includes the DDK's headers rather than windows.h. */
void NsiSleep(unsigned long ms);
/* Finds the thread DriverEntry created (its request thread), by the threads before and after it. */
void NsiBeforeDriverEntry(void);
int NsiFindRequestThread(void);
/* Holds the request thread where it waits for requests (after 100 ms to get there): a request sent now stays in
   the request queue, as when the thread is not scheduled yet; then lets it run. */
void NsiHoldRequestThread(void);
void NsiReleaseRequestThread(void);
#endif
