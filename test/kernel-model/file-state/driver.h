/* driver.h: the per-file-state test driver's entry point and IOCTL codes. */
#ifndef FS_DRIVER_H
#define FS_DRIVER_H 1
#include <ntddk.h>
#define IOCTL_FS_EXCLUSIVE_ON CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_FS_EXCLUSIVE_OFF CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* The bug check a read on a file object whose state is gone (closed) makes. */
#define FS_STATE_GONE 0xF11E
NTSTATUS NTAPI FsEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Registry);
#endif
