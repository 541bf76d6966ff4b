/* A tiny stand-in for the WDM declarations the golden cases use (compile checks only). */
#ifndef WDM_LITE_H
#define WDM_LITE_H
typedef unsigned char UCHAR;
typedef UCHAR KIRQL;
typedef KIRQL *PKIRQL;
typedef long NTSTATUS;
typedef void VOID;
typedef unsigned long ULONG;
#define IN
#define OUT
#define _In_
#define _Inout_
#define _Dispatch_type_(x)
#define _IRQL_requires_max_(x)
#define STATUS_SUCCESS ((NTSTATUS)0)
#define STATUS_PENDING ((NTSTATUS)0x103)
#define STATUS_CANCELLED ((NTSTATUS)0xC0000120L)
#define IRP_MJ_CREATE 0
#define IRP_MJ_CLOSE 2
#define IRP_MJ_READ 3
#define IRP_MJ_MAXIMUM_FUNCTION 27
struct _DEVICE_OBJECT;
struct _IRP;
typedef NTSTATUS DRIVER_DISPATCH(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp);
typedef DRIVER_DISPATCH *PDRIVER_DISPATCH;
typedef VOID DRIVER_CANCEL(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp);
typedef DRIVER_CANCEL *PDRIVER_CANCEL;
typedef struct _IRP {
  int Cancel;
  KIRQL CancelIrql;
  PDRIVER_CANCEL CancelRoutine;
  NTSTATUS Status;
  struct _IRP *Next;
} IRP, *PIRP;
typedef struct _DEVICE_OBJECT {
  void *DeviceExtension;
} DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct _DRIVER_OBJECT {
  PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} DRIVER_OBJECT, *PDRIVER_OBJECT;
void IoAcquireCancelSpinLock(PKIRQL Irql);
void IoReleaseCancelSpinLock(KIRQL Irql);
PDRIVER_CANCEL IoSetCancelRoutine(PIRP Irp, PDRIVER_CANCEL Routine);
void IoCompleteRequest(PIRP Irp, int Boost);
/* Spin locks, in the DDK's amd64 shapes (KeAcquireSpinLock and ExAcquireSpinLock are macros). */
typedef UCHAR BOOLEAN;
typedef unsigned long KSPIN_LOCK;
typedef KSPIN_LOCK *PKSPIN_LOCK;
typedef struct _KLOCK_QUEUE_HANDLE {
  void *LockQueue[2];
  KIRQL OldIrql;
} KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;
typedef long EX_SPIN_LOCK, *PEX_SPIN_LOCK;
typedef struct _KINTERRUPT *PKINTERRUPT;
typedef enum _KSPIN_LOCK_QUEUE_NUMBER { LockQueueUnusedSpare0, LockQueueIoDatabaseLock = 5 } KSPIN_LOCK_QUEUE_NUMBER;
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock);
#define KeAcquireSpinLock(SpinLock, OldIrql) *(OldIrql) = KeAcquireSpinLockRaiseToDpc(SpinLock)
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
#define ExAcquireSpinLock(Lock, OldIrql) KeAcquireSpinLock((Lock), (OldIrql))
#define ExReleaseSpinLock(Lock, OldIrql) KeReleaseSpinLock((Lock), (OldIrql))
void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
KIRQL KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock);
void KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql);
void KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
void KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle);
KIRQL ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock);
void ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql);
KIRQL ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock);
void ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql);
ULONG ExTryConvertSharedSpinLockExclusive(PEX_SPIN_LOCK SpinLock);
KIRQL KeAcquireInterruptSpinLock(PKINTERRUPT Interrupt);
void KeReleaseInterruptSpinLock(PKINTERRUPT Interrupt, KIRQL OldIrql);
void IoAcquireVpbSpinLock(PKIRQL Irql);
void IoReleaseVpbSpinLock(KIRQL Irql);
KIRQL KeAcquireQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number);
void KeReleaseQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number, KIRQL OldIrql);
#endif
