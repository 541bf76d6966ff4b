#include "wdm-lite.h"
/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */
#line 2

static NTSTATUS DispatchAny(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(0, 1, 1, DispatchAny, -1)
    (void)DeviceObject;
    { SPINCHECK_RET(2) return Irp->Status; }
}

static NTSTATUS DispatchOpenClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ SPINCHECK_BEGIN(3, 4, 1, DispatchOpenClose, -1)
    (void)DeviceObject;
    (void)Irp;
    { SPINCHECK_RET(5) return STATUS_SUCCESS; }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
    int i;
    for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = SPINCHECK_REG(6, 1, DispatchAny);
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DriverObject->MajorFunction[IRP_MJ_CLOSE] = SPINCHECK_REG(7, 1, DispatchOpenClose);
    return STATUS_SUCCESS;
}

static spincheck_u64 spincheck_hits_[8];
static spincheck_u64 spincheck_held_[8];
static const struct spincheck_site spincheck_sites_[8] = {
  {3u, 3u, 1u, "DispatchAny"},
  {4u, 3u, 1u, "DispatchAny"},
  {4u, 6u, 5u, "DispatchAny"},
  {3u, 9u, 1u, "DispatchOpenClose"},
  {4u, 9u, 1u, "DispatchOpenClose"},
  {4u, 13u, 5u, "DispatchOpenClose"},
  {5u, 20u, 42u, "DriverEntry"},
  {5u, 21u, 94u, "DriverEntry"}
};
static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, "golden", "input.c", 0, 8u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};
