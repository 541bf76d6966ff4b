/* km_port_win32.c: the model's host layer for Windows user mode (natively or under Wine). The only model
   file that includes <windows.h>; everything else sees the DDK headers only. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Ends the process at once (a bugcheck, a stop): no exit handlers, no DLL detach. exit() takes the loader lock,
   which another thread may hold while it waits for a lock the calling thread holds (a DLL attach blocked on the
   driver's critical section): the process would hang. The caller has written the run data; the C library's
   buffered output is flushed here. */
void km_exit_now(int status)
{
  fflush(stdout);
  fflush(stderr);
  TerminateProcess(GetCurrentProcess(), (UINT)status);
  _exit(status); /* only if TerminateProcess failed */
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

/* Names the code at addr as "function+0xoffset (module)" from the module's COFF symbol table (mingw-w64 keeps
   one in the image file unless it is stripped), else "module+0xrva". */
void km_describe_address(const void *addr, char *out, size_t size)
{
  HMODULE mod = NULL;
  char path[MAX_PATH];
  const char *leaf;
  unsigned char *image;
  IMAGE_NT_HEADERS *nt;
  DWORD rva, best = 0;
  char best_name[128] = "";
  FILE *f;

  if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          (LPCSTR)addr, &mod) || GetModuleFileNameA(mod, path, sizeof path) == 0) {
    snprintf(out, size, "%p", addr);
    return;
  }
  leaf = strrchr(path, '\\') != NULL ? strrchr(path, '\\') + 1 : path;
  image = (unsigned char *)mod;
  nt = (IMAGE_NT_HEADERS *)(image + ((IMAGE_DOS_HEADER *)image)->e_lfanew);
  rva = (DWORD)((const unsigned char *)addr - image);
  f = fopen(path, "rb");
  if (f != NULL && nt->FileHeader.PointerToSymbolTable != 0) {
    IMAGE_SECTION_HEADER *sec = IMAGE_FIRST_SECTION(nt);
    DWORD n = nt->FileHeader.NumberOfSymbols, i, strsize = 0;
    unsigned char *syms = (unsigned char *)malloc((size_t)n * IMAGE_SIZEOF_SYMBOL + 4);
    char *strings = NULL;
    if (syms != NULL && fseek(f, (long)nt->FileHeader.PointerToSymbolTable, SEEK_SET) == 0 &&
        fread(syms, IMAGE_SIZEOF_SYMBOL, n, f) == n && fread(&strsize, 4, 1, f) == 1 && strsize >= 4 &&
        (strings = (char *)malloc(strsize)) != NULL && fread(strings + 4, 1, strsize - 4, f) == strsize - 4) {
      for (i = 0; i < n; i += 1 + syms[i * IMAGE_SIZEOF_SYMBOL + 17]) {
        IMAGE_SYMBOL *s = (IMAGE_SYMBOL *)(syms + (size_t)i * IMAGE_SIZEOF_SYMBOL);
        DWORD at;
        if (s->SectionNumber <= 0 || s->SectionNumber > nt->FileHeader.NumberOfSections || ISFCN(s->Type) == 0) continue;
        at = sec[s->SectionNumber - 1].VirtualAddress + s->Value;
        if (at > rva || at < best) continue;
        best = at;
        if (s->N.Name.Short != 0) snprintf(best_name, sizeof best_name, "%.8s", (const char *)s->N.ShortName);
        else if (s->N.Name.Long < strsize) snprintf(best_name, sizeof best_name, "%s", strings + s->N.Name.Long);
      }
    }
    free(strings);
    free(syms);
  }
  if (f != NULL) fclose(f);
  if (best_name[0] != '\0') snprintf(out, size, "%s+0x%lx (%s)", best_name, (unsigned long)(rva - best), leaf);
  else snprintf(out, size, "%s+0x%lx", leaf, (unsigned long)rva);
}

void km_status_file(unsigned long index, char *path, size_t size)
{
  char dir[MAX_PATH];
  DWORD n = GetTempPathA(sizeof dir, dir);
  if (n == 0 || n >= sizeof dir) snprintf(dir, sizeof dir, ".\\");
  snprintf(path, size, "%skmodel-%lu-%lu.status", dir, (unsigned long)GetCurrentProcessId(), index);
  DeleteFileA(path);
}

void km_remove_file(const char *path) { DeleteFileA(path); }

void km_set_env(const char *name, const char *value) { SetEnvironmentVariableA(name, value); }

/* The same program with the same command line; the run's index and status file in its environment. */
int km_spawn_run(unsigned long index, const char *status, unsigned long timeout_ms, unsigned long *exit_code)
{
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  WCHAR module[MAX_PATH];
  char number[32];
  DWORD code = 0, waited;
  BOOL started;
  fflush(stdout);
  fflush(stderr);
  if (GetModuleFileNameW(NULL, module, MAX_PATH) == 0) return -1;
  snprintf(number, sizeof number, "%lu", index);
  SetEnvironmentVariableA("KMODEL_CAMPAIGN_RUN", number);
  SetEnvironmentVariableA("KMODEL_CAMPAIGN_STATUS", status);
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  started = CreateProcessW(module, GetCommandLineW(), NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
  SetEnvironmentVariableA("KMODEL_CAMPAIGN_RUN", NULL);
  SetEnvironmentVariableA("KMODEL_CAMPAIGN_STATUS", NULL);
  if (!started) return -1;
  waited = WaitForSingleObject(pi.hProcess, timeout_ms);
  if (waited == WAIT_TIMEOUT) {
    TerminateProcess(pi.hProcess, 0xDEAD);
    WaitForSingleObject(pi.hProcess, INFINITE);
  }
  GetExitCodeProcess(pi.hProcess, &code);
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  *exit_code = code;
  return waited == WAIT_TIMEOUT ? 1 : 0;
}
