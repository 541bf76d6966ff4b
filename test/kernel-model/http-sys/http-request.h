/* http-request.h: what a harness of Wine's http.sys sends it (Wine's include/wine/http.h, restated for harnesses
   built against the DDK), and the harnesses' check that prints a failure. */
#ifndef HTTP_REQUEST_H
#define HTTP_REQUEST_H 1
#include <stdio.h>

#define IOCTL_HTTP_RECEIVE_REQUEST CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, 0)

struct http_receive_request_params {
  ULONGLONG addr;
  ULONGLONG id; /* HTTP_REQUEST_ID; HTTP_NULL_ID (0): any request */
  ULONG flags;
  ULONG bits;
};

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static int failures;

static void expect(int ok, const char *what)
{
  if (!ok) {
    printf("http-harness: FAILED: %s\n", what);
    failures++;
  }
}
#endif
