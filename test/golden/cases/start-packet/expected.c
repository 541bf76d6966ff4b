#include "wdm-lite.h"

void IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG *Key, PDRIVER_CANCEL CancelFunction);
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 4

static VOID PacketCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 2, PacketCancel, (int)(Irp)->CancelIrql)
    (void)DeviceObject;
    IoReleaseCancelSpinLock(SPINCHECK_REL(2, Irp->CancelIrql));
SPINCHECK_END(3) }

NTSTATUS DispatchPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(4, 5, 3, DispatchPacket, (int)(Irp)->CancelIrql)
    IoStartPacket(DeviceObject, Irp, 0, SPINCHECK_REG(6, 2, PacketCancel));
    { SPINCHECK_RET(7) return STATUS_PENDING; }
}

static spincheck_u64 spincheck_hits_[8];
static spincheck_u64 spincheck_held_[8];
static const struct spincheck_site spincheck_sites_[8] = {
  {3u, 5u, 1u, "PacketCancel"},
  {4u, 5u, 1u, "PacketCancel"},
  {2u, 8u, 5u, "PacketCancel"},
  {4u, 9u, 1u, "PacketCancel"},
  {3u, 11u, 1u, "DispatchPacket"},
  {4u, 11u, 1u, "DispatchPacket"},
  {5u, 13u, 41u, "DispatchPacket"},
  {4u, 14u, 5u, "DispatchPacket"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 8u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
