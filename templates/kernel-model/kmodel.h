/* kmodel.h: the harness API of the spincheck kernel model (a user-mode model of the Windows kernel calls
   WDM drivers make, for drivers compiled unchanged against the real DDK headers). See docs/kernel-model.md. */
#ifndef KMODEL_H
#define KMODEL_H 1

#include <ntddk.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- spin-lock calls mingw-w64's DDK headers lack, declared the DDK's way (the model implements them) ---- */
#ifndef KM_NO_DDK_DECLARATIONS
/* Executive shared/exclusive spin locks (wdm.h of the WDK). */
typedef volatile LONG EX_SPIN_LOCK, *PEX_SPIN_LOCK;
NTKERNELAPI KIRQL NTAPI ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI KIRQL NTAPI ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID NTAPI ExAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID NTAPI ExAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID NTAPI ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql);
NTKERNELAPI VOID NTAPI ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql);
NTKERNELAPI VOID NTAPI ExReleaseSpinLockExclusiveFromDpcLevel(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID NTAPI ExReleaseSpinLockSharedFromDpcLevel(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI LOGICAL NTAPI ExTryAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI LOGICAL NTAPI ExTryAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock);
NTKERNELAPI LOGICAL NTAPI ExTryConvertSharedSpinLockExclusive(PEX_SPIN_LOCK SpinLock);
#ifndef _NTIFS_
/* ntifs.h's: the VPB lock and the numbered queued spin locks. */
NTKERNELAPI VOID NTAPI IoAcquireVpbSpinLock(PKIRQL Irql);
NTKERNELAPI VOID NTAPI IoReleaseVpbSpinLock(KIRQL Irql);
_DECL_HAL_KE_IMPORT KIRQL FASTCALL KeAcquireQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number);
_DECL_HAL_KE_IMPORT VOID FASTCALL KeReleaseQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number, KIRQL OldIrql);
#endif
#endif

