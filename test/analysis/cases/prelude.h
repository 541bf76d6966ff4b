/* Minimal WDM declarations for the analysis corpus (the analysis does not need real headers). */
typedef long NTSTATUS;
typedef unsigned char KIRQL, *PKIRQL, BOOLEAN;
typedef unsigned long long KSPIN_LOCK, *PKSPIN_LOCK;
typedef struct _IRP { KIRQL CancelIrql; BOOLEAN Cancel; void *CancelRoutine; } IRP, *PIRP;
typedef struct _DEVICE_OBJECT { void *DeviceExtension; } DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct { void *a, *b; } KLOCK_QUEUE_HANDLE;
typedef NTSTATUS DRIVER_DISPATCH(PDEVICE_OBJECT, PIRP);
typedef void DRIVER_CANCEL(PDEVICE_OBJECT, PIRP);
typedef DRIVER_CANCEL *PDRIVER_CANCEL;
#define VOID void
#define TRUE 1
#define FALSE 0
#define NULL ((void *)0)
#define STATUS_SUCCESS 0
#define STATUS_PENDING 0x103
#define STATUS_CANCELLED 0xC0000120
typedef struct { KSPIN_LOCK Lock; KSPIN_LOCK Other; int Count; PIRP Current; } EXT, *PEXT;
