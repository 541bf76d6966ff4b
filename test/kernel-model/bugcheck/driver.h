/* driver.h: the bugcheck test driver's entry points. */
#ifndef BC_DRIVER_H
#define BC_DRIVER_H 1
#include <ntddk.h>
NTSTATUS NTAPI BcEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Registry);
/* Takes the cancel spin lock, releases it, and calls KeBugCheckEx(0xE2, ...) (MANUALLY_INITIATED_CRASH). */
VOID BcBugCheck(PVOID Context);
#endif