typedef NTSTATUS (NTAPI *KM_DRIVER_ENTRY)(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

/* ---- the driver ---- */
/* Creates a driver object named \Driver\<Name> and calls DriverEntry at PASSIVE_LEVEL; NULL if it failed
   (its status in *Status when Status is not NULL). */
PDRIVER_OBJECT KmLoadDriver(KM_DRIVER_ENTRY DriverEntry, PCWSTR Name, NTSTATUS *Status);
/* Calls DriverUnload (if set), deletes the devices the driver left and frees the driver object. */
void KmUnloadDriver(PDRIVER_OBJECT DriverObject);
/* A device created with IoCreateDevice by its name (L"\\Device\\Foo"), or NULL. */
PDEVICE_OBJECT KmFindDevice(PCWSTR Name);

/* ---- PnP: the harness is the PnP manager ---- */
/* Calls Driver's AddDevice for Pdo (a device of a bus driver) at PASSIVE_LEVEL; its status. */
NTSTATUS KmAddDevice(PDRIVER_OBJECT Driver, PDEVICE_OBJECT Pdo);
/* An IRP_MJ_PNP request with minor function Minor (IRP_MN_QUERY_DEVICE_RELATIONS: BusRelations) sent to the top
   of Device's stack, IoStatus.Status preset to STATUS_NOT_SUPPORTED; waits for it; its final status, and its
   IoStatus.Information in *Information when not NULL. */
NTSTATUS KmPnp(PDEVICE_OBJECT Device, UCHAR Minor, ULONG_PTR *Information);
/* IRP_MN_START_DEVICE to the top of Pdo's stack, then KmProcessRelations. */
NTSTATUS KmStartDevice(PDEVICE_OBJECT Pdo);
/* For each stack whose bus relations a driver invalidated (IoInvalidateDeviceRelations): queries them
   (IRP_MN_QUERY_DEVICE_RELATIONS) and starts each child PDO not seen before with IRP_MN_START_DEVICE (no
   AddDevice: a raw child); returns how many children were started. */
ULONG KmProcessRelations(void);
/* The device of the Index-th enabled device interface of class InterfaceClass, in registration order
   (IoRegisterDeviceInterface, IoSetDeviceInterfaceState), or NULL. */
PDEVICE_OBJECT KmFindInterface(const GUID *InterfaceClass, ULONG Index);

/* ---- IRPs sent by the harness (the harness is the top of the stack: user mode, PASSIVE_LEVEL) ---- */
/* An IRP for Device with its next stack location set to Major/Minor and FileObject (may be NULL). */
PIRP KmBuildIrp(PDEVICE_OBJECT Device, UCHAR Major, UCHAR Minor, PFILE_OBJECT FileObject);
/* IRP_MJ_DEVICE_CONTROL, METHOD_BUFFERED: In is copied into a system buffer of max(InLength, OutLength). */
PIRP KmBuildIoctl(PDEVICE_OBJECT Device, ULONG Code, const void *In, ULONG InLength, ULONG OutLength,
                  PFILE_OBJECT FileObject);
/* IRP_MJ_READ / IRP_MJ_WRITE with a buffered system buffer of Length bytes (Data copied in for writes). */
PIRP KmBuildRead(PDEVICE_OBJECT Device, ULONG Length, PFILE_OBJECT FileObject);
PIRP KmBuildWrite(PDEVICE_OBJECT Device, const void *Data, ULONG Length, PFILE_OBJECT FileObject);
/* A file object on Device (for IRP_MJ_CREATE ... IRP_MJ_CLOSE sequences); freed by KmCloseFile. */
PFILE_OBJECT KmOpenFile(PDEVICE_OBJECT Device);
void KmCloseFile(PFILE_OBJECT FileObject);
/* IoCallDriver from the harness at PASSIVE_LEVEL; returns what the dispatch routine returned. */
NTSTATUS KmSendIrp(PDEVICE_OBJECT Device, PIRP Irp);
/* Builds, sends and (when completed) frees a simple request; returns the final status, or STATUS_PENDING
   (the IRP is then kept and returned through *Pending when Pending is not NULL). */
NTSTATUS KmCall(PDEVICE_OBJECT Device, UCHAR Major, PFILE_OBJECT FileObject, PIRP *Pending);
BOOLEAN KmIrpCompleted(PIRP Irp);
/* Frees a harness IRP (an IRP still pending is reported as a model error and leaked on purpose). */
void KmFreeIrp(PIRP Irp);
/* IoCancelIrp at PASSIVE_LEVEL, as another thread of the harness would. */
BOOLEAN KmCancelIrp(PIRP Irp);
/* IRPs built by KmBuildIrp or IoAllocateIrp that were sent and are not completed. */
ULONG KmPendingIrps(void);

/* ---- deferred work: nothing runs until the harness says so ---- */
/* Runs queued DPCs at DISPATCH_LEVEL, in queue order, until the queue is empty; returns how many ran. */
ULONG KmRunDpcs(void);
/* Moves the model's clock forward by Delta (100 ns units), fires each due timer (signal, queue its DPC),
   then runs DPCs; returns how many timers fired. */
ULONG KmAdvanceTime(LONGLONG Delta);
/* Fires every set timer, in due-time order, whatever its due time; returns how many fired. */
ULONG KmFireTimers(void);
/* Runs queued work items (IoQueueWorkItem) at PASSIVE_LEVEL; returns how many ran. */
ULONG KmRunWorkItems(void);

/* ---- cancellation injection ---- */
typedef void KM_SCENARIO(void *Context);
/* Runs Scenario once to count the cancel windows it passes (each point where another processor could call
   IoCancelIrp on an IRP in flight: model calls with no spin lock held, dispatch returns, DPC ends), then
   once more per (window, IRP) pair, cancelling that IRP there. The scenario must load and unload the
   driver itself. After each run, leaked pool and IRPs never completed are reported. Returns the number of
   injected runs. */
ULONG KmInjectCancellation(KM_SCENARIO *Scenario, void *Context);
/* The arrival campaign: runs Scenario once to count its windows (every point where a real kernel could
   interleave, the cancel windows, StartIo's entry and DPC queueing among them) and to record each kind of request
   the harness sends (device, major, minor, IOCTL code, with its parameters), then once per (window, kind), a new
   request of that kind arriving at that window from another processor (KmSendIrp at PASSIVE_LEVEL), once as it
   is and once cancelled at the first later window where it waits with a cancel routine (a queued request).
   Returns the number of arrival runs. */
ULONG KmInjectArrivals(KM_SCENARIO *Scenario, void *Context);
/* A callback at every window (no spin lock held), as another processor at PASSIVE_LEVEL: it may send IRPs
   (KmSendIrp), cancel (KmCancelIrp) or complete requests. NULL removes it. KmWindowLabel, called from it,
   names the window. */
typedef void KM_WINDOW_HOOK(void *Context);
void KmOnWindow(KM_WINDOW_HOOK *Hook, void *Context);
void KmWindowLabel(char *Buffer, ULONG Size);
/* Non-zero in a campaign's child process (each run of a campaign is the harness started again, which runs
   main up to the campaign call, runs its one run there and exits): guard work main does before the campaign
   that a child should not repeat, such as a plain run of the scenario. */
int KmCampaignChild(void);

/* ---- results ---- */
/* Prints the driver's pool allocations not freed; returns their count. */
ULONG KmLeakReport(void);
/* Model errors so far (bugcheck-class misuse the model survived, leaks, IRPs never completed). */
ULONG KmErrors(void);
/* End of a harness: leak report; returns 0 when there were no model errors, else 1 (a main's status). */
int KmFinish(void);

#ifdef __cplusplus
}
#endif
#endif
