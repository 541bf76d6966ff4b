/* wdm_user.h: a user-mode model of the WDM subset driver unit tests need (types, constants, I/O-manager calls). */
#ifndef WDM_USER_H
#define WDM_USER_H 1

#include <stddef.h>

typedef unsigned char UCHAR;
typedef unsigned char BOOLEAN;
typedef unsigned long ULONG;
typedef long LONG;
typedef long NTSTATUS;
typedef void VOID;
typedef void *PVOID;
typedef char CCHAR;
typedef UCHAR KIRQL;
typedef KIRQL *PKIRQL;
typedef size_t ULONG_PTR;

#define IN
#define OUT
#define OPTIONAL
#define TRUE 1
#define FALSE 0

#define PASSIVE_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2

#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_PENDING ((NTSTATUS)0x00000103L)
#define STATUS_CANCELLED ((NTSTATUS)0xC0000120L)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010L)
#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)
#define IO_NO_INCREMENT 0

#define IRP_MJ_CREATE 0x00
#define IRP_MJ_CLOSE 0x02
#define IRP_MJ_READ 0x03
#define IRP_MJ_WRITE 0x04
#define IRP_MJ_DEVICE_CONTROL 0x0e
#define IRP_MJ_CLEANUP 0x12
#define IRP_MJ_MAXIMUM_FUNCTION 0x1b

typedef struct _LIST_ENTRY {
  struct _LIST_ENTRY *Flink;
  struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

#define CONTAINING_RECORD(address, type, field) ((type *)((char *)(address) - offsetof(type, field)))

struct _DEVICE_OBJECT;
struct _IRP;

typedef NTSTATUS DRIVER_DISPATCH(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp);
typedef DRIVER_DISPATCH *PDRIVER_DISPATCH;
typedef VOID DRIVER_CANCEL(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp);
typedef DRIVER_CANCEL *PDRIVER_CANCEL;

typedef struct _IO_STATUS_BLOCK {
  NTSTATUS Status;
  ULONG_PTR Information;
} IO_STATUS_BLOCK;

typedef struct _IRP {
  IO_STATUS_BLOCK IoStatus;
  BOOLEAN Cancel;
  KIRQL CancelIrql;
  BOOLEAN PendingReturned;
  BOOLEAN Completed;
  UCHAR MajorFunction;
  PDRIVER_CANCEL volatile CancelRoutine;
  struct _DEVICE_OBJECT *DeviceObject;
  struct {
    struct {
      LIST_ENTRY ListEntry;
      PVOID DriverContext[4];
    } Overlay;
  } Tail;
} IRP, *PIRP;

typedef struct _DEVICE_OBJECT {
  struct _DRIVER_OBJECT *DriverObject;
  PVOID DeviceExtension;
} DEVICE_OBJECT, *PDEVICE_OBJECT;

typedef struct _DRIVER_OBJECT {
  PDEVICE_OBJECT DeviceObject;
  PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} DRIVER_OBJECT, *PDRIVER_OBJECT;

/* Doubly linked lists, as the DDK's inline functions behave. */
#define InitializeListHead(h) ((h)->Flink = (h)->Blink = (h))
#define IsListEmpty(h) ((h)->Flink == (h))
void InsertTailList(PLIST_ENTRY Head, PLIST_ENTRY Entry);
PLIST_ENTRY RemoveHeadList(PLIST_ENTRY Head);
BOOLEAN RemoveEntryList(PLIST_ENTRY Entry);

/* Executive spin locks: real locks with an emulated IRQL (DISPATCH_LEVEL while held). A second acquire by
   the holder is refused with a message instead of spinning forever. */
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
void KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql);
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);

/* The cancel spin lock: a real lock with an emulated IRQL. A second acquire by the owner and a release by a
   thread that does not hold it are refused (and reported by spincheck) instead of hanging the harness. */
void IoAcquireCancelSpinLock(PKIRQL Irql);
void IoReleaseCancelSpinLock(KIRQL Irql);
KIRQL KeGetCurrentIrql(void);
void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);
void KeLowerIrql(KIRQL NewIrql);

PDRIVER_CANCEL IoSetCancelRoutine(PIRP Irp, PDRIVER_CANCEL CancelRoutine);
BOOLEAN IoCancelIrp(PIRP Irp);
void IoMarkIrpPending(PIRP Irp);
void IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost);

/* Harness helpers (more in wdm_harness.h). */
void WdmInitIrp(PIRP Irp, PDEVICE_OBJECT DeviceObject, UCHAR MajorFunction);
NTSTATUS WdmCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);

#endif
