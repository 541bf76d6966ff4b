/* The DDK's spin-lock shapes: mingw-w64's own wdm.h under MinGW, else a native stand-in with the same amd64 macros. */
#ifndef SPIN_DDK_H
#define SPIN_DDK_H
#ifdef __MINGW32__
#include <ddk/wdm.h>
#else
typedef unsigned char UCHAR;
typedef UCHAR KIRQL, *PKIRQL, BOOLEAN;
typedef long NTSTATUS;
typedef void VOID;
typedef unsigned long KSPIN_LOCK, *PKSPIN_LOCK;
typedef struct _KLOCK_QUEUE_HANDLE { void *LockQueue[2]; KIRQL OldIrql; } KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;
typedef struct _DEVICE_OBJECT { void *DeviceExtension; } DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct _IRP { KIRQL CancelIrql; NTSTATUS Status; } IRP, *PIRP;
typedef NTSTATUS DRIVER_DISPATCH(PDEVICE_OBJECT DeviceObject, PIRP Irp);
#define STATUS_SUCCESS ((NTSTATUS)0)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
void IoAcquireCancelSpinLock(PKIRQL Irql);
void IoReleaseCancelSpinLock(KIRQL Irql);
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock);
#define KeAcquireSpinLock(SpinLock, OldIrql) *(OldIrql) = KeAcquireSpinLockRaiseToDpc(SpinLock)
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
#define ExAcquireSpinLock(Lock, OldIrql) KeAcquireSpinLock((Lock), (OldIrql))
#define ExReleaseSpinLock(Lock, OldIrql) KeReleaseSpinLock((Lock), (OldIrql))
void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
void KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
void KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle);
#endif
#endif
