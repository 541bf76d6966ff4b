/* pnp.h: the PnP test drivers (pnp.c) and what their harness (harness.c) checks. */
#ifndef PNP_H
#define PNP_H 1

#define IOCTL_PNP_BUFFERED CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_PNP_NEITHER CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_PNP_PEND CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* {8f1a3c52-6b0e-4d7a-9c21-5e4f3a2b1c0d} */
static const GUID PnpInterface = { 0x8f1a3c52, 0x6b0e, 0x4d7a, { 0x9c, 0x21, 0x5e, 0x4f, 0x3a, 0x2b, 0x1c, 0x0d } };

typedef struct {
  int id;            /* IRP_MN_QUERY_ID through IoBuildSynchronousFsdRequest answered PNPTEST\1 */
  ULONG buffered;    /* METHOD_BUFFERED: 41 in, 42 copied back to the caller's buffer */
  ULONG neither;     /* METHOD_NEITHER, internal: 41 read from Type3InputBuffer, 82 written to UserBuffer */
  int internal;      /* ... sent as IRP_MJ_INTERNAL_DEVICE_CONTROL */
  int read;          /* IRP_MJ_READ on a DO_BUFFERED_IO device: 4 bytes copied back, no more */
  ULONG childStarts; /* IRP_MN_START_DEVICE of the child PDO */
  UNICODE_STRING link; /* its interface's symbolic link */
} PNP_RESULTS;
extern PNP_RESULTS PnpResults;

NTSTATUS NTAPI PnpBusEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Registry);
NTSTATUS NTAPI PnpFdoEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Registry);
NTSTATUS PnpSendPending(PKEVENT Event, PIO_STATUS_BLOCK Iosb, PULONG Out);
void PnpBusCompletePending(ULONG Value);

#endif
