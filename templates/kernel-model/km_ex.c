/* km_ex.c: model messages and errors, bugchecks, pool allocation with a leak report, and the calls the
   model does not implement (they fail at run time, naming themselves). */
#include "km_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile LONG km_error_count;

/* KMODEL_VERBOSE=1 prints the model's notes (injected cancellations, implicit releases). */
int km_verbose(void)
{
  static int verbose = -1;
  if (verbose < 0) {
    const char *v = getenv("KMODEL_VERBOSE");
    verbose = v != NULL && v[0] != '\0' && v[0] != '0';
  }
  return verbose;
}

/* Each distinct error message is printed once (the first time, with its context); repeats are counted. */
#define KM_SEEN_MAX 256
static ULONG km_seen[KM_SEEN_MAX];
static ULONG km_seen_count, km_repeats;

static int km_first_time(const char *text)
{
  ULONG h = 2166136261UL, i;
  for (; *text != '\0'; text++) h = (h ^ (UCHAR)*text) * 16777619UL;
  for (i = 0; i < km_seen_count; i++) {
    if (km_seen[i] == h) return 0;
  }
  if (km_seen_count < KM_SEEN_MAX) km_seen[km_seen_count++] = h;
  return 1;
}

static void km_vprint(const char *prefix, const char *fmt, va_list ap)
{
  char line[1024];
  int n = snprintf(line, sizeof line, "kmodel: %s", prefix);
  if (n < 0 || n >= (int)sizeof line) n = 0;
  vsnprintf(line + n, sizeof line - (size_t)n - 64, fmt, ap);
  if (strncmp(prefix, "error", 5) == 0 && !km_first_time(line)) {
    km_repeats++;
    return;
  }
  if (km_context() != NULL) {
    size_t used = strlen(line);
    snprintf(line + used, sizeof line - used - 1, " [%s]", km_context());
  }
  strcat(line, "\n");
  km_write_stderr(line);
}

void km_note(const char *fmt, ...)
{
  va_list ap;
  if (!km_verbose()) return;
  va_start(ap, fmt);
  km_vprint("note: ", fmt, ap);
  va_end(ap);
}

/* A misuse a real kernel might survive or crash on later; counted, the run goes on. */
void km_error(const char *fmt, ...)
{
  va_list ap;
  InterlockedIncrement(&km_error_count);
  va_start(ap, fmt);
  km_vprint("error: ", fmt, ap);
  va_end(ap);
}

/* A misuse the real kernel stops the machine for: print it and end the harness with status 3. */
void km_bugcheck(const char *name, ULONG code, const char *fmt, ...)
{
  char what[64];
  va_list ap;
  snprintf(what, sizeof what, "bugcheck 0x%lX %s: ", (unsigned long)code, name);
  va_start(ap, fmt);
  km_vprint(what, fmt, ap);
  va_end(ap);
  km_exit(3);
}

void km_not_modelled(const char *name)
{
  char line[512];
  snprintf(line, sizeof line,
           "kmodel: fatal: the driver called %s, which the kernel model does not implement; add it to "
           "templates/kernel-model (see docs/kernel-model.md, \"Adding a call\")\n", name);
  km_write_stderr(line);
  km_exit(3);
}

ULONG KmErrors(void) { return (ULONG)km_error_count; }

VOID NTAPI KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
  km_bugcheck("KeBugCheckEx", Code, "(%p, %p, %p, %p) called by the driver", (void *)P1, (void *)P2, (void *)P3,
              (void *)P4);
}
KM_EXPORT(KeBugCheckEx);

VOID NTAPI KeBugCheck(ULONG Code)
{
  km_bugcheck("KeBugCheck", Code, "called by the driver");
}
KM_EXPORT(KeBugCheck);

ULONG __cdecl DbgPrint(PCSTR Format, ...)
{
  va_list ap;
  va_start(ap, Format);
  vfprintf(stderr, Format, ap);
  va_end(ap);
  return 0;
}
KM_EXPORT(DbgPrint);

ULONG __cdecl DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
  va_list ap;
  (void)ComponentId;
  (void)Level;
  va_start(ap, Format);
  vfprintf(stderr, Format, ap);
  va_end(ap);
  return 0;
}
KM_EXPORT(DbgPrintEx);

/* ------------------------------------------------------------------------------------------------ pool */

#define KM_POOL_MAGIC 0x6C6F6F50UL /* 'Pool' */
#define KM_POOL_FREED 0x65657246UL /* 'Free' */

typedef struct km_pool {
  struct km_pool *next, *prev;
  SIZE_T size;
  ULONG tag;
  ULONG seq;
  void *caller;
  ULONG magic;
  ULONG pad;
} km_pool;

