/* km_io.c: the I/O manager: driver and device objects, IRPs (allocation, IoCallDriver, completion with
   completion routines, cancellation), device queues and StartIo, cancel-safe queues, work items, and the
   harness side (building and sending IRPs, cancellation injection). Semantics follow the documented I/O
   manager (and ReactOS's reading of it); deviations are listed in docs/kernel-model.md. */
#include "km_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------- model lock */

static volatile LONG km_model_lock_word;

/* Guards the model's own lists; never held while driver code runs. */
void km_lock_model(void)
{
  while (InterlockedCompareExchange(&km_model_lock_word, 1, 0) != 0) km_yield();
}

void km_unlock_model(void) { InterlockedExchange(&km_model_lock_word, 0); }

static const char *const km_major_names[] = {
  "IRP_MJ_CREATE", "IRP_MJ_CREATE_NAMED_PIPE", "IRP_MJ_CLOSE", "IRP_MJ_READ", "IRP_MJ_WRITE",
  "IRP_MJ_QUERY_INFORMATION", "IRP_MJ_SET_INFORMATION", "IRP_MJ_QUERY_EA", "IRP_MJ_SET_EA",
  "IRP_MJ_FLUSH_BUFFERS", "IRP_MJ_QUERY_VOLUME_INFORMATION", "IRP_MJ_SET_VOLUME_INFORMATION",
  "IRP_MJ_DIRECTORY_CONTROL", "IRP_MJ_FILE_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CONTROL",
  "IRP_MJ_INTERNAL_DEVICE_CONTROL", "IRP_MJ_SHUTDOWN", "IRP_MJ_LOCK_CONTROL", "IRP_MJ_CLEANUP",
  "IRP_MJ_CREATE_MAILSLOT", "IRP_MJ_QUERY_SECURITY", "IRP_MJ_SET_SECURITY", "IRP_MJ_POWER",
  "IRP_MJ_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CHANGE", "IRP_MJ_QUERY_QUOTA", "IRP_MJ_SET_QUOTA", "IRP_MJ_PNP",
};

static const char *km_major_name(UCHAR major)
{
  return major <= IRP_MJ_MAXIMUM_FUNCTION ? km_major_names[major] : "IRP_MJ_?";
}

/* ------------------------------------------------------------------------------------ IRP records */

typedef struct km_irp_rec {
  struct km_irp_rec *next;
  PIRP irp;
  ULONG seq;
  UCHAR major;          /* of the first stack location it was sent with */
  int harness;          /* built by KmBuild* */
  int sent;             /* passed to IoCallDriver */
  int completed;        /* completed through every stack location */
  int threaded;         /* built by IoBuildSynchronousFsdRequest/IoBuildDeviceIoControlRequest: the I/O manager
                           copies the output back and signals at completion (the driver never frees it) */
  void *buffer;         /* the system buffer KmBuild* or IoBuild* allocated */
} km_irp_rec;

static km_irp_rec *km_irps;
static ULONG km_irp_seq;

static km_irp_rec *km_find_irp(PIRP irp)
{
  km_irp_rec *r;
  km_lock_model();
  for (r = km_irps; r != NULL && r->irp != irp; r = r->next) {}
  km_unlock_model();
  return r;
}

static void km_track_irp(PIRP irp, int harness)
{
  km_irp_rec *r = (km_irp_rec *)km_alloc(sizeof *r);
  km_irp_rec **tail;
  r->irp = irp;
  r->harness = harness;
  km_lock_model();
  r->seq = ++km_irp_seq;
  for (tail = &km_irps; *tail != NULL; tail = &(*tail)->next) {}
  *tail = r; /* allocation order: injection visits IRPs oldest first */
  km_unlock_model();
}

static void km_untrack_irp(km_irp_rec *rec)
{
  km_irp_rec **p;
  km_lock_model();
  for (p = &km_irps; *p != NULL; p = &(*p)->next) {
    if (*p == rec) {
      *p = rec->next;
      break;
    }
  }
  km_unlock_model();
  if (rec->buffer != NULL) km_free(rec->buffer);
  km_free(rec);
}

/* --------------------------------------------------------------------------- cancellation injection */

static io_injection km_injection;
static char km_injection_text[320];
static int km_announced;                /* this run's injection was noted: later messages name it */
static void km_campaign_window(const char *label);
static void km_status_line(const char *text);
static void km_end_run(const char *label);
static long km_child_run = -1;            /* this process's run index when it is a campaign's child, else -1 */

/* ---- arrivals: a new request of a recorded kind arrives at a window (KmInjectArrivals) ---- */
#define KM_MAX_KINDS 16
typedef struct km_kind {
  char device[64];      /* the device, "#<n>": the run's n-th IoCreateDevice (km_device_name) */
  UCHAR major, minor;
  UCHAR file;           /* the harness sent it with a file object */
  ULONG code, in, out, length; /* IOCTL code and buffer lengths; read/write length */
  UCHAR data[64];
  ULONG data_length;
} km_kind;

enum km_arrive_mode { KM_ARRIVE_OFF, KM_ARRIVE_COUNT, KM_ARRIVE_AT };
static struct {
  enum km_arrive_mode mode;
  ULONG target, seen;   /* the window of the arrival; windows passed so far */
  ULONG kind;           /* index into kinds */
  int cancel;           /* cancel the new IRP at the first later window where it has a cancel routine */
  PIRP irp;             /* the IRP that arrived */
  int busy;             /* inside the arrival itself */
  int started;          /* the harness has sent its first request: windows count from there on */
  int skipped;          /* the target window was reached, but no request of the kind could arrive there */
  ULONG open_seq;       /* a close arrival: the IRP number of the campaign's own create before it */
  ULONG nkinds;
  km_kind kinds[KM_MAX_KINDS];
} km_arrival;
static PFILE_OBJECT km_last_file;       /* the harness's latest file object (a create: once it completed) */
static void km_arrival_window(const char *where, const void *addr);
static KM_WINDOW_HOOK *km_hook;
static void *km_hook_context;
static const char *km_hook_where;
static const void *km_hook_addr;

/* A window's label: where, with the code at addr named for its %s (function+offset, from the image's symbols). */
static void km_window_label(const char *where, const void *addr, char *out, size_t size)
{
  char code[160];
  if (addr == NULL) {
    snprintf(out, size, "%s", where);
    return;
  }
  km_describe_address(addr, code, sizeof code);
  snprintf(out, size, where, code);
}

/* A cancel window (io_core.h): each IRP sent, not completed and not cancelled yet makes one (window, IRP) pair;
   in the injected run for pair k, that IRP is cancelled here. */
void km_window(const char *where, const void *addr)
{
  km_irp_rec *r, *victim = NULL;
  char label[240];
  if (km_locks_held() == 0) {
    if (km_arrival.mode != KM_ARRIVE_OFF) km_arrival_window(where, addr);
    if (km_hook != NULL && km_hook_where == NULL) {
      /* The harness, as another processor: at PASSIVE_LEVEL, once per window (not inside its own calls). */
      KIRQL irql = km_irql();
      km_hook_where = where;
      km_hook_addr = addr;
      km_set_irql(PASSIVE_LEVEL);
      km_hook(km_hook_context);
      km_set_irql(irql);
      km_hook_where = NULL;
    }
  }
  if (!io_window_open(&km_injection, km_locks_held() > 0)) return;
  km_lock_model();
  for (r = km_irps; r != NULL; r = r->next) {
    if (!r->sent || r->completed || r->irp->Cancel) continue;
    if (io_window_pair(&km_injection)) {
      victim = r;
      break;
    }
  }
  km_unlock_model();
  if (victim == NULL) return;
  km_window_label(where, addr, label, sizeof label);
  snprintf(km_injection_text, sizeof km_injection_text, "injected IoCancelIrp of IRP #%lu (%s) %s%s",
           (unsigned long)victim->seq, km_major_name(victim->major), strncmp(label, "inside ", 7) == 0 ? "" : "at ", label);
  km_note("%s", km_injection_text);
  km_announced = 1;
  km_campaign_window(km_injection_text);
  IoCancelIrp(victim->irp);
}

/* --------------------------------------------------------------------------------------------- IRPs */

VOID NTAPI IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
  memset(Irp, 0, PacketSize);
  Irp->Type = IO_TYPE_IRP;
  Irp->Size = PacketSize;
  Irp->StackCount = StackSize;
  Irp->CurrentLocation = (CHAR)(StackSize + 1);
  InitializeListHead(&Irp->ThreadListEntry);
  Irp->Tail.Overlay.CurrentStackLocation = (PIO_STACK_LOCATION)(Irp + 1) + StackSize;
}
KM_EXPORT(IoInitializeIrp);

PIRP NTAPI IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
  USHORT size = (USHORT)IoSizeOfIrp(StackSize);
  PIRP irp = (PIRP)km_alloc(size);
  (void)ChargeQuota;
  IoInitializeIrp(irp, size, StackSize);
  km_track_irp(irp, 0);
  return irp;
}
KM_EXPORT(IoAllocateIrp);

VOID NTAPI IoFreeIrp(PIRP Irp)
{
  km_irp_rec *rec = km_find_irp(Irp);
  if (rec == NULL) km_bugcheck("BAD_POOL_CALLER", 0xC2, "IoFreeIrp(%p): not an IRP from IoAllocateIrp", (void *)Irp);
  if (Irp->CancelRoutine != NULL) km_error("IoFreeIrp(%p): the IRP still has a cancel routine", (void *)Irp);
  km_untrack_irp(rec);
  km_free(Irp);
}
KM_EXPORT(IoFreeIrp);

VOID NTAPI IoReuseIrp(PIRP Irp, NTSTATUS Status)
{
  UCHAR allocation = Irp->AllocationFlags;
  km_irp_rec *rec = km_find_irp(Irp);
  IoInitializeIrp(Irp, Irp->Size, Irp->StackCount);
  Irp->AllocationFlags = allocation;
  Irp->IoStatus.Status = Status;
  if (rec != NULL) rec->sent = rec->completed = 0;
}
KM_EXPORT(IoReuseIrp);

NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  PIO_STACK_LOCATION stack;
  PDRIVER_DISPATCH dispatch;
  km_irp_rec *rec = km_find_irp(Irp);
  NTSTATUS status;
  UCHAR major;
  KIRQL irql = km_irql();
  int cancel_lock = km_cancel_lock_mine();

  if (Irp->CurrentLocation <= 1)
    km_bugcheck("NO_MORE_IRP_STACK_LOCATIONS", 0x35, "IoCallDriver(%p, %p): the IRP has no stack location left",
                (void *)DeviceObject, (void *)Irp);
  Irp->CurrentLocation--;
  Irp->Tail.Overlay.CurrentStackLocation--;
  stack = Irp->Tail.Overlay.CurrentStackLocation;
  stack->DeviceObject = DeviceObject;
  if (rec != NULL && !rec->sent) {
    rec->sent = 1;
    rec->major = stack->MajorFunction;
  }
  major = stack->MajorFunction; /* the IRP may be completed and reused by the time the dispatch routine returns */
  dispatch = DeviceObject->DriverObject->MajorFunction[major];
  status = dispatch(DeviceObject, Irp);
  if (km_cancel_lock_mine() && !cancel_lock) {
    /* spincheck reports this (dispatch-exit-held); the model releases the lock so the run can go on. */
    km_note("a %s dispatch routine returned holding the cancel spin lock; the model releases it", km_major_name(major));
    km_cancel_lock_release(irql);
  } else if (km_irql() != irql) {
    km_report("unbalanced-lock", "the %s dispatch routine returned at IRQL %u (called at %u)", km_major_name(major), km_irql(), irql);
    km_set_irql(irql);
  }
  km_window("the return of the dispatch routine %s", (const void *)(ULONG_PTR)dispatch);
  return status;
}
KM_EXPORT(IofCallDriver);

