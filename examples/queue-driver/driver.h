/* driver.h: a small WDM read-queue driver (classic cancel-routine style), shared by its two source files. */
#ifndef QUEUE_DRIVER_H
#define QUEUE_DRIVER_H 1

#include "wdm_user.h"

typedef struct _QUEUE_EXTENSION {
  LIST_ENTRY PendingReads; /* guarded by the cancel spin lock */
  PIRP CurrentIrp;
  KSPIN_LOCK QueueLock;    /* the device lock: guards the fields below; the cancel lock is taken inside it */
  BOOLEAN Stopped;         /* set by cleanup: later requests fail */
  ULONG Started;
  ULONG Completed;
  ULONG Deferred;          /* DPC completions that found the device lock busy and left the count */
} QUEUE_EXTENSION, *PQUEUE_EXTENSION;

DRIVER_DISPATCH QdCreateClose;
DRIVER_DISPATCH QdRead;
DRIVER_DISPATCH QdCleanup;
DRIVER_DISPATCH QdDeviceControl;
DRIVER_CANCEL QdCancelRead;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject);

/* queue.c */
NTSTATUS QdQueueRead(PDEVICE_OBJECT DeviceObject, PIRP Irp);
void QdStartNext(PDEVICE_OBJECT DeviceObject);
void QdCompleteCurrent(PDEVICE_OBJECT DeviceObject);
void QdStopQueue(PQUEUE_EXTENSION ext);

#endif
