/* Every spin-lock form, in the DDK's shapes and in expression contexts. */
#include "wdm-lite.h"

typedef struct _EXT {
  KSPIN_LOCK QueueLock;
  KSPIN_LOCK DataLock;
  EX_SPIN_LOCK TableLock;
  PKINTERRUPT Interrupt;
  KIRQL Irql;
  PIRP Head;
} EXT, *PEXT;
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 12

#define EXT_LOCK(e) (KeAcquireSpinLock(SPINCHECK_SACQ(0, 0, &(e)->DataLock), SPINCHECK_SIRQ(0, &(e)->Irql)), SPINCHECK_SPOST(0))
#define EXT_UNLOCK(e) KeReleaseSpinLock(SPINCHECK_SREL(1, 2, &(e)->DataLock), SPINCHECK_SRIRQ(1, (e)->Irql))

void ExtInit(PEXT ext) {
  KeInitializeSpinLock(SPINCHECK_SINIT(&ext->QueueLock));
  KeInitializeSpinLock(SPINCHECK_SINIT(&ext->DataLock));
}

_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH ExtRead;
NTSTATUS ExtRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) { SPINCHECK_BEGIN(2, 3, 1, ExtRead, -1)
  PEXT ext = (PEXT)DeviceObject->DeviceExtension;
  KIRQL irql, old;
  KLOCK_QUEUE_HANDLE handle;
  NTSTATUS status = STATUS_SUCCESS;
  (KeAcquireSpinLock(SPINCHECK_SACQP(4, 0, &ext->QueueLock), &irql), SPINCHECK_SPOSTP(4, 0, &ext->QueueLock, &irql));
  (ExAcquireSpinLock(SPINCHECK_SACQP(5, 0, &ext->DataLock), &old), SPINCHECK_SPOSTP(5, 0, &ext->DataLock, &old));
  Irp->Next = ext->Head;
  ext->Head = Irp;
  ExReleaseSpinLock(SPINCHECK_SRELI(6, &ext->DataLock, old), old);
  KeReleaseSpinLock(SPINCHECK_SRELI(7, &ext->QueueLock, irql), irql);
  EXT_LOCK(ext);
  EXT_UNLOCK(ext);
  (KeAcquireInStackQueuedSpinLock(SPINCHECK_SACQ(8, 0, &ext->QueueLock), SPINCHECK_SHND(8, &handle)), SPINCHECK_SPOST(8));
  KeReleaseInStackQueuedSpinLock(SPINCHECK_SRELH(9, &handle));
  old = SPINCHECK_SPOSTV(10, SPINCHECK_VALUE_IRQL, KeAcquireSpinLockRaiseToDpc(SPINCHECK_SACQI(10, 0, &ext->DataLock, 0)));
  if (SPINCHECK_SPOSTV(11, SPINCHECK_VALUE_TRY, KeTryToAcquireSpinLockAtDpcLevel(SPINCHECK_SACQI(11, SPINCHECK_SPIN_TRY, &ext->QueueLock, 0)))) {
    KeReleaseSpinLockFromDpcLevel(SPINCHECK_SREL(12, 1, &ext->QueueLock));
  }
  KeReleaseSpinLock(SPINCHECK_SRELI(13, &ext->DataLock, old), old);
  old = SPINCHECK_SPOSTV(14, SPINCHECK_VALUE_IRQL, KeAcquireSpinLockForDpc(SPINCHECK_SACQI(14, 0, &ext->DataLock, 0)));
  KeReleaseSpinLockForDpc(SPINCHECK_SRELI(15, &ext->DataLock, old), old);
  old = SPINCHECK_SPOSTV(16, SPINCHECK_VALUE_IRQL, ExAcquireSpinLockShared(SPINCHECK_SACQI(16, SPINCHECK_SPIN_SHARED, &ext->TableLock, 0)));
  if (ExTryConvertSharedSpinLockExclusive(&ext->TableLock)) status = STATUS_PENDING;
  ExReleaseSpinLockShared(SPINCHECK_SRELI(17, &ext->TableLock, old), old);
  ExReleaseSpinLockExclusive(SPINCHECK_SREL(18, 2, &ext->TableLock), SPINCHECK_SRIRQ(18, SPINCHECK_SPOSTV(19, SPINCHECK_VALUE_IRQL, ExAcquireSpinLockExclusive(SPINCHECK_SACQI(19, 0, &ext->TableLock, 0)))));
  old = SPINCHECK_SPOSTV(20, SPINCHECK_VALUE_IRQL, KeAcquireInterruptSpinLock(SPINCHECK_SACQI(20, 0, ext->Interrupt, 0)));
  KeReleaseInterruptSpinLock(SPINCHECK_SRELI(21, ext->Interrupt, old), old);
  (SPINCHECK_SACQK(22), IoAcquireVpbSpinLock(SPINCHECK_SIRQ(22, &irql)), SPINCHECK_SPOST(22));
  (SPINCHECK_SRELK(23), IoReleaseVpbSpinLock(SPINCHECK_SRIRQ(23, irql)));
  old = SPINCHECK_SPOSTV(24, SPINCHECK_VALUE_IRQL, KeAcquireQueuedSpinLock(SPINCHECK_SACQN(24, 0, LockQueueIoDatabaseLock)));
  KeReleaseQueuedSpinLock(SPINCHECK_SRELN(25, 2, LockQueueIoDatabaseLock), SPINCHECK_SRIRQ(25, old));
  (KeAcquireSpinLockAtDpcLevel(SPINCHECK_SACQP(26, 0, &ext->DataLock)), SPINCHECK_SPOSTP(26, 0, &ext->DataLock, 0));
  { SPINCHECK_RET(27) return (KeReleaseSpinLockFromDpcLevel(SPINCHECK_SREL(28, 1, &ext->DataLock)), status); }
}

static spincheck_u64 spincheck_hits_[29];
static spincheck_u64 spincheck_held_[29];
static const struct spincheck_site spincheck_sites_[29] = {
  {1u, 13u, 21u, 0},
  {2u, 14u, 23u, 0},
  {3u, 22u, 1u, "ExtRead"},
  {4u, 22u, 1u, "ExtRead"},
  {1u, 27u, 3u, "ExtRead"},
  {1u, 28u, 3u, "ExtRead"},
  {2u, 31u, 3u, "ExtRead"},
  {2u, 32u, 3u, "ExtRead"},
  {1u, 35u, 3u, "ExtRead"},
  {2u, 36u, 3u, "ExtRead"},
  {1u, 37u, 9u, "ExtRead"},
  {1u, 38u, 7u, "ExtRead"},
  {2u, 39u, 5u, "ExtRead"},
  {2u, 41u, 3u, "ExtRead"},
  {1u, 42u, 9u, "ExtRead"},
  {2u, 43u, 3u, "ExtRead"},
  {1u, 44u, 9u, "ExtRead"},
  {2u, 46u, 3u, "ExtRead"},
  {2u, 47u, 3u, "ExtRead"},
  {1u, 47u, 47u, "ExtRead"},
  {1u, 48u, 9u, "ExtRead"},
  {2u, 49u, 3u, "ExtRead"},
  {1u, 50u, 3u, "ExtRead"},
  {2u, 51u, 3u, "ExtRead"},
  {1u, 52u, 9u, "ExtRead"},
  {2u, 53u, 3u, "ExtRead"},
  {1u, 54u, 3u, "ExtRead"},
  {4u, 55u, 3u, "ExtRead"},
  {2u, 55u, 11u, "ExtRead"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 29u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