/* The end of a threaded IRP (IoBuildSynchronousFsdRequest, IoBuildDeviceIoControlRequest), as the I/O manager's
   completion does: buffered output copied to the caller's buffer (unless the status is an error), the status
   block written, the event signalled. The model keeps the IRP's memory until the end of the run (km_reset_io):
   a window on another thread may have chosen it as its victim just before it completed. */
static void km_finish_threaded(PIRP Irp)
{
  if ((Irp->Flags & (IRP_BUFFERED_IO | IRP_INPUT_OPERATION)) == (IRP_BUFFERED_IO | IRP_INPUT_OPERATION) &&
      !NT_ERROR(Irp->IoStatus.Status) && Irp->UserBuffer != NULL && Irp->IoStatus.Information != 0)
    memcpy(Irp->UserBuffer, Irp->AssociatedIrp.SystemBuffer, Irp->IoStatus.Information);
  if (Irp->UserIosb != NULL) *Irp->UserIosb = Irp->IoStatus;
  if (Irp->UserEvent != NULL) KeSetEvent(Irp->UserEvent, 0, FALSE);
}

/* Completion, as IofCompleteRequest does: each stack location from the current one up gets its completion
   routine called (per SL_INVOKE_ON_*), STATUS_MORE_PROCESSING_REQUIRED stops the walk, and pending is
   propagated to the caller's location when no routine runs. */
static void km_complete(PIRP Irp, const void *caller);

VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
  (void)PriorityBoost;
  km_complete(Irp, KM_RETURN_ADDRESS());
}
KM_EXPORT(IofCompleteRequest);

/* caller: the driver's call site, named in the window after the completion. */
static void km_complete(PIRP Irp, const void *caller)
{
  km_irp_rec *rec = km_find_irp(Irp);
  PIO_STACK_LOCATION sp;

  if ((rec != NULL && rec->completed) || Irp->CurrentLocation > Irp->StackCount + 1 || Irp->Type != IO_TYPE_IRP)
    km_bugcheck("MULTIPLE_IRP_COMPLETE_REQUESTS", 0x44, "IoCompleteRequest(%p): the IRP was already completed", (void *)Irp);
  if (Irp->CancelRoutine != NULL)
    km_bugcheck("CANCEL_STATE_IN_COMPLETED_IRP", 0x48, "IoCompleteRequest(%p): the IRP still has its cancel routine %p",
                (void *)Irp, (void *)(ULONG_PTR)Irp->CancelRoutine);
  if (Irp->IoStatus.Status == STATUS_PENDING)
    km_error("IoCompleteRequest(%p) with IoStatus.Status == STATUS_PENDING", (void *)Irp);

  sp = IoGetCurrentIrpStackLocation(Irp);
  Irp->CurrentLocation++;
  Irp->Tail.Overlay.CurrentStackLocation++;
  for (;;) {
    NTSTATUS st = Irp->IoStatus.Status;
    Irp->PendingReturned = (BOOLEAN)((sp->Control & SL_PENDING_RETURNED) != 0);
    if ((NT_SUCCESS(st) && (sp->Control & SL_INVOKE_ON_SUCCESS)) || (!NT_SUCCESS(st) && (sp->Control & SL_INVOKE_ON_ERROR)) ||
        (Irp->Cancel && (sp->Control & SL_INVOKE_ON_CANCEL))) {
      PIO_COMPLETION_ROUTINE routine = sp->CompletionRoutine;
      PVOID context = sp->Context;
      PDEVICE_OBJECT device = Irp->CurrentLocation == Irp->StackCount + 1 ? NULL : IoGetCurrentIrpStackLocation(Irp)->DeviceObject;
      sp->MinorFunction = 0;
      sp->Flags = 0;
      sp->Control = 0;
      sp->CompletionRoutine = NULL;
      sp->Context = NULL;
      if (routine(device, Irp, context) == STATUS_MORE_PROCESSING_REQUIRED) return;
    } else {
      if (Irp->CurrentLocation <= Irp->StackCount && Irp->PendingReturned) IoMarkIrpPending(Irp);
      sp->Control = 0;
    }
    if (Irp->CurrentLocation > Irp->StackCount) break;
    Irp->CurrentLocation++;
    Irp->Tail.Overlay.CurrentStackLocation++;
    sp++;
  }
  if (rec != NULL) rec->completed = 1;
  if (rec != NULL && rec->threaded) km_finish_threaded(Irp);
  else {
    if (Irp->UserIosb != NULL) *Irp->UserIosb = Irp->IoStatus;
    if (Irp->UserEvent != NULL) KeSetEvent(Irp->UserEvent, 0, FALSE);
  }
  km_window("IoCompleteRequest called from %s", caller);
}

/* As the I/O manager does (io_cancel_locked): take the cancel spin lock, set Cancel, take the cancel routine;
   call it with the lock held and Irp->CancelIrql set (it must release the lock), or release the lock when
   there is none. The model then repairs what the routine left: the lock held, another IRQL. */
BOOLEAN NTAPI IoCancelIrp(PIRP Irp)
{
  KIRQL irql;
  PDRIVER_CANCEL routine;
  km_cancel_lock_acquire(&irql);
  routine = io_cancel_locked(Irp, irql);
  if (routine == NULL) {
    km_cancel_lock_release(irql);
    return FALSE;
  }
  if (km_cancel_lock_mine()) {
    km_note("the cancel routine %p returned holding the cancel spin lock; the model releases it", (void *)(ULONG_PTR)routine);
    km_cancel_lock_release(irql);
  } else if (km_irql() != irql) {
    km_report("unbalanced-lock", "the cancel routine %p returned at IRQL %u (IoCancelIrp was called at %u)", (void *)(ULONG_PTR)routine, km_irql(), irql);
    km_set_irql(irql);
  }
  return TRUE;
}
KM_EXPORT(IoCancelIrp);

/* ------------------------------------------------------------------------- requests drivers build */

/* A threaded IRP for Device with its next stack location set to Major: the I/O manager ends it at completion. */
static PIRP km_build_threaded(ULONG Major, PDEVICE_OBJECT DeviceObject, PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock)
{
  PIRP irp = IoAllocateIrp(DeviceObject->StackSize, FALSE);
  PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
  km_find_irp(irp)->threaded = 1;
  irp->RequestorMode = KernelMode;
  irp->UserEvent = Event;
  irp->UserIosb = IoStatusBlock;
  next->MajorFunction = (UCHAR)Major;
  return irp;
}

/* A system buffer of Length bytes for a threaded IRP (Data copied in), model memory like the IRP; Output: copied back
   to UserBuffer at completion (IRP_INPUT_OPERATION). */
static void km_threaded_buffer(PIRP Irp, ULONG Length, const void *Data, ULONG DataLength, int Output)
{
  km_irp_rec *rec = km_find_irp(Irp);
  rec->buffer = km_alloc(Length != 0 ? Length : 1);
  if (Data != NULL && DataLength != 0) memcpy(rec->buffer, Data, DataLength);
  Irp->AssociatedIrp.SystemBuffer = rec->buffer;
  Irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (Output ? IRP_INPUT_OPERATION : 0);
}

/* IRP_MJ_(INTERNAL_)DEVICE_CONTROL, buffers per the code's method: METHOD_BUFFERED, one system buffer of the
   larger length (input copied in, output copied back to OutputBuffer); METHOD_NEITHER, Type3InputBuffer and
   UserBuffer are the caller's. The direct methods need MDLs, which the model does not implement. */
PIRP NTAPI IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject, PVOID InputBuffer,
                                         ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength,
                                         BOOLEAN InternalDeviceIoControl, PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock)
{
  PIRP irp;
  PIO_STACK_LOCATION next;
  if (METHOD_FROM_CTL_CODE(IoControlCode) == METHOD_IN_DIRECT || METHOD_FROM_CTL_CODE(IoControlCode) == METHOD_OUT_DIRECT)
    km_not_modelled("IoBuildDeviceIoControlRequest with METHOD_IN_DIRECT or METHOD_OUT_DIRECT (MDLs)");
  irp = km_build_threaded(InternalDeviceIoControl ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL, DeviceObject,
                          Event, IoStatusBlock);
  next = IoGetNextIrpStackLocation(irp);
  next->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
  next->Parameters.DeviceIoControl.InputBufferLength = InputBufferLength;
  next->Parameters.DeviceIoControl.OutputBufferLength = OutputBufferLength;
  if (METHOD_FROM_CTL_CODE(IoControlCode) == METHOD_BUFFERED) {
    if (InputBufferLength != 0 || OutputBufferLength != 0)
      km_threaded_buffer(irp, InputBufferLength > OutputBufferLength ? InputBufferLength : OutputBufferLength,
                         InputBuffer, InputBufferLength, OutputBufferLength != 0);
  } else {
    next->Parameters.DeviceIoControl.Type3InputBuffer = InputBuffer;
  }
  irp->UserBuffer = OutputBuffer;
  return irp;
}
KM_EXPORT(IoBuildDeviceIoControlRequest);

/* IRP_MJ_READ/WRITE (buffers per the device: DO_BUFFERED_IO, a system buffer; neither, the caller's buffer),
   IRP_MJ_FLUSH_BUFFERS, IRP_MJ_SHUTDOWN, IRP_MJ_PNP (the caller sets the minor function and parameters). */
PIRP NTAPI IoBuildSynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer, ULONG Length,
                                        PLARGE_INTEGER StartingOffset, PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock)
{
  PIRP irp;
  PIO_STACK_LOCATION next;
  if (MajorFunction != IRP_MJ_READ && MajorFunction != IRP_MJ_WRITE && MajorFunction != IRP_MJ_FLUSH_BUFFERS &&
      MajorFunction != IRP_MJ_SHUTDOWN && MajorFunction != IRP_MJ_PNP)
    km_error("IoBuildSynchronousFsdRequest(%lu): not a major function it builds", (unsigned long)MajorFunction);
  irp = km_build_threaded(MajorFunction, DeviceObject, Event, IoStatusBlock);
  if (MajorFunction != IRP_MJ_READ && MajorFunction != IRP_MJ_WRITE) return irp;
  if (DeviceObject->Flags & DO_DIRECT_IO) km_not_modelled("IoBuildSynchronousFsdRequest on a DO_DIRECT_IO device (MDLs)");
  next = IoGetNextIrpStackLocation(irp);
  next->Parameters.Read.Length = Length;
  if (StartingOffset != NULL) next->Parameters.Read.ByteOffset = *StartingOffset;
  if (DeviceObject->Flags & DO_BUFFERED_IO)
    km_threaded_buffer(irp, Length, MajorFunction == IRP_MJ_WRITE ? Buffer : NULL, Length, MajorFunction == IRP_MJ_READ);
  irp->UserBuffer = Buffer;
  return irp;
}
KM_EXPORT(IoBuildSynchronousFsdRequest);

/* ------------------------------------------------------------------- PnP and device interfaces */