static km_pool km_pool_head = { &km_pool_head, &km_pool_head, 0, 0, 0, NULL, 0, 0 };
static ULONG km_pool_seq;

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define KM_CALLER() _ReturnAddress()
#else
#define KM_CALLER() __builtin_return_address(0)
#endif

static void *km_pool_alloc(SIZE_T size, ULONG tag, void *caller)
{
  km_pool *h = (km_pool *)calloc(1, sizeof(km_pool) + size);
  if (h == NULL) return NULL;
  h->size = size;
  h->tag = tag;
  h->caller = caller;
  h->magic = KM_POOL_MAGIC;
  km_lock_model();
  h->seq = ++km_pool_seq;
  h->next = &km_pool_head;
  h->prev = km_pool_head.prev;
  km_pool_head.prev->next = h;
  km_pool_head.prev = h;
  km_unlock_model();
  return h + 1;
}

static void km_pool_free(void *p, ULONG tag, int check_tag, const char *api)
{
  km_pool *h;
  if (p == NULL) km_bugcheck("BAD_POOL_CALLER", 0xC2, "%s(NULL)", api);
  h = (km_pool *)p - 1;
  if (h->magic == KM_POOL_FREED) km_bugcheck("BAD_POOL_CALLER", 0xC2, "%s(%p): freed twice", api, p);
  if (h->magic != KM_POOL_MAGIC) km_bugcheck("BAD_POOL_CALLER", 0xC2, "%s(%p): not a pool allocation", api, p);
  if (check_tag && tag != h->tag)
    km_error("%s(%p): tag 0x%08lX, but the block was allocated with tag 0x%08lX", api, p, (unsigned long)tag,
             (unsigned long)h->tag);
  km_lock_model();
  h->prev->next = h->next;
  h->next->prev = h->prev;
  km_unlock_model();
  h->magic = KM_POOL_FREED;
  free(h);
}

PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
  (void)PoolType;
  return km_pool_alloc(NumberOfBytes, Tag, KM_CALLER());
}
KM_EXPORT(ExAllocatePoolWithTag);

PVOID NTAPI ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
  (void)PoolType;
  return km_pool_alloc(NumberOfBytes, 0x656E6F4EUL /* 'None' */, KM_CALLER());
}
KM_EXPORT(ExAllocatePool);

PVOID NTAPI ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
  (void)PoolType;
  return km_pool_alloc(NumberOfBytes, Tag, KM_CALLER());
}
KM_EXPORT(ExAllocatePoolWithQuotaTag);

VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag) { km_pool_free(P, Tag, 1, "ExFreePoolWithTag"); }
KM_EXPORT(ExFreePoolWithTag);

VOID NTAPI ExFreePool(PVOID P) { km_pool_free(P, 0, 0, "ExFreePool"); }
KM_EXPORT(ExFreePool);

/* Model-owned memory (IRPs, device objects): plain heap, never in the leak report. */
void *km_alloc(SIZE_T size)
{
  void *p = calloc(1, size);
  if (p == NULL) km_bugcheck("NO_MEMORY", 0x0, "the harness process is out of memory (%lu bytes)", (unsigned long)size);
  return p;
}

void km_free(void *p) { free(p); }

static void km_tag_text(ULONG tag, char out[5])
{
  int i;
  for (i = 0; i < 4; i++) {
    char c = (char)((tag >> (8 * i)) & 0xFF);
    out[i] = (c >= 32 && c < 127) ? c : '.';
  }
  out[4] = '\0';
}

ULONG KmLeakReport(void)
{
  ULONG n = 0;
  km_pool *h;
  char tag[5];
  for (h = km_pool_head.next; h != &km_pool_head; h = h->next) {
    km_tag_text(h->tag, tag);
    km_error("pool leak: %lu bytes, tag '%s', allocation #%lu (called from %p)", (unsigned long)h->size, tag,
             (unsigned long)h->seq, h->caller);
    n++;
  }
  return n;
}

/* Reports and frees what a run left in the pool (between injected runs). */
ULONG km_reset_pool(const char *label)
{
  ULONG n = 0;
  char tag[5];
  while (km_pool_head.next != &km_pool_head) {
    km_pool *h = km_pool_head.next;
    km_tag_text(h->tag, tag);
    km_error("%s: pool leak: %lu bytes, tag '%s', allocation #%lu", label, (unsigned long)h->size, tag,
             (unsigned long)h->seq);
    h->prev->next = h->next;
    h->next->prev = h->prev;
    h->magic = KM_POOL_FREED;
    free(h);
    n++;
  }
  return n;
}

