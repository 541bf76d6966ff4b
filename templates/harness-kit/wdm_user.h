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

/* Spin locks: real locks (a thread that wants a held lock waits) with an emulated per-thread IRQL, every form
   a WDM driver uses (the DDK's names and argument shapes). An acquire saves the IRQL and raises it as the DDK
   does (DISPATCH_LEVEL; an interrupt's SynchronizeIrql), a release restores the IRQL it is given; the
   AtDpcLevel/FromDpcLevel forms leave it alone. A second acquire by the holder nests, with a message, instead of
   hanging the harness (a real system hangs there); a release by a thread that does not hold the lock is refused
   with a message. spincheck reports both. A thread holds at most 32 spin locks at once besides the cancel lock. */
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
void KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql);
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock);
KIRQL KfAcquireSpinLock(PKSPIN_LOCK SpinLock);
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
void KfReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
void KefAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
void KefReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
/* Holds the lock only when it returns TRUE (a lock held by anyone, the caller included, gives FALSE). */
BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
/* Raise to DISPATCH_LEVEL only when below it; the release restores the returned IRQL. */
KIRQL KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock);
void KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql);
#define ExAcquireSpinLock(Lock, OldIrql) KeAcquireSpinLock((Lock), (OldIrql))
#define ExReleaseSpinLock(Lock, OldIrql) KeReleaseSpinLock((Lock), (OldIrql))
#define ExAcquireSpinLockAtDpcLevel(Lock) KeAcquireSpinLockAtDpcLevel(Lock)
#define ExReleaseSpinLockFromDpcLevel(Lock) KeReleaseSpinLockFromDpcLevel(Lock)

/* In-stack queued spin locks: the handle records the lock and the saved IRQL; its release releases that lock. */
typedef struct _KSPIN_LOCK_QUEUE {
  struct _KSPIN_LOCK_QUEUE *volatile Next;
  PKSPIN_LOCK volatile Lock;
} KSPIN_LOCK_QUEUE, *PKSPIN_LOCK_QUEUE;
typedef struct _KLOCK_QUEUE_HANDLE {
  KSPIN_LOCK_QUEUE LockQueue;
  KIRQL OldIrql;
} KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;
void KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
void KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
void KeAcquireInStackQueuedSpinLockForDpc(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
void KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle);
void KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle);
void KeReleaseInStackQueuedSpinLockForDpc(PKLOCK_QUEUE_HANDLE LockHandle);

/* Executive shared/exclusive (reader/writer) spin locks; initialise one with 0. */
typedef volatile LONG EX_SPIN_LOCK, *PEX_SPIN_LOCK;
KIRQL ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock);
KIRQL ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock);
void ExAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock);
void ExAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock);
void ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql);
void ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql);
void ExReleaseSpinLockExclusiveFromDpcLevel(PEX_SPIN_LOCK SpinLock);
void ExReleaseSpinLockSharedFromDpcLevel(PEX_SPIN_LOCK SpinLock);
BOOLEAN ExTryAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock);
BOOLEAN ExTryAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock);
/* TRUE when the caller was the only reader: the lock is then held exclusive (else still shared). */
ULONG ExTryConvertSharedSpinLockExclusive(PEX_SPIN_LOCK SpinLock);

/* An interrupt object's spin lock: the acquire raises to its SynchronizeIrql (WdmInitInterrupt sets one up). */
typedef struct _KINTERRUPT {
  KSPIN_LOCK SpinLock;
  KIRQL SynchronizeIrql;
} KINTERRUPT, *PKINTERRUPT;
KIRQL KeAcquireInterruptSpinLock(PKINTERRUPT Interrupt);
void KeReleaseInterruptSpinLock(PKINTERRUPT Interrupt, KIRQL OldIrql);

/* The numbered system queued spin locks; LockQueueIoVpbLock is the VPB lock. */
typedef ULONG KSPIN_LOCK_QUEUE_NUMBER;
#define LockQueueIoDatabaseLock 10
#define LockQueueIoVpbLock 9
#define LockQueueIoCompletionLock 11
#define LockQueueMaximumLock 17
KIRQL KeAcquireQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number);
void KeReleaseQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number, KIRQL OldIrql);
void IoAcquireVpbSpinLock(PKIRQL Irql);
void IoReleaseVpbSpinLock(KIRQL Irql);

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
/* An interrupt object with a free spin lock and the given SynchronizeIrql (a device IRQL, above DISPATCH_LEVEL). */
void WdmInitInterrupt(PKINTERRUPT Interrupt, KIRQL SynchronizeIrql);
NTSTATUS WdmCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);

#endif