/* Stacks whose bus relations a driver invalidated, children started, interfaces registered. */
#define KM_MAX_PNP 16
static PDEVICE_OBJECT km_invalidated[KM_MAX_PNP];
static ULONG km_ninvalidated;
static PDEVICE_OBJECT km_children[KM_MAX_PNP];
static ULONG km_nchildren;
typedef struct km_interface {
  struct km_interface *next;
  PDEVICE_OBJECT device;
  GUID guid;
  WCHAR link[96];       /* \??\KMODEL#<n>#{guid}[\reference] */
  int enabled;
} km_interface;
static km_interface *km_interfaces;
static ULONG km_ninterfaces;

/* Forgets a deleted device in the PnP records. */
static void km_pnp_forget(PDEVICE_OBJECT Device)
{
  km_interface **p = &km_interfaces;
  ULONG i;
  for (i = 0; i < km_ninvalidated; i++) if (km_invalidated[i] == Device) km_invalidated[i] = NULL;
  for (i = 0; i < km_nchildren; i++) if (km_children[i] == Device) km_children[i] = NULL;
  while (*p != NULL) {
    km_interface *r = *p;
    if (r->device == Device) {
      *p = r->next;
      km_free(r);
    } else {
      p = &r->next;
    }
  }
}

/* The PnP manager queries the relations later (KmStartDevice, KmProcessRelations); only bus relations are
   acted on. */
VOID NTAPI IoInvalidateDeviceRelations(PDEVICE_OBJECT DeviceObject, DEVICE_RELATION_TYPE Type)
{
  ULONG i;
  if (Type != BusRelations) return;
  for (i = 0; i < km_ninvalidated; i++) if (km_invalidated[i] == DeviceObject) return;
  if (km_ninvalidated == KM_MAX_PNP) km_not_modelled("IoInvalidateDeviceRelations on more than 16 device stacks");
  km_invalidated[km_ninvalidated++] = DeviceObject;
}
KM_EXPORT(IoInvalidateDeviceRelations);

static PDEVICE_OBJECT km_top(PDEVICE_OBJECT Device)
{
  while (Device->AttachedDevice != NULL) Device = Device->AttachedDevice;
  return Device;
}

NTSTATUS KmPnp(PDEVICE_OBJECT Device, UCHAR Minor, ULONG_PTR *Information)
{
  IO_STATUS_BLOCK iosb;
  KEVENT event;
  PDEVICE_OBJECT top = km_top(Device);
  PIRP irp;
  PIO_STACK_LOCATION next;
  KIRQL irql = km_irql();
  km_set_irql(PASSIVE_LEVEL);
  KeInitializeEvent(&event, NotificationEvent, FALSE);
  irp = IoBuildSynchronousFsdRequest(IRP_MJ_PNP, top, NULL, 0, NULL, &event, &iosb);
  next = IoGetNextIrpStackLocation(irp);
  next->MinorFunction = Minor;
  if (Minor == IRP_MN_QUERY_DEVICE_RELATIONS) next->Parameters.QueryDeviceRelations.Type = BusRelations;
  irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
  if (IofCallDriver(top, irp) == STATUS_PENDING) KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
  km_set_irql(irql);
  if (Information != NULL) *Information = iosb.Information;
  return iosb.Status;
}

ULONG KmProcessRelations(void)
{
  ULONG started = 0;
  while (km_ninvalidated > 0) {
    PDEVICE_OBJECT parent = km_invalidated[--km_ninvalidated];
    ULONG_PTR info = 0;
    PDEVICE_RELATIONS rel;
    ULONG i, j;
    if (parent == NULL || !NT_SUCCESS(KmPnp(parent, IRP_MN_QUERY_DEVICE_RELATIONS, &info)) || info == 0) continue;
    rel = (PDEVICE_RELATIONS)info;
    for (i = 0; i < rel->Count; i++) {
      PDEVICE_OBJECT child = rel->Objects[i];
      for (j = 0; j < km_nchildren && km_children[j] != child; j++) {}
      if (j < km_nchildren) continue;
      if (km_nchildren == KM_MAX_PNP) km_not_modelled("more than 16 child devices");
      km_children[km_nchildren++] = child;
      /* A new child: no function driver is loaded for it (AddDevice is not called), it is started raw. */
      if (!NT_SUCCESS(KmPnp(child, IRP_MN_START_DEVICE, NULL))) km_note("IRP_MN_START_DEVICE of child %p failed", (void *)child);
      started++;
    }
    ExFreePool(rel);
  }
  return started;
}

NTSTATUS KmAddDevice(PDRIVER_OBJECT Driver, PDEVICE_OBJECT Pdo)
{
  NTSTATUS status;
  if (Driver->DriverExtension->AddDevice == NULL) return STATUS_NOT_SUPPORTED;
  km_set_irql(PASSIVE_LEVEL);
  status = Driver->DriverExtension->AddDevice(Driver, Pdo);
  if (km_irql() != PASSIVE_LEVEL || km_locks_held() != 0) {
    km_report("unbalanced-lock", "AddDevice returned at IRQL %u holding %d spin lock(s)", km_irql(), km_locks_held());
    km_set_irql(PASSIVE_LEVEL);
  }
  return status;
}

NTSTATUS KmStartDevice(PDEVICE_OBJECT Pdo)
{
  NTSTATUS status = KmPnp(Pdo, IRP_MN_START_DEVICE, NULL);
  if (NT_SUCCESS(status)) KmProcessRelations();
  return status;
}

static void km_guid_text(const GUID *g, WCHAR *out, size_t size)
{
  char text[40];
  size_t i;
  snprintf(text, sizeof text, "{%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", (unsigned long)g->Data1, g->Data2, g->Data3,
           g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
  for (i = 0; i + 1 < size && text[i] != 0; i++) out[i] = (WCHAR)text[i];
  out[i] = 0;
}

/* The interface's symbolic link, \??\KMODEL#<n>#{guid}, in a string from the pool (the caller frees it with
   RtlFreeUnicodeString); registering it again gives the same link. */
NTSTATUS NTAPI IoRegisterDeviceInterface(PDEVICE_OBJECT PhysicalDeviceObject, const GUID *InterfaceClassGuid,
                                         PUNICODE_STRING ReferenceString, PUNICODE_STRING SymbolicLinkName)
{
  km_interface *r, **tail;
  WCHAR guid[40];
  SIZE_T n = 0, i;
  for (r = km_interfaces; r != NULL; r = r->next)
    if (r->device == PhysicalDeviceObject && memcmp(&r->guid, InterfaceClassGuid, sizeof(GUID)) == 0) break;
  if (r == NULL) {
    r = (km_interface *)km_alloc(sizeof *r);
    r->device = PhysicalDeviceObject;
    r->guid = *InterfaceClassGuid;
    km_guid_text(InterfaceClassGuid, guid, 40);
    _snwprintf(r->link, 80, L"\\??\\KMODEL#%04lu#%ls", (unsigned long)++km_ninterfaces, guid);
    if (ReferenceString != NULL && ReferenceString->Length != 0) {
      for (n = 0; r->link[n] != 0; n++) {}
      r->link[n++] = L'\\';
      for (i = 0; i < ReferenceString->Length / sizeof(WCHAR) && n + 1 < 96; i++) r->link[n++] = ReferenceString->Buffer[i];
      r->link[n] = 0;
    }
    for (tail = &km_interfaces; *tail != NULL; tail = &(*tail)->next) {}
    *tail = r; /* registration order: KmFindInterface's index */
  }
  for (n = 0; r->link[n] != 0; n++) {}
  SymbolicLinkName->Buffer = (PWSTR)ExAllocatePoolWithTag(PagedPool, (n + 1) * sizeof(WCHAR), 0x66496D4BUL /* 'KmIf' */);
  memcpy(SymbolicLinkName->Buffer, r->link, (n + 1) * sizeof(WCHAR));
  SymbolicLinkName->Length = (USHORT)(n * sizeof(WCHAR));
  SymbolicLinkName->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
  return STATUS_SUCCESS;
}
KM_EXPORT(IoRegisterDeviceInterface);

NTSTATUS NTAPI IoSetDeviceInterfaceState(PUNICODE_STRING SymbolicLinkName, BOOLEAN Enable)
{
  km_interface *r;
  UNICODE_STRING link;
  for (r = km_interfaces; r != NULL; r = r->next) {
    RtlInitUnicodeString(&link, r->link);
    if (RtlEqualUnicodeString(&link, SymbolicLinkName, TRUE)) break;
  }
  if (r == NULL) return STATUS_OBJECT_NAME_NOT_FOUND;
  r->enabled = Enable != FALSE;
  return STATUS_SUCCESS;
}
KM_EXPORT(IoSetDeviceInterfaceState);

PDEVICE_OBJECT KmFindInterface(const GUID *InterfaceClass, ULONG Index)
{
  km_interface *r;
  for (r = km_interfaces; r != NULL; r = r->next) {
    if (r->enabled && memcmp(&r->guid, InterfaceClass, sizeof(GUID)) == 0 && Index-- == 0) return r->device;
  }
  return NULL;
}

/* -------------------------------------------------------------------------------- drivers, devices */

typedef struct km_device {
  struct km_device *next;
  PDEVICE_OBJECT device;
  UNICODE_STRING name;
  ULONG seq;            /* the run's n-th IoCreateDevice: how an arrival finds the device again */
} km_device;

static km_device *km_devices;   /* newest first */
static ULONG km_device_seq;

static NTSTATUS NTAPI km_invalid_request(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  (void)DeviceObject;
  Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
  Irp->IoStatus.Information = 0;
  IofCompleteRequest(Irp, IO_NO_INCREMENT);
  return STATUS_INVALID_DEVICE_REQUEST;
}

static void km_copy_name(PUNICODE_STRING dst, PCWSTR prefix, PCWSTR name)
{
  SIZE_T a = 0, b = 0;
  while (prefix[a] != 0) a++;
  while (name != NULL && name[b] != 0) b++;
  dst->Buffer = (PWSTR)km_alloc((a + b + 1) * sizeof(WCHAR));
  memcpy(dst->Buffer, prefix, a * sizeof(WCHAR));
  if (b != 0) memcpy(dst->Buffer + a, name, b * sizeof(WCHAR));
  dst->Length = (USHORT)((a + b) * sizeof(WCHAR));
  dst->MaximumLength = (USHORT)(dst->Length + sizeof(WCHAR));
}

PDRIVER_OBJECT KmLoadDriver(KM_DRIVER_ENTRY DriverEntry, PCWSTR Name, NTSTATUS *Status)
{
  PDRIVER_OBJECT drv = (PDRIVER_OBJECT)km_alloc(sizeof(DRIVER_OBJECT) + sizeof(DRIVER_EXTENSION));
  UNICODE_STRING registry;
  PDEVICE_OBJECT dev;
  NTSTATUS status;
  int i;

  km_install_trap_handler();
  drv->Type = 4; /* IO_TYPE_DRIVER */
  drv->Size = sizeof(DRIVER_OBJECT);
  drv->DriverExtension = (PDRIVER_EXTENSION)(drv + 1);
  drv->DriverExtension->DriverObject = drv;
  km_copy_name(&drv->DriverName, L"\\Driver\\", Name);
  km_copy_name(&registry, L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\", Name);
  drv->DriverExtension->ServiceKeyName = drv->DriverName;
  for (i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) drv->MajorFunction[i] = km_invalid_request;

  km_set_irql(PASSIVE_LEVEL);
  status = DriverEntry(drv, &registry);
  km_free(registry.Buffer);
  if (km_irql() != PASSIVE_LEVEL || km_locks_held() != 0) {
    km_report("unbalanced-lock", "DriverEntry returned at IRQL %u holding %d spin lock(s)", km_irql(), km_locks_held());
    km_set_irql(PASSIVE_LEVEL);
  }
  if (Status != NULL) *Status = status;
  if (!NT_SUCCESS(status)) {
    km_note("DriverEntry failed with 0x%08lX", (unsigned long)status);
    while (drv->DeviceObject != NULL) IoDeleteDevice(drv->DeviceObject);
    km_free(drv->DriverName.Buffer);
    km_free(drv);
    return NULL;
  }
  /* The I/O manager clears DO_DEVICE_INITIALIZING for devices created in DriverEntry. */
  for (dev = drv->DeviceObject; dev != NULL; dev = dev->NextDevice) dev->Flags &= ~DO_DEVICE_INITIALIZING;
  return drv;
}

void KmUnloadDriver(PDRIVER_OBJECT DriverObject)
{
  if (DriverObject == NULL) return;
  if (DriverObject->DriverUnload != NULL) DriverObject->DriverUnload(DriverObject);
  while (DriverObject->DeviceObject != NULL) {
    if (DriverObject->DriverUnload != NULL) km_error("DriverUnload left a device object (%p)", (void *)DriverObject->DeviceObject);
    IoDeleteDevice(DriverObject->DeviceObject);
  }
  km_free(DriverObject->DriverName.Buffer);
  km_free(DriverObject);
}

NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                              DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PDEVICE_OBJECT *DeviceObject)
{
  SIZE_T base = (sizeof(DEVICE_OBJECT) + sizeof(DEVOBJ_EXTENSION) + 15) & ~(SIZE_T)15;
  PDEVICE_OBJECT dev;
  km_device *rec, *r;

  *DeviceObject = NULL;
  if (DeviceName != NULL) {
    km_lock_model();
    for (r = km_devices; r != NULL; r = r->next) {
      if (r->name.Buffer != NULL && RtlEqualUnicodeString(&r->name, DeviceName, TRUE)) break;
    }
    km_unlock_model();
    if (r != NULL) return STATUS_OBJECT_NAME_COLLISION;
  }
  dev = (PDEVICE_OBJECT)km_alloc(base + DeviceExtensionSize);
  dev->Type = IO_TYPE_DEVICE;
  dev->Size = (USHORT)(sizeof(DEVICE_OBJECT) + DeviceExtensionSize);
  dev->ReferenceCount = 1;
  dev->DriverObject = DriverObject;
  dev->NextDevice = DriverObject->DeviceObject;
  DriverObject->DeviceObject = dev;
  dev->DeviceExtension = DeviceExtensionSize != 0 ? (PVOID)((char *)dev + base) : NULL;
  dev->DeviceObjectExtension = (PDEVOBJ_EXTENSION)(dev + 1);
  dev->DeviceObjectExtension->DeviceObject = dev;
  dev->DeviceType = DeviceType;
  dev->Characteristics = DeviceCharacteristics;
  dev->StackSize = 1;
  dev->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0);
  KeInitializeDeviceQueue(&dev->DeviceQueue);
  KeInitializeEvent(&dev->DeviceLock, SynchronizationEvent, TRUE);

  rec = (km_device *)km_alloc(sizeof *rec);
  rec->device = dev;
  rec->seq = ++km_device_seq;
  if (DeviceName != NULL && DeviceName->Length != 0) {
    rec->name.Buffer = (PWSTR)km_alloc(DeviceName->Length + sizeof(WCHAR));
    memcpy(rec->name.Buffer, DeviceName->Buffer, DeviceName->Length);
    rec->name.Length = DeviceName->Length;
    rec->name.MaximumLength = (USHORT)(DeviceName->Length + sizeof(WCHAR));
  }
  km_lock_model();
  rec->next = km_devices;
  km_devices = rec;
  km_unlock_model();
  *DeviceObject = dev;
  return STATUS_SUCCESS;
}
KM_EXPORT(IoCreateDevice);

