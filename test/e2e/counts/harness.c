/* The counting driver's harness: WORKERS threads run the routine CALLS times (PAIRS pairs each) and LOOSE pairs outside
   it, then exit; then thread B pauses inside its second call while thread A runs 3 calls and the main thread dumps
   from inside a call of its own; B then ends; then the main thread runs the routine that dumps holding a lock (5 inner
   pairs per nested call). Mocks: a pthread mutex as the cancel lock, a per-thread IRQL. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include "wdm-lite.h"
#include "count_ext.h"
#include "spincheck.h"

#define WORKERS 4
#define CALLS 50
#define PAIRS 1000
#define LOOSE 777

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject);
static DRIVER_OBJECT driver;
static pthread_mutex_t cancel = PTHREAD_MUTEX_INITIALIZER;
static __thread KIRQL irql_now;
static sem_t paused, go;

void IoAcquireCancelSpinLock(PKIRQL Irql) { pthread_mutex_lock(&cancel); *Irql = irql_now; irql_now = 2; }
void IoReleaseCancelSpinLock(KIRQL Irql) { irql_now = Irql; pthread_mutex_unlock(&cancel); }
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock) { *SpinLock = 0; }
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock) { KIRQL old = irql_now; (void)SpinLock; irql_now = 2; return old; }
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) { (void)SpinLock; irql_now = NewIrql; }

void CountPause(PCOUNT_EXT ext) {
  if (ext->Pause == 1) {
    sem_post(&paused);
    sem_wait(&go);
  } else if (ext->Pause == 2) {
    spincheck_dump();
  }
}

static void call_major(int major, PCOUNT_EXT ext, unsigned long pairs, int pause) {
  DEVICE_OBJECT dev;
  IRP irp;
  memset(&irp, 0, sizeof irp);
  dev.DeviceExtension = ext;
  ext->Pairs = pairs;
  ext->Pause = pause;
  driver.MajorFunction[major](&dev, &irp);
}

static void call(PCOUNT_EXT ext, unsigned long pairs, int pause) { call_major(IRP_MJ_READ, ext, pairs, pause); }

static void *worker(void *arg) {
  COUNT_EXT ext;
  int i;
  (void)arg;
  memset(&ext, 0, sizeof ext);
  KeInitializeSpinLock(&ext.Lock);
  for (i = 0; i < CALLS; i++) call(&ext, PAIRS, 0);
  CountLoose(&ext, LOOSE);
  return NULL;
}

/* B: one whole call, then one that waits inside the routine for the main thread's dump. */
static void *thread_b(void *arg) {
  COUNT_EXT ext;
  (void)arg;
  memset(&ext, 0, sizeof ext);
  call(&ext, 1, 0);
  call(&ext, 70, 1);
  return NULL;
}

static void *thread_a(void *arg) {
  COUNT_EXT ext;
  int i;
  (void)arg;
  memset(&ext, 0, sizeof ext);
  for (i = 0; i < 3; i++) call(&ext, 100, 0);
  return NULL;
}

int main(void) {
  pthread_t t[WORKERS], a, b;
  COUNT_EXT ext;
  int i;
  sem_init(&paused, 0, 0);
  sem_init(&go, 0, 0);
  DriverEntry(&driver);
  for (i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, worker, NULL);
  for (i = 0; i < WORKERS; i++) pthread_join(t[i], NULL);
  pthread_create(&b, NULL, thread_b, NULL);
  sem_wait(&paused);
  pthread_create(&a, NULL, thread_a, NULL);
  pthread_join(a, NULL);
  memset(&ext, 0, sizeof ext);
  call(&ext, 50, 2);
  sem_post(&go);
  pthread_join(b, NULL);
  memset(&ext, 0, sizeof ext);
  call_major(IRP_MJ_CREATE, &ext, 5, 2);
  return 0;
}