int KmFinish(void)
{
  KmLeakReport();
  if (km_repeats != 0) {
    char line[128];
    snprintf(line, sizeof line, "kmodel: %lu more error(s) repeating the messages above\n", (unsigned long)km_repeats);
    km_write_stderr(line);
  }
  return KmErrors() == 0 ? 0 : 1;
}

/* --------------------------------------------------------------------------------------------- strings */

VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING Dest, PCWSTR Source)
{
  SIZE_T n = 0;
  if (Source != NULL) while (Source[n] != 0) n++;
  Dest->Buffer = (PWSTR)Source;
  Dest->Length = (USHORT)(n * sizeof(WCHAR));
  Dest->MaximumLength = Source != NULL ? (USHORT)(Dest->Length + sizeof(WCHAR)) : 0;
}
KM_EXPORT(RtlInitUnicodeString);

VOID NTAPI RtlInitAnsiString(PANSI_STRING Dest, PCSZ Source)
{
  SIZE_T n = Source != NULL ? strlen(Source) : 0;
  Dest->Buffer = (PCHAR)Source;
  Dest->Length = (USHORT)n;
  Dest->MaximumLength = Source != NULL ? (USHORT)(n + 1) : 0;
}
KM_EXPORT(RtlInitAnsiString);

VOID NTAPI RtlInitString(PSTRING Dest, PCSZ Source) { RtlInitAnsiString(Dest, Source); }
KM_EXPORT(RtlInitString);

VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING Dest, PCUNICODE_STRING Source)
{
  USHORT n;
  if (Source == NULL) {
    Dest->Length = 0;
    return;
  }
  n = Source->Length < Dest->MaximumLength ? Source->Length : Dest->MaximumLength;
  memmove(Dest->Buffer, Source->Buffer, n);
  Dest->Length = n;
  if (n + sizeof(WCHAR) <= Dest->MaximumLength) Dest->Buffer[n / sizeof(WCHAR)] = 0;
}
KM_EXPORT(RtlCopyUnicodeString);

static WCHAR km_upcase(WCHAR c) { return (c >= 'a' && c <= 'z') ? (WCHAR)(c - 'a' + 'A') : c; }

LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING A, PCUNICODE_STRING B, BOOLEAN CaseInsensitive)
{
  USHORT i, la = A->Length / sizeof(WCHAR), lb = B->Length / sizeof(WCHAR);
  for (i = 0; i < la && i < lb; i++) {
    WCHAR x = CaseInsensitive ? km_upcase(A->Buffer[i]) : A->Buffer[i];
    WCHAR y = CaseInsensitive ? km_upcase(B->Buffer[i]) : B->Buffer[i];
    if (x != y) return (LONG)x - (LONG)y;
  }
  return (LONG)la - (LONG)lb;
}
KM_EXPORT(RtlCompareUnicodeString);

BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING A, PCUNICODE_STRING B, BOOLEAN CaseInsensitive)
{
  return A->Length == B->Length && RtlCompareUnicodeString(A, B, CaseInsensitive) == 0;
}
KM_EXPORT(RtlEqualUnicodeString);

NTSTATUS NTAPI RtlAppendUnicodeStringToString(PUNICODE_STRING Dest, PCUNICODE_STRING Source)
{
  if ((ULONG)Dest->Length + Source->Length > Dest->MaximumLength) return STATUS_BUFFER_TOO_SMALL;
  memmove((char *)Dest->Buffer + Dest->Length, Source->Buffer, Source->Length);
  Dest->Length = (USHORT)(Dest->Length + Source->Length);
  if (Dest->Length + sizeof(WCHAR) <= Dest->MaximumLength) Dest->Buffer[Dest->Length / sizeof(WCHAR)] = 0;
  return STATUS_SUCCESS;
}
KM_EXPORT(RtlAppendUnicodeStringToString);

NTSTATUS NTAPI RtlAppendUnicodeToString(PUNICODE_STRING Dest, PCWSTR Source)
{
  UNICODE_STRING s;
  RtlInitUnicodeString(&s, Source);
  return RtlAppendUnicodeStringToString(Dest, &s);
}
KM_EXPORT(RtlAppendUnicodeToString);

VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING String)
{
  if (String->Buffer != NULL) ExFreePool(String->Buffer);
  String->Buffer = NULL;
  String->Length = String->MaximumLength = 0;
}
KM_EXPORT(RtlFreeUnicodeString);