VOID NTAPI IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
  PDEVICE_OBJECT *p;
  km_device **r, *rec = NULL;
  for (p = &DeviceObject->DriverObject->DeviceObject; *p != NULL; p = &(*p)->NextDevice) {
    if (*p == DeviceObject) {
      *p = DeviceObject->NextDevice;
      break;
    }
  }
  km_lock_model();
  for (r = &km_devices; *r != NULL; r = &(*r)->next) {
    if ((*r)->device == DeviceObject) {
      rec = *r;
      *r = rec->next;
      break;
    }
  }
  km_unlock_model();
  if (rec == NULL) km_bugcheck("INVALID_DEVICE_OBJECT", 0, "IoDeleteDevice(%p): not a device object", (void *)DeviceObject);
  km_pnp_forget(DeviceObject);
  if (DeviceObject->DeviceQueue.Busy && !IsListEmpty(&DeviceObject->DeviceQueue.DeviceListHead))
    km_error("IoDeleteDevice(%p): IRPs are still queued on the device queue", (void *)DeviceObject);
  if (rec->name.Buffer != NULL) km_free(rec->name.Buffer);
  km_free(rec);
  km_free(DeviceObject);
}
KM_EXPORT(IoDeleteDevice);

PDEVICE_OBJECT KmFindDevice(PCWSTR Name)
{
  UNICODE_STRING name;
  km_device *r;
  RtlInitUnicodeString(&name, Name);
  km_lock_model();
  for (r = km_devices; r != NULL; r = r->next) {
    if (r->name.Buffer != NULL && RtlEqualUnicodeString(&r->name, &name, TRUE)) break;
  }
  km_unlock_model();
  return r != NULL ? r->device : NULL;
}

NTSTATUS NTAPI IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
  (void)SymbolicLinkName;
  (void)DeviceName;
  return STATUS_SUCCESS;
}
KM_EXPORT(IoCreateSymbolicLink);

NTSTATUS NTAPI IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
  (void)SymbolicLinkName;
  return STATUS_SUCCESS;
}
KM_EXPORT(IoDeleteSymbolicLink);

PDEVICE_OBJECT NTAPI IoAttachDeviceToDeviceStack(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice)
{
  PDEVICE_OBJECT top = TargetDevice;
  while (top->AttachedDevice != NULL) top = top->AttachedDevice;
  top->AttachedDevice = SourceDevice;
  SourceDevice->StackSize = (CCHAR)(top->StackSize + 1);
  SourceDevice->AlignmentRequirement = top->AlignmentRequirement;
  return top;
}
KM_EXPORT(IoAttachDeviceToDeviceStack);

VOID NTAPI IoDetachDevice(PDEVICE_OBJECT TargetDevice) { TargetDevice->AttachedDevice = NULL; }
KM_EXPORT(IoDetachDevice);

LONG_PTR FASTCALL ObfReferenceObject(PVOID Object)
{
  (void)Object;
  return 1;
}
KM_EXPORT(ObfReferenceObject);

LONG_PTR FASTCALL ObfDereferenceObject(PVOID Object)
{
  (void)Object;
  return 0;
}
KM_EXPORT(ObfDereferenceObject);

/* --------------------------------------------------------------------------------- device queues */

static void km_at_dispatch(const char *api)
{
  if (km_irql() != DISPATCH_LEVEL) km_error("%s at IRQL %u: the caller must be at DISPATCH_LEVEL", api, km_irql());
}

VOID NTAPI KeInitializeDeviceQueue(PKDEVICE_QUEUE DeviceQueue)
{
  DeviceQueue->Type = 20; /* DeviceQueueObject */
  DeviceQueue->Size = sizeof(KDEVICE_QUEUE);
  InitializeListHead(&DeviceQueue->DeviceListHead);
  DeviceQueue->Lock = 0;
  DeviceQueue->Busy = FALSE;
}
KM_EXPORT(KeInitializeDeviceQueue);

/* Not busy: becomes busy, nothing is queued (FALSE: the caller starts the request). Busy: queued, TRUE. */
static BOOLEAN km_insert_device_queue(PKDEVICE_QUEUE q, PKDEVICE_QUEUE_ENTRY e, int by_key, ULONG key, const char *api)
{
  BOOLEAN inserted = FALSE;
  km_at_dispatch(api);
  km_spin_acquire(&q->Lock, api);
  e->SortKey = key;
  if (!q->Busy) {
    q->Busy = TRUE;
  } else {
    PLIST_ENTRY at = &q->DeviceListHead;
    if (by_key) {
      /* Before the first entry with a greater key. */
      PLIST_ENTRY i;
      for (i = q->DeviceListHead.Flink; i != &q->DeviceListHead; i = i->Flink) {
        if (CONTAINING_RECORD(i, KDEVICE_QUEUE_ENTRY, DeviceListEntry)->SortKey > key) break;
      }
      at = i;
    }
    InsertTailList(at, &e->DeviceListEntry);
    inserted = TRUE;
  }
  e->Inserted = inserted;
  km_spin_release(&q->Lock, api);
  return inserted;
}

BOOLEAN NTAPI KeInsertDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry)
{
  return km_insert_device_queue(DeviceQueue, DeviceQueueEntry, 0, 0, "KeInsertDeviceQueue");
}
KM_EXPORT(KeInsertDeviceQueue);

BOOLEAN NTAPI KeInsertByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry, ULONG SortKey)
{
  return km_insert_device_queue(DeviceQueue, DeviceQueueEntry, 1, SortKey, "KeInsertByKeyDeviceQueue");
}
KM_EXPORT(KeInsertByKeyDeviceQueue);

/* Empty: the queue is no longer busy, NULL. Otherwise the head (by key: the first with SortKey >= key,
   else the head), removed. */
static PKDEVICE_QUEUE_ENTRY km_remove_device_queue(PKDEVICE_QUEUE q, int by_key, ULONG key, const char *api)
{
  PKDEVICE_QUEUE_ENTRY e = NULL;
  km_at_dispatch(api);
  km_spin_acquire(&q->Lock, api);
  if (!q->Busy) km_error("%s(%p): the device queue is not busy", api, (void *)q);
  if (IsListEmpty(&q->DeviceListHead)) {
    q->Busy = FALSE;
  } else {
    PLIST_ENTRY i = q->DeviceListHead.Flink;
    if (by_key) {
      for (; i != &q->DeviceListHead; i = i->Flink) {
        if (CONTAINING_RECORD(i, KDEVICE_QUEUE_ENTRY, DeviceListEntry)->SortKey >= key) break;
      }
      if (i == &q->DeviceListHead) i = q->DeviceListHead.Flink;
    }
    RemoveEntryList(i);
    e = CONTAINING_RECORD(i, KDEVICE_QUEUE_ENTRY, DeviceListEntry);
    e->Inserted = FALSE;
  }
  km_spin_release(&q->Lock, api);
  return e;
}

PKDEVICE_QUEUE_ENTRY NTAPI KeRemoveDeviceQueue(PKDEVICE_QUEUE DeviceQueue)
{
  return km_remove_device_queue(DeviceQueue, 0, 0, "KeRemoveDeviceQueue");
}
KM_EXPORT(KeRemoveDeviceQueue);

PKDEVICE_QUEUE_ENTRY NTAPI KeRemoveByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, ULONG SortKey)
{
  return km_remove_device_queue(DeviceQueue, 1, SortKey, "KeRemoveByKeyDeviceQueue");
}
KM_EXPORT(KeRemoveByKeyDeviceQueue);

