/* wdmsample.h: a small WDM driver for a pretend transfer device, written against the real DDK headers.
   Reads and writes go through a StartIo device queue and complete from a timer DPC ("the hardware");
   event-wait IOCTLs wait in a cancel-safe queue until a signal IOCTL or cleanup. */
#ifndef WDMSAMPLE_H
#define WDMSAMPLE_H 1

#include <ntddk.h>

#define WDS_DEVICE_NAME L"\\Device\\WdmSample"
#define WDS_LINK_NAME L"\\DosDevices\\WdmSample"
#define WDS_TAG 0x536D6457UL /* 'WdmS' in a pool dump */

#define IOCTL_WDS_WAIT_EVENT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_WDS_SIGNAL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_WDS_STATS CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* The pretend hardware moves this many bytes per millisecond. */
#define WDS_BYTES_PER_MS 4

typedef struct _WDS_STATS {
  ULONG Transfers;
  ULONG Cancelled;
  ULONG Events;
} WDS_STATS, *PWDS_STATS;

typedef struct _WDS_EXTENSION {
  PDEVICE_OBJECT Self;
  /* The transfer in progress (guarded by the cancel spin lock): StartIo sets it, the DPC and the cancel
     routine take it. */
  PIRP ActiveIrp;
  PUCHAR Scratch;            /* bounce buffer of the transfer in progress */
  KTIMER Timer;
  KDPC TimerDpc;
  /* Event waiters: a cancel-safe queue. */
  IO_CSQ EventCsq;
  LIST_ENTRY EventQueue;
  KSPIN_LOCK EventLock;
  WDS_STATS Stats;
  /* The device lock: guards OpenFiles (create and close) and Stats.Events (the signal IOCTL); the cancel lock
     is taken inside it. */
  KSPIN_LOCK DeviceLock;
  ULONG OpenFiles;
} WDS_EXTENSION, *PWDS_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD WdsUnload;
DRIVER_DISPATCH WdsCreateClose;
DRIVER_DISPATCH WdsReadWrite;
DRIVER_DISPATCH WdsDeviceControl;
DRIVER_DISPATCH WdsCleanup;
DRIVER_STARTIO WdsStartIo;
DRIVER_CANCEL WdsCancelTransfer;
KDEFERRED_ROUTINE WdsTransferDpc;

/* transfer.c */
VOID WdsCancelQueuedTransfers(PDEVICE_OBJECT DeviceObject, PFILE_OBJECT FileObject);
VOID WdsCompleteRequest(PIRP Irp, NTSTATUS Status, ULONG_PTR Information);

/* events.c */
VOID WdsInitializeEvents(PWDS_EXTENSION Extension);
NTSTATUS WdsWaitEvent(PWDS_EXTENSION Extension, PIRP Irp);
ULONG WdsSignalEvents(PWDS_EXTENSION Extension, NTSTATUS Status, PFILE_OBJECT FileObject);
NTSTATUS WdsQueryStats(PWDS_EXTENSION Extension, PIRP Irp);

#endif
