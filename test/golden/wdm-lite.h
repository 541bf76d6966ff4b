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
#endif
