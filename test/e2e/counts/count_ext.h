/* The device extension the counting driver and its harness share. */
#ifndef COUNT_EXT_H
#define COUNT_EXT_H
typedef struct _COUNT_EXT {
  KSPIN_LOCK Lock;
  KSPIN_LOCK Outer;
  unsigned long Pairs;
  unsigned long Moved;
  int Pause; /* 1: wait for the harness's go; 2: spincheck_dump() */
} COUNT_EXT, *PCOUNT_EXT;
void CountPause(PCOUNT_EXT ext);
void CountLoose(PCOUNT_EXT ext, unsigned long n);
#endif