/* The string is allocated from the model's pool (freed with RtlFreeUnicodeString). */
NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING Dest, PCANSI_STRING Source, BOOLEAN Allocate)
{
  USHORT i, n = Source->Length;
  if (Allocate) {
    Dest->Buffer = (PWSTR)km_pool_alloc((SIZE_T)(n + 1) * sizeof(WCHAR), 0x72747352UL /* 'Rstr' */, KM_CALLER());
    if (Dest->Buffer == NULL) return STATUS_NO_MEMORY;
    Dest->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
  } else if ((ULONG)n * sizeof(WCHAR) > Dest->MaximumLength) {
    return STATUS_BUFFER_OVERFLOW;
  }
  for (i = 0; i < n; i++) Dest->Buffer[i] = (WCHAR)(UCHAR)Source->Buffer[i];
  Dest->Length = (USHORT)(n * sizeof(WCHAR));
  if (Dest->Length + sizeof(WCHAR) <= Dest->MaximumLength) Dest->Buffer[n] = 0;
  return STATUS_SUCCESS;
}
KM_EXPORT(RtlAnsiStringToUnicodeString);

SIZE_T NTAPI RtlCompareMemory(const VOID *A, const VOID *B, SIZE_T Length)
{
  SIZE_T i = 0;
  while (i < Length && ((const UCHAR *)A)[i] == ((const UCHAR *)B)[i]) i++;
  return i;
}
KM_EXPORT(RtlCompareMemory);

/* ------------------------------------------------------------------------------------- not modelled */
/* Calls drivers commonly make that the model does not implement: linking succeeds, and the call stops the
   harness with a message naming it. Any other kernel call fails at link time (undefined __imp_<name>). */
#define KM_UNMODELLED(name) \
  static void km_unmodelled_##name(void) { km_not_modelled(#name); } \
  KM_IMPORT_POINTER(name, &km_unmodelled_##name);

KM_UNMODELLED(IoAllocateMdl)
KM_UNMODELLED(IoFreeMdl)
KM_UNMODELLED(MmBuildMdlForNonPagedPool)
KM_UNMODELLED(MmMapLockedPagesSpecifyCache)
KM_UNMODELLED(MmProbeAndLockPages)
KM_UNMODELLED(MmUnlockPages)
KM_UNMODELLED(MmMapIoSpace)
KM_UNMODELLED(MmUnmapIoSpace)
KM_UNMODELLED(MmGetSystemRoutineAddress)
KM_UNMODELLED(IoBuildDeviceIoControlRequest)
KM_UNMODELLED(IoBuildSynchronousFsdRequest)
KM_UNMODELLED(IoBuildAsynchronousFsdRequest)
KM_UNMODELLED(IoGetDeviceObjectPointer)
KM_UNMODELLED(IoRegisterDeviceInterface)
KM_UNMODELLED(IoSetDeviceInterfaceState)
KM_UNMODELLED(IoGetDeviceProperty)
KM_UNMODELLED(IoOpenDeviceRegistryKey)
KM_UNMODELLED(IoAllocateErrorLogEntry)
KM_UNMODELLED(IoWriteErrorLogEntry)
KM_UNMODELLED(IoWMIRegistrationControl)
KM_UNMODELLED(PoStartNextPowerIrp)
KM_UNMODELLED(PoCallDriver)
KM_UNMODELLED(PoSetPowerState)
KM_UNMODELLED(PoRequestPowerIrp)
KM_UNMODELLED(PsCreateSystemThread)
KM_UNMODELLED(PsTerminateSystemThread)
KM_UNMODELLED(ObReferenceObjectByHandle)
KM_UNMODELLED(KeWaitForMultipleObjects)
KM_UNMODELLED(KeInitializeMutex)
KM_UNMODELLED(KeReleaseMutex)
KM_UNMODELLED(KeInitializeSemaphore)
KM_UNMODELLED(KeReleaseSemaphore)
KM_UNMODELLED(ExInitializeNPagedLookasideList)
KM_UNMODELLED(ExDeleteNPagedLookasideList)
KM_UNMODELLED(ExInitializeResourceLite)
KM_UNMODELLED(ExAcquireResourceExclusiveLite)
KM_UNMODELLED(ExReleaseResourceLite)
KM_UNMODELLED(ZwCreateFile)
KM_UNMODELLED(ZwOpenKey)
KM_UNMODELLED(ZwQueryValueKey)
KM_UNMODELLED(ZwClose)
KM_UNMODELLED(IoGetAttachedDeviceReference)
KM_UNMODELLED(IoAcquireRemoveLockEx)
KM_UNMODELLED(IoReleaseRemoveLockEx)
KM_UNMODELLED(IoReleaseRemoveLockAndWaitEx)
KM_UNMODELLED(IoInitializeRemoveLockEx)
KM_UNMODELLED(IoInitializeTimer)
KM_UNMODELLED(IoStartTimer)
KM_UNMODELLED(IoStopTimer)
