/* driver.h: a small WDM read-queue driver (classic cancel-routine style), shared by its two source files. */
#ifndef QUEUE_DRIVER_H
#define QUEUE_DRIVER_H 1

#include "wdm_user.h"

typedef struct _QUEUE_EXTENSION {
  LIST_ENTRY PendingReads;
  PIRP CurrentIrp;
  ULONG Completed;
} QUEUE_EXTENSION, *PQUEUE_EXTENSION;

DRIVER_DISPATCH QdCreateClose;
DRIVER_DISPATCH QdRead;
DRIVER_DISPATCH QdCleanup;
DRIVER_CANCEL QdCancelRead;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject);

/* queue.c */
NTSTATUS QdQueueRead(PDEVICE_OBJECT DeviceObject, PIRP Irp);
void QdStartNext(PDEVICE_OBJECT DeviceObject);
void QdCompleteCurrent(PDEVICE_OBJECT DeviceObject);

#endif