BOOLEAN NTAPI KeRemoveEntryDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry)
{
  BOOLEAN was;
  KIRQL old = km_irql();
  /* Callable at or below DISPATCH_LEVEL: it raises itself. */
  if (old < DISPATCH_LEVEL) km_set_irql(DISPATCH_LEVEL);
  km_spin_acquire(&DeviceQueue->Lock, "KeRemoveEntryDeviceQueue");
  was = DeviceQueueEntry->Inserted;
  if (was) {
    DeviceQueueEntry->Inserted = FALSE;
    RemoveEntryList(&DeviceQueueEntry->DeviceListEntry);
  }
  km_spin_release(&DeviceQueue->Lock, "KeRemoveEntryDeviceQueue");
  km_set_irql(old);
  return was;
}
KM_EXPORT(KeRemoveEntryDeviceQueue);

/* IoStartPacket: at DISPATCH_LEVEL, with the cancel spin lock held while the IRP is queued and its cancel
   routine set; an idle device gets the IRP as CurrentIrp and StartIo runs at once (lock released first);
   an IRP cancelled before it was queued has its cancel routine called (lock held). */
VOID NTAPI IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, PULONG Key, PDRIVER_CANCEL CancelFunction)
{
  KIRQL old, cancel_irql = DISPATCH_LEVEL;
  BOOLEAN queued;
  km_window("IoStartPacket called from %s", KM_RETURN_ADDRESS());
  old = km_irql();
  if (old < DISPATCH_LEVEL) km_set_irql(DISPATCH_LEVEL);
  if (CancelFunction != NULL) {
    km_cancel_lock_acquire(&cancel_irql);
    IoSetCancelRoutine(Irp, CancelFunction);
  }
  queued = Key != NULL ? KeInsertByKeyDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry, *Key)
                       : KeInsertDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry);
  if (!queued) {
    DeviceObject->CurrentIrp = Irp;
    if (CancelFunction != NULL) km_cancel_lock_release(cancel_irql);
    km_window("inside IoStartPacket, before StartIo", NULL);
    DeviceObject->DriverObject->DriverStartIo(DeviceObject, Irp);
  } else if (CancelFunction != NULL) {
    if (io_take_if_cancelled(Irp) != NULL) {
      Irp->CancelIrql = cancel_irql;
      CancelFunction(DeviceObject, Irp);
      if (km_cancel_lock_mine()) km_cancel_lock_release(cancel_irql);
    } else {
      km_cancel_lock_release(cancel_irql);
    }
  }
  km_set_irql(old);
  km_window("the return of IoStartPacket to %s", KM_RETURN_ADDRESS());
}
KM_EXPORT(IoStartPacket);

static void km_start_next(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable, int by_key, ULONG key)
{
  KIRQL old = km_irql(), cancel_irql = DISPATCH_LEVEL;
  PKDEVICE_QUEUE_ENTRY e;
  if (old < DISPATCH_LEVEL) km_set_irql(DISPATCH_LEVEL);
  if (Cancelable) km_cancel_lock_acquire(&cancel_irql);
  DeviceObject->CurrentIrp = NULL;
  e = km_remove_device_queue(&DeviceObject->DeviceQueue, by_key, key, by_key ? "IoStartNextPacketByKey" : "IoStartNextPacket");
  if (e != NULL) {
    PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.DeviceQueueEntry);
    DeviceObject->CurrentIrp = irp;
    if (Cancelable) km_cancel_lock_release(cancel_irql);
    km_window("inside IoStartNextPacket, before StartIo", NULL);
    DeviceObject->DriverObject->DriverStartIo(DeviceObject, irp);
  } else if (Cancelable) {
    km_cancel_lock_release(cancel_irql);
  }
  km_set_irql(old);
}

VOID NTAPI IoStartNextPacket(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable)
{
  km_window("IoStartNextPacket called from %s", KM_RETURN_ADDRESS());
  km_start_next(DeviceObject, Cancelable, 0, 0);
}
KM_EXPORT(IoStartNextPacket);

VOID NTAPI IoStartNextPacketByKey(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable, ULONG Key)
{
  km_window("IoStartNextPacketByKey called from %s", KM_RETURN_ADDRESS());
  km_start_next(DeviceObject, Cancelable, 1, Key);
}
KM_EXPORT(IoStartNextPacketByKey);

/* ----------------------------------------------------------------------------- cancel-safe queues */

/* The cancel routine IoCsqInsertIrp sets: releases the cancel lock, takes the IRP out under the queue's lock
   and hands it to CsqCompleteCanceledIrp. */
static VOID NTAPI km_csq_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  PIO_CSQ csq = (PIO_CSQ)Irp->Tail.Overlay.DriverContext[3];
  KIRQL irql;
  (void)DeviceObject;
  km_cancel_lock_release(Irp->CancelIrql);
  if (csq->Type == IO_TYPE_CSQ_IRP_CONTEXT) {
    PIO_CSQ_IRP_CONTEXT context = (PIO_CSQ_IRP_CONTEXT)csq;
    csq = context->Csq;
    context->Irp = NULL;
  }
  csq->CsqAcquireLock(csq, &irql);
  csq->CsqRemoveIrp(csq, Irp);
  csq->CsqReleaseLock(csq, irql);
  csq->CsqCompleteCanceledIrp(csq, Irp);
}

NTSTATUS NTAPI IoCsqInitialize(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP CsqInsertIrp, PIO_CSQ_REMOVE_IRP CsqRemoveIrp,
                               PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp, PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                               PIO_CSQ_RELEASE_LOCK CsqReleaseLock, PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp)
{
  Csq->Type = IO_TYPE_CSQ;
  Csq->CsqInsertIrp = CsqInsertIrp;
  Csq->CsqRemoveIrp = CsqRemoveIrp;
  Csq->CsqPeekNextIrp = CsqPeekNextIrp;
  Csq->CsqAcquireLock = CsqAcquireLock;
  Csq->CsqReleaseLock = CsqReleaseLock;
  Csq->CsqCompleteCanceledIrp = CsqCompleteCanceledIrp;
  Csq->ReservePointer = NULL;
  return STATUS_SUCCESS;
}
KM_EXPORT(IoCsqInitialize);

NTSTATUS NTAPI IoCsqInitializeEx(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP_EX CsqInsertIrp, PIO_CSQ_REMOVE_IRP CsqRemoveIrp,
                                 PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp, PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                                 PIO_CSQ_RELEASE_LOCK CsqReleaseLock, PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp)
{
  IoCsqInitialize(Csq, (PIO_CSQ_INSERT_IRP)(ULONG_PTR)CsqInsertIrp, CsqRemoveIrp, CsqPeekNextIrp, CsqAcquireLock,
                  CsqReleaseLock, CsqCompleteCanceledIrp);
  Csq->Type = IO_TYPE_CSQ_EX;
  return STATUS_SUCCESS;
}
KM_EXPORT(IoCsqInitializeEx);

NTSTATUS NTAPI IoCsqInsertIrpEx(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context, PVOID InsertContext)
{
  NTSTATUS status = STATUS_SUCCESS;
  KIRQL irql;
  km_window("IoCsqInsertIrp called from %s", KM_RETURN_ADDRESS());
  Csq->CsqAcquireLock(Csq, &irql);
  if (Context != NULL) {
    Context->Type = IO_TYPE_CSQ_IRP_CONTEXT;
    Context->Irp = Irp;
    Context->Csq = Csq;
    Irp->Tail.Overlay.DriverContext[3] = Context;
  } else {
    Irp->Tail.Overlay.DriverContext[3] = Csq;
  }
  if (Csq->Type == IO_TYPE_CSQ_EX) {
    status = ((PIO_CSQ_INSERT_IRP_EX)(ULONG_PTR)Csq->CsqInsertIrp)(Csq, Irp, InsertContext);
  } else {
    Csq->CsqInsertIrp(Csq, Irp);
  }
  if (status == STATUS_SUCCESS) {
    IoMarkIrpPending(Irp);
    /* The cancel routine goes on after the IRP is in the queue; a cancel that came first is honoured now. */
    IoSetCancelRoutine(Irp, km_csq_cancel);
    if (io_take_if_cancelled(Irp) != NULL) {
      Csq->CsqRemoveIrp(Csq, Irp);
      if (Context != NULL) Context->Irp = NULL;
      Csq->CsqReleaseLock(Csq, irql);
      Csq->CsqCompleteCanceledIrp(Csq, Irp);
      km_window("the return of IoCsqInsertIrp to %s", KM_RETURN_ADDRESS());
      return status;
    }
  }
  Csq->CsqReleaseLock(Csq, irql);
  km_window("the return of IoCsqInsertIrp to %s", KM_RETURN_ADDRESS());
  return status;
}
KM_EXPORT(IoCsqInsertIrpEx);

VOID NTAPI IoCsqInsertIrp(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context) { IoCsqInsertIrpEx(Csq, Irp, Context, NULL); }
KM_EXPORT(IoCsqInsertIrp);

PIRP NTAPI IoCsqRemoveIrp(PIO_CSQ Csq, PIO_CSQ_IRP_CONTEXT Context)
{
  PIRP irp = NULL;
  KIRQL irql;
  km_window("IoCsqRemoveIrp called from %s", KM_RETURN_ADDRESS());
  Csq->CsqAcquireLock(Csq, &irql);
  if (Context->Irp != NULL) {
    irp = Context->Irp;
    if (IoSetCancelRoutine(irp, NULL) != NULL) {
      Csq->CsqRemoveIrp(Csq, irp);
      Context->Irp = NULL;
      irp->Tail.Overlay.DriverContext[3] = NULL;
    } else {
      irp = NULL; /* being cancelled: the cancel routine completes it */
    }
  }
  Csq->CsqReleaseLock(Csq, irql);
  return irp;
}
KM_EXPORT(IoCsqRemoveIrp);

PIRP NTAPI IoCsqRemoveNextIrp(PIO_CSQ Csq, PVOID PeekContext)
{
  PIRP irp;
  KIRQL irql;
  km_window("IoCsqRemoveNextIrp called from %s", KM_RETURN_ADDRESS());
  Csq->CsqAcquireLock(Csq, &irql);
  irp = Csq->CsqPeekNextIrp(Csq, NULL, PeekContext);
  while (irp != NULL) {
    if (IoSetCancelRoutine(irp, NULL) == NULL) {
      irp = Csq->CsqPeekNextIrp(Csq, irp, PeekContext); /* being cancelled: skip it */
      continue;
    }
    Csq->CsqRemoveIrp(Csq, irp);
    if (irp->Tail.Overlay.DriverContext[3] != NULL &&
        ((PIO_CSQ)irp->Tail.Overlay.DriverContext[3])->Type == IO_TYPE_CSQ_IRP_CONTEXT)
      ((PIO_CSQ_IRP_CONTEXT)irp->Tail.Overlay.DriverContext[3])->Irp = NULL;
    irp->Tail.Overlay.DriverContext[3] = NULL;
    break;
  }
  Csq->CsqReleaseLock(Csq, irql);
  return irp;
}
KM_EXPORT(IoCsqRemoveNextIrp);

/* ------------------------------------------------------------------------------------- work items */

struct _IO_WORKITEM {
  LIST_ENTRY entry;
  PDEVICE_OBJECT device;
  PIO_WORKITEM_ROUTINE routine;
  PVOID context;
  int queued;
};

static LIST_ENTRY km_work = { &km_work, &km_work };

PIO_WORKITEM NTAPI IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
  PIO_WORKITEM w = (PIO_WORKITEM)km_alloc(sizeof *w);
  w->device = DeviceObject;
  return w;
}
KM_EXPORT(IoAllocateWorkItem);

