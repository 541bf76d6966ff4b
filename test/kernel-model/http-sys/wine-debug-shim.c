/* wine-debug-shim.c: the wine/debug.h entry points Wine's own modules import from Wine's ntdll (no import
   library for them exists outside Wine's build). Tracing is off: nothing is printed. */
struct __wine_debug_channel;

unsigned char __cdecl __wine_dbg_get_channel_flags(struct __wine_debug_channel *channel)
{
  (void)channel;
  return 0;
}

const char *__cdecl __wine_dbg_strdup(const char *str) { return str; }

int __cdecl __wine_dbg_output(const char *str)
{
  (void)str;
  return 0;
}

int __cdecl __wine_dbg_header(int cls, struct __wine_debug_channel *channel, const char *function)
{
  (void)cls;
  (void)channel;
  (void)function;
  return -1;
}

/* Wine's msvcrt headers send sprintf and friends to the UCRT's __stdio_common_vsprintf; the harness links
   msvcrt (linking ucrtbase too hangs the process at start-up), so this forwards to msvcrt's vsnprintf. */
#include <stdarg.h>
#include <stdio.h>

static int __cdecl shim_stdio_common_vsprintf(unsigned long long options, char *str, size_t len, const char *format,
                                              void *locale, va_list args)
{
  (void)options;
  (void)locale;
  return vsnprintf(str, len, format, args);
}
void *__imp___stdio_common_vsprintf = (void *)shim_stdio_common_vsprintf;

/* The same for swprintf (__stdio_common_vswprintf), to msvcrt's _vsnwprintf. */
#include <wchar.h>

static int __cdecl shim_stdio_common_vswprintf(unsigned long long options, wchar_t *str, size_t len, const wchar_t *format,
                                               void *locale, va_list args)
{
  (void)options;
  (void)locale;
  return _vsnwprintf(str, len, format, args);
}
void *__imp___stdio_common_vswprintf = (void *)shim_stdio_common_vswprintf;
