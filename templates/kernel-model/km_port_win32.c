/* km_port_win32.c: the model's host layer for Windows user mode (natively or under Wine). The only model
   file that includes <windows.h>; everything else sees the DDK headers only. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

/* From km_ke.c (declared here: km_internal.h needs the DDK headers, which clash with <windows.h>). */
unsigned char km_irql(void);
void km_set_irql(unsigned char irql);

/* A small id of the calling thread. */
unsigned long km_thread_id(void) { return (unsigned long)GetCurrentThreadId(); }

/* Lets another thread run (spin-lock contention). */
void km_yield(void) { SwitchToThread(); }

void km_sleep_ms(unsigned long ms) { Sleep(ms); }

void km_write_stderr(const char *text)
{
  fputs(text, stderr);
  fflush(stderr);
}

/* Ends the harness; exit() runs the spincheck runtime's exit handler, so counters are written. */
void km_exit(int status)
{
  fflush(stdout);
  exit(status);
}

#if defined(__x86_64__) || defined(_M_X64)
/* The DDK's amd64 KeGetCurrentIrql, KeRaiseIrql and KeLowerIrql are inline `mov cr8` instructions, which
   fault in user mode. A driver compiled without the port header (or with MSVC, where __readcr8 is an
   intrinsic) lands here: the instruction is emulated on the model's IRQL and execution continues. */
static LONG CALLBACK km_trap(PEXCEPTION_POINTERS info)
{
  DWORD code = info->ExceptionRecord->ExceptionCode;
  CONTEXT *c = info->ContextRecord;
  const unsigned char *p;
  DWORD64 *regs;
  unsigned rex = 0, n = 0, modrm, reg;

  if (code == EXCEPTION_ACCESS_VIOLATION) {
    if (info->ExceptionRecord->NumberParameters < 1 || info->ExceptionRecord->ExceptionInformation[0] == 8)
      return EXCEPTION_CONTINUE_SEARCH;
  } else if (code != EXCEPTION_PRIV_INSTRUCTION) {
    return EXCEPTION_CONTINUE_SEARCH;
  }
  p = (const unsigned char *)(ULONG_PTR)c->Rip;
  if ((p[0] & 0xF0) == 0x40) rex = p[n++];
  if (!(rex & 4) || p[n] != 0x0F || (p[n + 1] != 0x20 && p[n + 1] != 0x22)) return EXCEPTION_CONTINUE_SEARCH;
  modrm = p[n + 2];
  if ((modrm & 0xC0) != 0xC0 || ((modrm >> 3) & 7) != 0) return EXCEPTION_CONTINUE_SEARCH;
  reg = (modrm & 7) | ((rex & 1) << 3);
  regs = &c->Rax; /* Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8..R15: the instruction encoding's order */
  if (p[n + 1] == 0x20) regs[reg] = km_irql();
  else km_set_irql((unsigned char)(regs[reg] & 15));
  c->Rip += n + 3;
  return EXCEPTION_CONTINUE_EXECUTION;
}

void km_install_trap_handler(void)
{
  static volatile LONG installed;
  if (InterlockedExchange(&installed, 1) == 0) AddVectoredExceptionHandler(1, km_trap);
}
#else
void km_install_trap_handler(void) {}
#endif