VOID NTAPI IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
  if (IoWorkItem->queued) km_error("IoFreeWorkItem(%p): the work item is still queued", (void *)IoWorkItem);
  else km_free(IoWorkItem);
}
KM_EXPORT(IoFreeWorkItem);

VOID NTAPI IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType, PVOID Context)
{
  (void)QueueType;
  if (IoWorkItem->queued) km_bugcheck("MULTIPLE_IRP_COMPLETE_REQUESTS", 0xE4, "IoQueueWorkItem(%p): already queued", (void *)IoWorkItem);
  IoWorkItem->routine = WorkerRoutine;
  IoWorkItem->context = Context;
  IoWorkItem->queued = 1;
  km_lock_model();
  InsertTailList(&km_work, &IoWorkItem->entry);
  km_unlock_model();
}
KM_EXPORT(IoQueueWorkItem);

ULONG KmRunWorkItems(void)
{
  ULONG n = 0;
  for (;;) {
    PIO_WORKITEM w = NULL;
    km_lock_model();
    if (!IsListEmpty(&km_work)) w = CONTAINING_RECORD(RemoveHeadList(&km_work), struct _IO_WORKITEM, entry);
    km_unlock_model();
    if (w == NULL) return n;
    w->queued = 0;
    w->routine(w->device, w->context);
    if (km_irql() != PASSIVE_LEVEL) {
      km_report("unbalanced-lock", "the work item routine %p returned at IRQL %u", (void *)(ULONG_PTR)w->routine, km_irql());
      km_set_irql(PASSIVE_LEVEL);
    }
    n++;
    km_window("the return of the work item routine %s", (const void *)(ULONG_PTR)w->routine);
  }
}

/* ------------------------------------------------------------------------------------- the harness */

PFILE_OBJECT KmOpenFile(PDEVICE_OBJECT Device)
{
  PFILE_OBJECT f = (PFILE_OBJECT)km_alloc(sizeof(FILE_OBJECT));
  f->Type = 5; /* IO_TYPE_FILE */
  f->Size = sizeof(FILE_OBJECT);
  f->DeviceObject = Device;
  return f;
}

void KmCloseFile(PFILE_OBJECT FileObject) { km_free(FileObject); }

PIRP KmBuildIrp(PDEVICE_OBJECT Device, UCHAR Major, UCHAR Minor, PFILE_OBJECT FileObject)
{
  USHORT size = (USHORT)IoSizeOfIrp(Device->StackSize);
  PIRP irp = (PIRP)km_alloc(size);
  PIO_STACK_LOCATION next;
  IoInitializeIrp(irp, size, Device->StackSize);
  km_track_irp(irp, 1);
  irp->RequestorMode = UserMode;
  irp->Tail.Overlay.OriginalFileObject = FileObject;
  next = IoGetNextIrpStackLocation(irp);
  next->MajorFunction = Major;
  next->MinorFunction = Minor;
  next->FileObject = FileObject;
  return irp;
}

static PVOID km_system_buffer(PIRP irp, ULONG length, const void *data, ULONG data_length)
{
  km_irp_rec *rec = km_find_irp(irp);
  PVOID buffer = km_alloc(length != 0 ? length : 1);
  if (data != NULL && data_length != 0) memcpy(buffer, data, data_length);
  rec->buffer = buffer;
  irp->AssociatedIrp.SystemBuffer = buffer;
  irp->Flags |= IRP_BUFFERED_IO;
  return buffer;
}

PIRP KmBuildIoctl(PDEVICE_OBJECT Device, ULONG Code, const void *In, ULONG InLength, ULONG OutLength, PFILE_OBJECT FileObject)
{
  PIRP irp = KmBuildIrp(Device, IRP_MJ_DEVICE_CONTROL, 0, FileObject);
  PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
  PVOID buffer = km_system_buffer(irp, InLength > OutLength ? InLength : OutLength, In, InLength);
  next->Parameters.DeviceIoControl.IoControlCode = Code;
  next->Parameters.DeviceIoControl.InputBufferLength = InLength;
  next->Parameters.DeviceIoControl.OutputBufferLength = OutLength;
  if ((Code & 3) == METHOD_NEITHER) {
    next->Parameters.DeviceIoControl.Type3InputBuffer = (PVOID)(ULONG_PTR)In;
    irp->UserBuffer = buffer;
  }
  return irp;
}

PIRP KmBuildRead(PDEVICE_OBJECT Device, ULONG Length, PFILE_OBJECT FileObject)
{
  PIRP irp = KmBuildIrp(Device, IRP_MJ_READ, 0, FileObject);
  km_system_buffer(irp, Length, NULL, 0);
  IoGetNextIrpStackLocation(irp)->Parameters.Read.Length = Length;
  return irp;
}

PIRP KmBuildWrite(PDEVICE_OBJECT Device, const void *Data, ULONG Length, PFILE_OBJECT FileObject)
{
  PIRP irp = KmBuildIrp(Device, IRP_MJ_WRITE, 0, FileObject);
  km_system_buffer(irp, Length, Data, Length);
  IoGetNextIrpStackLocation(irp)->Parameters.Write.Length = Length;
  return irp;
}

/* Device as an arrival finds it again in another run: "#<n>", the run's n-th IoCreateDevice (a name would not
   do: unnamed devices, and names made of pointers, such as hidclass's \Device\HID#<driver>&<pdo>, differ
   between processes); "" for a device the model did not create. */
static void km_device_name(PDEVICE_OBJECT Device, char *out, size_t size)
{
  km_device *r;
  km_lock_model();
  for (r = km_devices; r != NULL && r->device != Device; r = r->next) {}
  if (r != NULL) snprintf(out, size, "#%lu", (unsigned long)r->seq);
  else out[0] = '\0';
  km_unlock_model();
}

static PDEVICE_OBJECT km_device_by_seq(const char *text)
{
  km_device *r;
  ULONG seq = text[0] == '#' ? (ULONG)strtoul(text + 1, NULL, 10) : 0;
  km_lock_model();
  for (r = km_devices; r != NULL && r->seq != seq; r = r->next) {}
  km_unlock_model();
  return r != NULL ? r->device : NULL;
}

/* Run 0 of an arrival campaign: each distinct kind of request the harness sends (device, major, minor, IOCTL
   code), with its parameters and the start of its input. */
static void km_record_kind(PDEVICE_OBJECT Device, PIRP Irp)
{
  PIO_STACK_LOCATION top = IoGetNextIrpStackLocation(Irp);
  km_kind k;
  ULONG i;
  memset(&k, 0, sizeof k);
  km_device_name(Device, k.device, sizeof k.device);
  k.major = top->MajorFunction;
  k.minor = top->MinorFunction;
  k.file = top->FileObject != NULL;
  if (k.major == IRP_MJ_DEVICE_CONTROL || k.major == IRP_MJ_INTERNAL_DEVICE_CONTROL) {
    k.code = top->Parameters.DeviceIoControl.IoControlCode;
    k.in = top->Parameters.DeviceIoControl.InputBufferLength;
    k.out = top->Parameters.DeviceIoControl.OutputBufferLength;
  } else if (k.major == IRP_MJ_READ || k.major == IRP_MJ_WRITE) {
    k.length = top->Parameters.Read.Length;
  }
  if (Irp->AssociatedIrp.SystemBuffer != NULL) {
    k.data_length = k.major == IRP_MJ_WRITE ? k.length : k.in;
    if (k.data_length > sizeof k.data) k.data_length = sizeof k.data;
    memcpy(k.data, Irp->AssociatedIrp.SystemBuffer, k.data_length);
  }
  if (k.device[0] == '\0') return; /* not a device of the model's: an arrival could not find it */
  for (i = 0; i < km_arrival.nkinds; i++) {
    km_kind *o = &km_arrival.kinds[i];
    if (strcmp(o->device, k.device) == 0 && o->major == k.major && o->minor == k.minor && o->code == k.code) return;
  }
  if (km_arrival.nkinds < KM_MAX_KINDS) km_arrival.kinds[km_arrival.nkinds++] = k;
}

/* The kinds as one line (the parent hands them to the children in KMODEL_ARRIVAL_KINDS):
   device|major|minor|code|in|out|length|hex;... */
static void km_format_kinds(char *out, size_t size)
{
  size_t used = 0;
  ULONG i, j;
  out[0] = '\0';
  for (i = 0; i < km_arrival.nkinds && used + 1 < size; i++) {
    km_kind *k = &km_arrival.kinds[i];
    used += (size_t)snprintf(out + used, size - used, "%s%s|%u|%u|%u|%lx|%lu|%lu|%lu|", i ? ";" : "", k->device, k->major, k->minor,
                             k->file, (unsigned long)k->code, (unsigned long)k->in, (unsigned long)k->out, (unsigned long)k->length);
    for (j = 0; j < k->data_length && used + 3 < size; j++) used += (size_t)snprintf(out + used, size - used, "%02x", k->data[j]);
  }
}

static void km_parse_kinds(const char *text)
{
  km_arrival.nkinds = 0;
  while (text != NULL && *text != '\0' && km_arrival.nkinds < KM_MAX_KINDS) {
    km_kind *k = &km_arrival.kinds[km_arrival.nkinds];
    unsigned major, minor, file;
    unsigned long code, in, out, length;
    const char *bar = strchr(text, '|'), *hex;
    size_t n = bar != NULL ? (size_t)(bar - text) : 0;
    memset(k, 0, sizeof *k);
    if (bar == NULL || n >= sizeof k->device) return;
    memcpy(k->device, text, n);
    if (sscanf(bar + 1, "%u|%u|%u|%lx|%lu|%lu|%lu|", &major, &minor, &file, &code, &in, &out, &length) != 7) return;
    k->major = (UCHAR)major;
    k->minor = (UCHAR)minor;
    k->file = (UCHAR)file;
    k->code = code;
    k->in = in;
    k->out = out;
    k->length = length;
    for (hex = bar + 1, n = 0; n < 7 && hex != NULL; n++) hex = strchr(hex, '|') != NULL ? strchr(hex, '|') + 1 : NULL;
    while (hex != NULL && hex[0] != '\0' && hex[0] != ';' && hex[1] != '\0' && k->data_length < sizeof k->data) {
      unsigned byte;
      if (sscanf(hex, "%2x", &byte) != 1) break;
      k->data[k->data_length++] = (UCHAR)byte;
      hex += 2;
    }
    km_arrival.nkinds++;
    text = strchr(text, ';');
    if (text != NULL) text++;
  }
}

/* A close arrives only on a file object the campaign opened itself: a create on a new file object first (another
   open), then the close of that object, as the I/O manager sends a close when the last reference to a file object
   goes away. Never on the harness's file object, which the harness still uses. NULL when the create did not
   succeed (failed, or pending). */
static PFILE_OBJECT km_arrival_open(PDEVICE_OBJECT dev)
{
  PFILE_OBJECT file = KmOpenFile(dev);
  PIRP create = KmBuildIrp(dev, IRP_MJ_CREATE, 0, file);
  km_arrival.open_seq = km_find_irp(create)->seq;
  KmSendIrp(dev, create);
  if (KmIrpCompleted(create) && NT_SUCCESS(create->IoStatus.Status)) return file;
  if (KmIrpCompleted(create)) KmCloseFile(file);
  return NULL;
}

/* The file object of an arrival of kind k. A create comes with a file object of its own (another open: a create on
   the harness's file object would replace what the driver keeps for it), a close with one the campaign opened
   (km_arrival_open); other requests use the harness's latest file object whose create completed (NULL before there
   is one: no such request can arrive yet). */
