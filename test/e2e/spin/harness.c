/* Runs one scenario of spin_driver.c (argv[1]; "all": every one) on a mock kernel whose spin locks are no-ops that
   track the IRQL, or under MinGW on the kernel model (templates/kernel-model), whose locks are real. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "spin_ddk.h"

#ifndef __MINGW32__
/* Each shape's functions only (the link proves the driver calls them); names a shape makes macros in parentheses. */
static __thread KIRQL irql_now;
static EXT ext;
/* An acquire's real call: SpinInside arms it to call the driver back from inside, as a kernel model's window does. */
static KIRQL raise_to_dpc(void) {
  KIRQL old = irql_now;
  if (ext.InsideArmed) {
    ext.InsideArmed = 0;
    SpinInsideTake(&ext);
  }
  irql_now = 2;
  return old;
}
void IoAcquireCancelSpinLock(PKIRQL Irql) { *Irql = raise_to_dpc(); }
void IoReleaseCancelSpinLock(KIRQL Irql) { irql_now = Irql; }
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock) { *SpinLock = 0; }
BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { return *SpinLock == 0; }
void KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE h) { (void)SpinLock; h->OldIrql = raise_to_dpc(); }
void KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE h) { irql_now = h->OldIrql; }
#ifdef SPIN_X86
KIRQL KfAcquireSpinLock(PKSPIN_LOCK SpinLock) { (void)SpinLock; return raise_to_dpc(); }
void KfReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) { (void)SpinLock; irql_now = NewIrql; }
void KefAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { (void)SpinLock; }
void KefReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { (void)SpinLock; }
#else
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock) { (void)SpinLock; return raise_to_dpc(); }
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) { (void)SpinLock; irql_now = NewIrql; }
void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { (void)SpinLock; }
void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { (void)SpinLock; }
#endif
#endif

DRIVER_DISPATCH SpinLeak, SpinLeakTwo, SpinInStackDouble, SpinInStackDoubleMixed, SpinMacroLeak, SpinDouble, SpinFree, SpinMismatch, SpinClean, SpinOuter,
  SpinInside;
void SpinTake(PEXT ext);
void SpinDrop(PEXT ext);
void SpinReinit(PEXT ext);

#ifdef __MINGW32__
static EXT ext;
#endif
static DEVICE_OBJECT dev;
static IRP irp;

static void *drop(void *arg) { SpinDrop((PEXT)arg); return NULL; }

static const char *const all[] = { "leak", "leak-two", "macro-leak", "double", "in-stack-double", "in-stack-mixed", "free",
                                   "other-thread", "mismatch" };

/* One scenario, once; 0 when it is unknown. */
static int scenario(const char *s) {
  if (!strcmp(s, "leak")) { ext.Fail = 1; SpinLeak(&dev, &irp); ext.Fail = 0; }
  else if (!strcmp(s, "leak-two")) SpinLeakTwo(&dev, &irp);
  else if (!strcmp(s, "in-stack-double")) SpinInStackDouble(&dev, &irp);
  else if (!strcmp(s, "in-stack-mixed")) SpinInStackDoubleMixed(&dev, &irp);
  else if (!strcmp(s, "macro-leak")) SpinMacroLeak(&dev, &irp);
  else if (!strcmp(s, "double")) SpinDouble(&dev, &irp);
  else if (!strcmp(s, "free")) SpinFree(&dev, &irp);
  else if (!strcmp(s, "mismatch")) SpinMismatch(&dev, &irp);
  else if (!strcmp(s, "other-thread")) {
    pthread_t t;
    SpinTake(&ext);
    pthread_create(&t, NULL, drop, &ext);
    pthread_join(t, NULL);
    SpinReinit(&ext);
  } else if (!strcmp(s, "clean")) {
    ext.Fail = 0; SpinClean(&dev, &irp); SpinOuter(&dev, &irp);
#ifndef __MINGW32__
    /* The mock's try fails on a non-zero lock word (the kernel model's locks are real: no such trick there). */
    ext.Fail = 1; ext.StatsLock = 1; SpinClean(&dev, &irp); ext.StatsLock = 0; ext.Fail = 0;
#endif
    SpinTake(&ext); SpinReinit(&ext);
#ifndef __MINGW32__
  } else if (!strcmp(s, "inside")) {
    SpinInside(&dev, &irp);
#endif
  } else if (!strcmp(s, "all")) {
    size_t k;
    for (k = 0; k < sizeof all / sizeof all[0]; k++) scenario(all[k]);
  } else return 0;
  return 1;
}

int main(int argc, char **argv) {
  int i;
  dev.DeviceExtension = &ext;
  for (i = 0; i < 3; i++)
    if (!scenario(argc > 1 ? argv[1] : "")) return 2;
  printf("ok %d\n", ext.Count);
  return 0;
}
