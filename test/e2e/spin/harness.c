/* Runs one scenario of spin_driver.c (argv[1]) on a mock kernel: the spin locks are no-ops that track the IRQL. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "spin_ddk.h"

static __thread KIRQL irql_now;
void IoAcquireCancelSpinLock(PKIRQL Irql) { *Irql = irql_now; irql_now = 2; }
void IoReleaseCancelSpinLock(KIRQL Irql) { irql_now = Irql; }
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock) { *SpinLock = 0; }
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock) { KIRQL old = irql_now; (void)SpinLock; irql_now = 2; return old; }
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) { (void)SpinLock; irql_now = NewIrql; }
void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { (void)SpinLock; }
void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { (void)SpinLock; }
BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { return *SpinLock == 0; }
void KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE h) { (void)SpinLock; h->OldIrql = irql_now; irql_now = 2; }
void KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE h) { irql_now = h->OldIrql; }

DRIVER_DISPATCH SpinLeak, SpinLeakTwo, SpinInStackDouble, SpinInStackDoubleMixed, SpinMacroLeak, SpinDouble, SpinFree, SpinMismatch, SpinClean, SpinOuter;
void SpinTake(PEXT ext);
void SpinDrop(PEXT ext);
void SpinReinit(PEXT ext);

static EXT ext;
static DEVICE_OBJECT dev = { &ext };
static IRP irp;

static void *drop(void *arg) { SpinDrop((PEXT)arg); return NULL; }

int main(int argc, char **argv) {
  const char *s = argc > 1 ? argv[1] : "";
  int i;
  for (i = 0; i < 3; i++) {
    if (!strcmp(s, "leak")) { ext.Fail = 1; SpinLeak(&dev, &irp); }
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
      ext.Fail = 1; ext.StatsLock = 1; SpinClean(&dev, &irp); ext.StatsLock = 0;
      SpinTake(&ext); SpinReinit(&ext);
    } else return 2;
  }
  printf("ok %d\n", ext.Count);
  return 0;
}