static PFILE_OBJECT km_arrival_file(const km_kind *k, PDEVICE_OBJECT dev)
{
  if (!k->file) return NULL;
  if (k->major == IRP_MJ_CREATE) return KmOpenFile(dev);
  return k->major == IRP_MJ_CLOSE ? km_arrival_open(dev) : km_last_file;
}

/* A new request of kind k, as the harness would build it, sent at PASSIVE_LEVEL (from another processor). NULL when
   it cannot arrive here, *why says why. */
static PIRP km_arrive(const km_kind *k, PDEVICE_OBJECT *device, const char **why)
{
  PDEVICE_OBJECT dev;
  PFILE_OBJECT file;
  PIRP irp;
  *device = dev = km_device_by_seq(k->device);
  *why = "its device does not exist";
  if (dev == NULL) return NULL;
  file = km_arrival_file(k, dev);
  *why = k->major == IRP_MJ_CLOSE ? "its own IRP_MJ_CREATE did not succeed" : "no file object open";
  if (k->file && file == NULL) return NULL;
  if (k->major == IRP_MJ_DEVICE_CONTROL || k->major == IRP_MJ_INTERNAL_DEVICE_CONTROL) {
    irp = KmBuildIoctl(dev, k->code, k->data, k->in, k->out, file);
    IoGetNextIrpStackLocation(irp)->MajorFunction = k->major;
  } else if (k->major == IRP_MJ_READ) {
    irp = KmBuildRead(dev, k->length, file);
  } else if (k->major == IRP_MJ_WRITE) {
    irp = KmBuildWrite(dev, k->data, k->data_length, file);
  } else {
    irp = KmBuildIrp(dev, k->major, k->minor, file);
  }
  IoGetNextIrpStackLocation(irp)->MinorFunction = k->minor;
  return irp;
}

/* At an open window of an arrival run: the new request arrives at the target window; with cancel set, it is
   cancelled at the first later window where it waits with a cancel routine (a queued request). */
static void km_arrival_window(const char *where, const void *addr)
{
  char label[240];
  size_t used;
  if (km_arrival.busy || !km_arrival.started) return;
  km_arrival.seen++;
  if (km_arrival.mode == KM_ARRIVE_AT && km_arrival.irp == NULL && km_arrival.seen == km_arrival.target) {
    const km_kind *k = &km_arrival.kinds[km_arrival.kind];
    KIRQL irql = km_irql();
    PDEVICE_OBJECT dev;
    PIRP irp;
    km_irp_rec *rec;
    const char *why;
    km_arrival.busy = 1;
    km_set_irql(PASSIVE_LEVEL);
    irp = km_arrive(k, &dev, &why);
    if (irp == NULL) {
      /* Its device does not exist (yet, or any more), it needs a file object and the harness has none open yet, or
         a close's own create did not succeed: the run is one without an arrival (clean unless the scenario itself
         fails), and the campaign goes on. */
      km_set_irql(irql);
      km_arrival.busy = 0;
      km_window_label(where, addr, label, sizeof label);
      snprintf(km_injection_text, sizeof km_injection_text, "no %s arrival %s%s (%s)", km_major_name(k->major),
               strncmp(label, "inside ", 7) == 0 ? "" : "at ", label, why);
      km_note("%s", km_injection_text);
      km_campaign_window(km_injection_text);
      km_arrival.skipped = 1;
      return;
    }
    rec = km_find_irp(irp);
    km_window_label(where, addr, label, sizeof label);
    snprintf(km_injection_text, sizeof km_injection_text, "arrival of IRP #%lu (%s", (unsigned long)rec->seq, km_major_name(k->major));
    used = strlen(km_injection_text);
    if (k->code != 0) used += (size_t)snprintf(km_injection_text + used, sizeof km_injection_text - used, " 0x%lX", (unsigned long)k->code);
    if (k->major == IRP_MJ_CLOSE && k->file)
      used += (size_t)snprintf(km_injection_text + used, sizeof km_injection_text - used, " of its own open, IRP #%lu", (unsigned long)km_arrival.open_seq);
    snprintf(km_injection_text + used, sizeof km_injection_text - used, ") %s%s%s", strncmp(label, "inside ", 7) == 0 ? "" : "at ",
             label, km_arrival.cancel ? ", cancelled once queued" : "");
    km_note("%s", km_injection_text);
    km_announced = 1;
    km_campaign_window(km_injection_text);
    km_arrival.irp = irp;
    KmSendIrp(dev, irp);
    km_set_irql(irql);
    km_arrival.busy = 0;
    return;
  }
  if (km_arrival.cancel && km_arrival.irp != NULL) {
    km_irp_rec *rec = km_find_irp(km_arrival.irp);
    if (rec != NULL && rec->sent && !rec->completed && !km_arrival.irp->Cancel && km_arrival.irp->CancelRoutine != NULL) {
      km_note("cancelling the arrived IRP #%lu", (unsigned long)rec->seq);
      IoCancelIrp(km_arrival.irp);
    }
  }
}

/* Run k of an arrival campaign: run 0 counts the windows and records the kinds; run k > 0 is window N, kind K,
   with or without the cancel (k - 1 = ((N - 1) * kinds + K) * 2 + cancel). Whether the arrival happened. */
static int km_arrival_run(KM_SCENARIO *Scenario, void *Context, ULONG k)
{
  char label[64];
  int reached;
  km_arrival.seen = 0;
  km_arrival.irp = NULL;
  km_arrival.busy = 0;
  km_arrival.started = 0;
  km_arrival.skipped = 0;
  km_last_file = NULL;
  km_announced = 0;
  if (k == 0) {
    km_arrival.nkinds = 0;
    km_arrival.mode = KM_ARRIVE_COUNT;
  } else {
    if (km_child_run >= 0) km_parse_kinds(getenv("KMODEL_ARRIVAL_KINDS"));
    if (km_arrival.nkinds == 0) return 0;
    km_arrival.mode = KM_ARRIVE_AT;
    km_arrival.cancel = (int)((k - 1) % 2);
    km_arrival.kind = ((k - 1) / 2) % km_arrival.nkinds;
    km_arrival.target = ((k - 1) / 2) / km_arrival.nkinds + 1;
  }
  Scenario(Context);
  reached = k == 0 || km_arrival.irp != NULL || km_arrival.skipped;
  if (k == 0) {
    char kinds[1100];
    km_format_kinds(kinds, sizeof kinds);
    if (kinds[0] != '\0') {
      char line[1200];
      snprintf(line, sizeof line, "kinds %s", kinds);
      km_status_line(line);
    }
  }
  snprintf(label, sizeof label, k == 0 ? "the run without arrivals" : "arrival run %lu", (unsigned long)k);
  km_end_run(label);
  km_arrival.mode = KM_ARRIVE_OFF;
  return reached;
}

/* The harness's IoCallDriver, with the checks the I/O manager and Driver Verifier make at the top of the
   stack: STATUS_PENDING exactly when the IRP was marked pending, every other status completed. */
NTSTATUS KmSendIrp(PDEVICE_OBJECT Device, PIRP Irp)
{
  km_irp_rec *rec = km_find_irp(Irp);
  PIO_STACK_LOCATION top = IoGetNextIrpStackLocation(Irp);
  UCHAR major = top->MajorFunction;
  PFILE_OBJECT file = top->FileObject;
  NTSTATUS status;
  if (km_irql() != PASSIVE_LEVEL || km_locks_held() != 0)
    km_error("KmSendIrp at IRQL %u holding %d spin lock(s): the harness sends IRPs at PASSIVE_LEVEL", km_irql(), km_locks_held());
  /* An arrival's file object: the harness's latest, once its create (if any) has completed (not the campaign's own). */
  if (file != NULL && major != IRP_MJ_CREATE && !km_arrival.busy) km_last_file = file;
  /* A closed file object has no reference left: nothing more arrives on it (from the close's own windows on). */
  if (major == IRP_MJ_CLOSE && file == km_last_file) km_last_file = NULL;
  if (km_arrival.mode == KM_ARRIVE_COUNT) km_record_kind(Device, Irp);
  km_arrival.started = 1; /* before it, no request of any kind has arrived: no arrival windows (a PnP start) */
  status = IofCallDriver(Device, Irp);
  if (file != NULL && major == IRP_MJ_CREATE && rec != NULL && rec->completed && NT_SUCCESS(Irp->IoStatus.Status) && !km_arrival.busy)
    km_last_file = file;
  if (rec != NULL && rec->completed) {
    if (status == STATUS_PENDING && !Irp->PendingReturned)
      km_error("a %s dispatch routine returned STATUS_PENDING without IoMarkIrpPending", km_major_name(major));
    if (status != STATUS_PENDING && Irp->PendingReturned)
      km_error("a %s dispatch routine marked the IRP pending but returned 0x%08lX", km_major_name(major), (unsigned long)status);
  } else if (rec != NULL) {
    if (status != STATUS_PENDING)
      km_error("a %s dispatch routine returned 0x%08lX without completing the IRP", km_major_name(major), (unsigned long)status);
    else if (!(top->Control & SL_PENDING_RETURNED))
      km_error("a %s dispatch routine returned STATUS_PENDING without IoMarkIrpPending", km_major_name(major));
  }
  return status;
}

NTSTATUS KmCall(PDEVICE_OBJECT Device, UCHAR Major, PFILE_OBJECT FileObject, PIRP *Pending)
{
  PIRP irp = KmBuildIrp(Device, Major, 0, FileObject);
  NTSTATUS status = KmSendIrp(Device, irp);
  if (KmIrpCompleted(irp)) {
    status = irp->IoStatus.Status;
    KmFreeIrp(irp);
    if (Pending != NULL) *Pending = NULL;
    return status;
  }
  if (Pending != NULL) *Pending = irp;
  return STATUS_PENDING;
}

BOOLEAN KmIrpCompleted(PIRP Irp)
{
  km_irp_rec *rec = km_find_irp(Irp);
  return (BOOLEAN)(rec != NULL && rec->completed);
}

void KmFreeIrp(PIRP Irp)
{
  km_irp_rec *rec = km_find_irp(Irp);
  if (rec == NULL) return;
  if (rec->sent && !rec->completed) {
    km_report("irp-leak", "KmFreeIrp: IRP #%lu (%s) is still pending", (unsigned long)rec->seq, km_major_name(rec->major));
    return;
  }
  km_untrack_irp(rec);
  km_free(Irp);
}

BOOLEAN KmCancelIrp(PIRP Irp)
{
  km_irp_rec *rec = km_find_irp(Irp);
  if (rec == NULL || rec->completed) return FALSE;
  return IoCancelIrp(Irp);
}

ULONG KmPendingIrps(void)
{
  ULONG n = 0;
  km_irp_rec *r;
  km_lock_model();
  for (r = km_irps; r != NULL; r = r->next) n += r->sent && !r->completed;
  km_unlock_model();
  return n;
}

