/* km_ex.c: model messages and errors, bugchecks, pool allocation with a leak report, the calls without
   observable semantics (no-ops), and what the generated stubs of the calls the model does not implement call. */
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

/* Formats "kmodel: <prefix><message> [<context>]"; the message alone goes to *message. Returns 0 for an error
   seen before (counted as a repeat, not printed). */
static int km_vprint(const char *prefix, char *message, size_t size, const char *fmt, va_list ap)
{
  char line[1280];
  vsnprintf(message, size, fmt, ap);
  snprintf(line, sizeof line - 2, "kmodel: %s%s", prefix, message);
  if (strncmp(prefix, "error", 5) == 0 && !km_first_time(line)) {
    km_repeats++;
    return 0;
  }
  if (km_context() != NULL) {
    size_t used = strlen(line);
    snprintf(line + used, sizeof line - used - 2, " [%s]", km_context());
  }
  strcat(line, "\n");
  km_write_stderr(line);
  return 1;
}

/* The spincheck runtime's record of a model finding, when the harness is linked with the runtime (a weak
   reference: a harness built without spincheck only prints). */
extern void spincheck_model_finding(const char *kind, unsigned long code, const char *message, const char *run)
  __attribute__((weak));

void km_record_finding(const char *kind, ULONG code, const char *message, const char *run)
{
  if (spincheck_model_finding != NULL) spincheck_model_finding(kind, code, message, run);
}

extern void spincheck_run_failed(void) __attribute__((weak));

void km_run_failed(void)
{
  km_count_error();
  if (spincheck_run_failed != NULL) spincheck_run_failed();
}

extern void spincheck_dump(void) __attribute__((weak));

/* A bugcheck or a stop ends the process at once, with status 3: exit() could hang (km_exit_now). What exit() would
   have written first is written here: spincheck's counters and violations (the findings are written as they
   happen, the campaign's status line too). */
static KM_NORETURN void km_end_now(void)
{
  if (spincheck_dump != NULL) spincheck_dump();
  km_exit_now(3);
}

static void km_finding(const char *kind, ULONG code, const char *message) { km_record_finding(kind, code, message, km_context()); }

void km_count_error(void) { InterlockedIncrement(&km_error_count); }

void km_note(const char *fmt, ...)
{
  char message[1024];
  va_list ap;
  if (!km_verbose()) return;
  va_start(ap, fmt);
  km_vprint("note: ", message, sizeof message, fmt, ap);
  va_end(ap);
}

static void km_vreport(const char *kind, const char *fmt, va_list ap)
{
  char message[1024];
  InterlockedIncrement(&km_error_count);
  if (km_vprint("error: ", message, sizeof message, fmt, ap)) km_finding(kind, 0, message);
}

/* A misuse a real kernel might survive or crash on later; counted, the run goes on. */
void km_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  km_vreport("model-error", fmt, ap);
  va_end(ap);
}

void km_report(const char *kind, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  km_vreport(kind, fmt, ap);
  va_end(ap);
}

/* A misuse the real kernel stops the machine for: print it, record it, and end the harness (or the campaign's
   run) at once with status 3. MULTIPLE_IRP_COMPLETE_REQUESTS is a finding of its own kind, double-completion. */
void km_bugcheck(const char *name, ULONG code, const char *fmt, ...)
{
  char what[64], message[1024], full[1200];
  va_list ap;
  snprintf(what, sizeof what, "bugcheck 0x%lX %s: ", (unsigned long)code, name);
  va_start(ap, fmt);
  km_vprint(what, message, sizeof message, fmt, ap);
  va_end(ap);
  snprintf(full, sizeof full, "%s%s", what, message);
  km_finding(code == 0x44 ? "double-completion" : "bugcheck", code, full);
  km_campaign_end(KM_RUN_BUGCHECK, code, full);
  km_end_now();
}

/* The run cannot go on (a call the model does not implement): print, record, end with status 3. */
void km_stop(const char *kind, const char *fmt, ...)
{
  char message[1024];
  va_list ap;
  va_start(ap, fmt);
  km_vprint("fatal: ", message, sizeof message, fmt, ap);
  va_end(ap);
  km_finding(kind, 0, message);
  km_campaign_end(KM_RUN_STOPPED, 0, message);
  km_end_now();
}

void km_not_modelled(const char *name)
{
  km_stop("not-modelled", "the driver called %s, which the kernel model does not implement; add it to "
          "templates/kernel-model (see docs/kernel-model.md, \"Adding a call\")", name);
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

#define KM_CALLER() KM_RETURN_ADDRESS()

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
    km_report("pool-leak", "pool leak: %lu bytes, tag '%s', allocation #%lu (called from %p)", (unsigned long)h->size, tag,
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
    km_report("pool-leak", "%s: pool leak: %lu bytes, tag '%s', allocation #%lu", label, (unsigned long)h->size, tag,
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

/* ------------------------------------------------------------------------ no observable semantics */
/* Calls whose effect a harness cannot observe: paging control (the model's memory is never paged) and the
   HAL's beep (a hardware poke). They do nothing and succeed. Every other kernel call the model does not
   implement resolves to a stub generated from the import libraries (km_stubs.sh) that stops the run. */
PVOID NTAPI MmLockPagableDataSection(PVOID AddressWithinSection) { return AddressWithinSection; }
KM_EXPORT(MmLockPagableDataSection);

VOID NTAPI MmLockPagableSectionByHandle(PVOID ImageSectionHandle) { (void)ImageSectionHandle; }
KM_EXPORT(MmLockPagableSectionByHandle);

VOID NTAPI MmUnlockPagableImageSection(PVOID ImageSectionHandle) { (void)ImageSectionHandle; }
KM_EXPORT(MmUnlockPagableImageSection);

PVOID NTAPI MmPageEntireDriver(PVOID AddressWithinSection) { return AddressWithinSection; }
KM_EXPORT(MmPageEntireDriver);

VOID NTAPI MmResetDriverPaging(PVOID AddressWithinSection) { (void)AddressWithinSection; }
KM_EXPORT(MmResetDriverPaging);

/* mingw-w64's ntddk.h declares it for x86 only; it is a HAL export on both targets. */
BOOLEAN NTAPI HalMakeBeep(ULONG Frequency);
BOOLEAN NTAPI HalMakeBeep(ULONG Frequency)
{
  (void)Frequency;
  return TRUE;
}
KM_EXPORT(HalMakeBeep);

/* ------------------------------------------------------------------------------------- not modelled */

/* Where a generated stub's data exports point (IoFileObjectType, KeNumberProcessors ...): zeroed storage. */
char km_stub_zero[256];

/* Every generated stub (km_stubs.c) calls this: the run stops, naming the call and its caller. */
void km_stub_called(const char *name, void *caller)
{
  char where[256];
  km_describe_address(caller, where, sizeof where);
  km_stop("not-modelled", "%s called %s, which the kernel model does not implement; to model it, define it in "
          "templates/kernel-model with the DDK's prototype and KM_EXPORT(%s) (docs/kernel-model.md, \"Adding a call\")",
          where, name, name);
}
