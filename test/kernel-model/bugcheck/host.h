/* host.h: the Win32 side of the bugcheck harness (host.c), callable from DDK code. */
#ifndef BC_HOST_H
#define BC_HOST_H 1
/* Runs fn(context) on a thread-pool thread that holds a critical section while another thread, attaching the
   program's modules under the loader lock, waits for that critical section. fn is expected to end the process;
   if the process still runs 20 s later, prints a line and ends it with status 99. */
void HostRunBlocked(void (*fn)(void *), void *context);
#endif