/* After a run: IRPs never completed are errors; every IRP record and pool block is dropped. */
void km_reset_io(void)
{
  while (km_irps != NULL) {
    km_irp_rec *r = km_irps;
    if (r->sent && !r->completed)
      km_report("irp-leak", "IRP #%lu (%s) was never completed", (unsigned long)r->seq, km_major_name(r->major));
    km_irps = r->next;
    if (r->buffer != NULL) km_free(r->buffer);
    km_free(r->irp);
    km_free(r);
  }
  km_irp_seq = 0;
  while (km_interfaces != NULL) {
    km_interface *i = km_interfaces;
    km_interfaces = i->next;
    km_free(i);
  }
  km_ninterfaces = km_ninvalidated = km_nchildren = km_device_seq = 0;
  while (!IsListEmpty(&km_work)) {
    PIO_WORKITEM w = CONTAINING_RECORD(RemoveHeadList(&km_work), struct _IO_WORKITEM, entry);
    w->queued = 0;
  }
}

const char *km_context(void) { return km_announced ? km_injection_text : NULL; }

void KmOnWindow(KM_WINDOW_HOOK *Hook, void *Context)
{
  km_hook = Hook;
  km_hook_context = Context;
}

void KmWindowLabel(char *Buffer, ULONG Size)
{
  if (Size == 0) return;
  if (km_hook_where == NULL) Buffer[0] = '\0';
  else km_window_label(km_hook_where, km_hook_addr, Buffer, Size);
}

/* ------------------------------------------------------------------------------------- campaigns */
/* Each run of a campaign is a process of its own: the harness is started again (km_spawn_run) with the run's
   index in KMODEL_CAMPAIGN_RUN and a status file in KMODEL_CAMPAIGN_STATUS; the child runs only that run and
   exits. It writes to the status file the injection when it happens ("window <label>") and how the run ended
   ("end <outcome> <code> <message>"), or "unreached" when the run never got to its injection (the campaign
   is over). A bugcheck, a stop or a crash ends the child only; the parent ends a child that runs longer than
   KMODEL_RUN_TIMEOUT seconds (60 by default) as a hang, and ends the campaign with a summary of every run.
   KMODEL_ISOLATE=0 runs the campaign in the harness's own process instead (the first bugcheck ends it). */

static const char *const km_outcome_names[] = { "clean", "errors", "bugcheck", "stopped", "hang", "crashed" };

static char km_status_path[512];

static void km_status_line(const char *text)
{
  FILE *f;
  if (km_child_run < 0 || (f = fopen(km_status_path, "a")) == NULL) return;
  fputs(text, f);
  fputc('\n', f);
  fclose(f);
}

static void km_campaign_window(const char *label)
{
  char line[200];
  snprintf(line, sizeof line, "window %s", label);
  km_status_line(line);
}

void km_campaign_end(enum km_run_outcome outcome, ULONG code, const char *message)
{
  char line[1200];
  snprintf(line, sizeof line, "end %s %lx %s", km_outcome_names[outcome], (unsigned long)code, message);
  km_status_line(line);
}

int KmCampaignChild(void)
{
  const char *run = getenv("KMODEL_CAMPAIGN_RUN"), *status = getenv("KMODEL_CAMPAIGN_STATUS");
  if (km_child_run < 0 && run != NULL && *run != '\0' && status != NULL && *status != '\0') {
    km_child_run = atol(run);
    snprintf(km_status_path, sizeof km_status_path, "%s", status);
  }
  return km_child_run >= 0;
}

/* The end of one run: what it left (IRPs never completed, pool) is reported, the model is reset. */
static void km_end_run(const char *label)
{
  km_reset_io();
  km_reset_pool(label);
  km_reset_ke();
}

/* Runs run k of a campaign in this process (k == 0: without injection, counting the windows); whether its
   injection happened. */
static int km_one_run(KM_SCENARIO *Scenario, void *Context, ULONG k)
{
  char label[64];
  int reached;
  io_inject_start(&km_injection, k == 0 ? IO_INJECT_COUNT : IO_INJECT_CANCEL, k);
  km_announced = 0;
  Scenario(Context);
  reached = k == 0 || km_injection.reached;
  if (k == 0) snprintf(label, sizeof label, "the run without injection");
  else if (reached) snprintf(label, sizeof label, "injected run %lu", (unsigned long)k);
  else snprintf(label, sizeof label, "the last run");
  km_end_run(label);
  return reached;
}

typedef int KM_RUN(KM_SCENARIO *Scenario, void *Context, ULONG k);

/* A child: run its one run, write how it ended, exit. */
static KM_NORETURN void km_child(KM_RUN *one_run, KM_SCENARIO *Scenario, void *Context)
{
  ULONG before = KmErrors();
  if (!one_run(Scenario, Context, (ULONG)km_child_run)) {
    km_status_line("unreached");
    km_exit(0);
  }
  km_campaign_end(KmErrors() != before ? KM_RUN_ERRORS : KM_RUN_CLEAN, 0, "");
  km_exit(KmErrors() != before ? 1 : 0);
}

typedef struct km_run_result {
  enum km_run_outcome outcome;
  int reached;
  ULONG code;
  char window[320];
  char message[512];
  char kinds[1024];     /* the arrival campaign's run 0: the kinds of request the scenario sent */
} km_run_result;

/* Reads a child's status file (see above) into r. */
static void km_read_status(const char *path, km_run_result *r)
{
  char line[1400];
  FILE *f = fopen(path, "r");
  if (f == NULL) return;
  while (fgets(line, sizeof line, f) != NULL) {
    size_t n = strlen(line);
    ULONG i;
    if (n != 0 && line[n - 1] == '\n') line[--n] = '\0';
    if (strncmp(line, "window ", 7) == 0) {
      snprintf(r->window, sizeof r->window, "%s", line + 7);
    } else if (strncmp(line, "kinds ", 6) == 0) {
      snprintf(r->kinds, sizeof r->kinds, "%s", line + 6);
    } else if (strcmp(line, "unreached") == 0) {
      r->reached = 0;
    } else if (strncmp(line, "end ", 4) == 0) {
      char *word = line + 4, *code = strchr(word, ' '), *message;
      if (code == NULL) continue;
      *code++ = '\0';
      r->code = strtoul(code, &message, 16);
      if (*message == ' ') message++;
      for (i = 0; i < sizeof km_outcome_names / sizeof km_outcome_names[0]; i++) {
        if (strcmp(word, km_outcome_names[i]) == 0) r->outcome = (enum km_run_outcome)i;
      }
      snprintf(r->message, sizeof r->message, "%s", message);
    }
  }
  fclose(f);
}

static ULONG km_timeout_ms(void)
{
  const char *t = getenv("KMODEL_RUN_TIMEOUT");
  long seconds = t != NULL && *t != '\0' ? atol(t) : 60;
  return (ULONG)(seconds > 0 ? seconds : 60) * 1000;
}

/* Runs run k in a child; the parent records a hang (the child cannot) and counts the child's errors. */
static void km_spawned_run(ULONG k, km_run_result *r)
{
  char path[512];
  unsigned long exit_code = 0;
  int status;
  memset(r, 0, sizeof *r);
  r->reached = 1;
  r->outcome = KM_RUN_CRASHED;
  km_status_file(k, path, sizeof path);
  status = km_spawn_run(k, path, km_timeout_ms(), &exit_code);
  km_read_status(path, r);
  km_remove_file(path);
  if (status < 0) {
    km_stop("model-error", "cannot start the harness again for campaign run %lu", (unsigned long)k);
  } else if (status == 1) {
    r->outcome = KM_RUN_HANG;
    snprintf(r->message, sizeof r->message, "still running after %lu s; ended", (unsigned long)(km_timeout_ms() / 1000));
    km_record_finding("hang", 0, r->message, r->window);
  } else if (r->outcome == KM_RUN_CRASHED && r->reached) {
    snprintf(r->message, sizeof r->message, "the harness ended with status 0x%lX", exit_code);
  }
  if (r->reached && r->outcome != KM_RUN_CLEAN) km_run_failed();
}

/* A campaign (which: "cancel", "arrive"): run 0, then run k = 1, 2 ... until one never reaches its injection;
   each in a child process (KMODEL_ISOLATE=0: here). A child runs only its own campaign's run. */
static ULONG km_campaign(const char *which, KM_RUN *one_run, KM_SCENARIO *Scenario, void *Context)
{
  static const char *const what[] = { "clean", "with model errors", "bugchecked", "stopped", "hung", "crashed" };
  ULONG runs = 0, k, counts[6] = { 0 };
  const char *isolate = getenv("KMODEL_ISOLATE"), *mine = getenv("KMODEL_CAMPAIGN");
  char line[1200];
  if (KmCampaignChild()) {
    if (mine != NULL && strcmp(mine, which) == 0) km_child(one_run, Scenario, Context);
    return 0;
  }
  if (isolate != NULL && strcmp(isolate, "0") == 0) {
    for (k = 0; k < 1000000 && one_run(Scenario, Context, k); k++) runs += k != 0;
  } else {
    snprintf(line, sizeof line, "kmodel: %s campaign: each run in a process of its own\n", which);
    km_write_stderr(line);
    km_set_env("KMODEL_CAMPAIGN", which);
    for (k = 0; k < 1000000; k++) {
      km_run_result r;
      km_spawned_run(k, &r);
      if (!r.reached) break;
      if (k == 0 && r.kinds[0] != '\0') km_set_env("KMODEL_ARRIVAL_KINDS", r.kinds);
      runs += k != 0;
      counts[r.outcome]++;
      if (r.outcome != KM_RUN_CLEAN || km_verbose()) {
        snprintf(line, sizeof line, "kmodel: campaign run %lu%s%s%s: %s%s%s\n", (unsigned long)k, r.window[0] ? " [" : "",
                 r.window, r.window[0] ? "]" : (k == 0 ? " (no injection)" : ""), km_outcome_names[r.outcome],
                 r.message[0] ? ": " : "", r.message);
        km_write_stderr(line);
      }
    }
    km_set_env("KMODEL_CAMPAIGN", NULL);
    km_set_env("KMODEL_ARRIVAL_KINDS", NULL);
    snprintf(line, sizeof line, "kmodel: campaign summary: %lu runs (1 without injection, %lu injected): %lu clean, "
             "%lu %s, %lu %s, %lu %s, %lu %s, %lu %s\n", (unsigned long)(runs + 1), (unsigned long)runs,
             (unsigned long)counts[0], (unsigned long)counts[1], what[1], (unsigned long)counts[2], what[2],
             (unsigned long)counts[3], what[3], (unsigned long)counts[4], what[4], (unsigned long)counts[5], what[5]);
    km_write_stderr(line);
  }
  io_inject_start(&km_injection, IO_INJECT_OFF, 0);
  km_arrival.mode = KM_ARRIVE_OFF;
  km_announced = 0;
  km_note("%s campaign: %lu injected runs", which, (unsigned long)runs);
  return runs;
}

ULONG KmInjectCancellation(KM_SCENARIO *Scenario, void *Context)
{
  return km_campaign("cancel", km_one_run, Scenario, Context);
}

ULONG KmInjectArrivals(KM_SCENARIO *Scenario, void *Context)
{
  return km_campaign("arrive", km_arrival_run, Scenario, Context);
}

/* --------------------------------------------------------------- names under other DDK headers */
/* mingw-w64's and the WDK's headers map these to IofCallDriver/IofCompleteRequest; Wine's headers (and
   drivers written against them) call the functions by these names. */
#undef IoCallDriver
#undef IoCompleteRequest
NTSTATUS NTAPI IoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);
VOID NTAPI IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost);

NTSTATUS NTAPI IoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp) { return IofCallDriver(DeviceObject, Irp); }
KM_EXPORT(IoCallDriver);

VOID NTAPI IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
  (void)PriorityBoost;
  km_complete(Irp, KM_RETURN_ADDRESS());
}
KM_EXPORT(IoCompleteRequest);
