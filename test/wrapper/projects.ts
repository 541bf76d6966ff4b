// Scratch projects the end-to-end wrapper tests build both ways (plain compiler and spincheck-cc).

/** A tiny WDM-like header: enough for driver code and a user-mode mock of the cancel spin lock. */
export const WDM_H = `#ifndef WDM_LITE_H
#define WDM_LITE_H
typedef unsigned char KIRQL;
typedef long NTSTATUS;
typedef struct _IRP { KIRQL CancelIrql; int Pending; } IRP, *PIRP;
typedef struct _DEVICE_OBJECT { int Id; } DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef NTSTATUS DRIVER_DISPATCH(PDEVICE_OBJECT DeviceObject, PIRP Irp);
typedef void DRIVER_CANCEL(PDEVICE_OBJECT DeviceObject, PIRP Irp);
void IoAcquireCancelSpinLock(KIRQL *Irql);
void IoReleaseCancelSpinLock(KIRQL Irql);
#endif
`;

/** Driver code using the lock correctly; quote-includes a header next to it ("util.h"). */
export const LOCK_C = `#include "util.h"
#include "lock.h"
#include <stdio.h>

DRIVER_DISPATCH LockDispatch;
DRIVER_CANCEL LockCancel;

NTSTATUS LockDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
    Irp->Pending = UTIL_VALUE;
    IoReleaseCancelSpinLock(irql);
    printf("%s:%d dispatch\\n", __FILE__, __LINE__);
    return 0;
}

void LockCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->Pending = 0;
}
`;

/** Files of a multi-directory make project with dependency files and an archive. */
export function makeProject(): Record<string, string> {
  return {
    'include/wdm.h': WDM_H,
    'lib/util.h': '#define UTIL_VALUE 42\n',
    'lib/lock.h': '#include <wdm.h>\nDRIVER_DISPATCH LockDispatch;\nDRIVER_CANCEL LockCancel;\n',
    'lib/lock.c': LOCK_C,
    'lib/other.c': '#include "util.h"\nint other(void) { return UTIL_VALUE + 1; }\n',
    // A different util.h: if lib/'s quote dir leaked into app/ compiles, main.c would see UTIL_VALUE 42.
    'app/util.h': '#define APP_VALUE 7\n',
    'app/main.c': `#include "util.h"
#include "../lib/lock.h"
#include <stdio.h>
int other(void);
int main(void)
{
    DEVICE_OBJECT dev = { 1 };
    IRP irp = { 0, 0 };
    KIRQL irql;
    NTSTATUS s = LockDispatch(&dev, &irp);
    IoAcquireCancelSpinLock(&irql);
    irp.CancelIrql = irql;
    LockCancel(&dev, &irp);
    printf("status=%ld pending=%d app=%d other=%d file=%s\\n", s, irp.Pending, APP_VALUE, other(), __FILE__);
    return 0;
}
`,
    'mock/wdm.c': `#include <wdm.h>
static int held;
void IoAcquireCancelSpinLock(KIRQL *Irql) { held = 1; *Irql = 2; }
void IoReleaseCancelSpinLock(KIRQL Irql) { (void)Irql; held = 0; }
`,
    Makefile: `CC ?= cc
CFLAGS = -g -O1 -Wall -Iinclude -MMD -MP
OBJS = lib/lock.o lib/other.o app/main.o mock/wdm.o

prog: app/main.o lib/liblock.a mock/wdm.o
\t$(CC) -o $@ app/main.o lib/liblock.a mock/wdm.o

lib/liblock.a: lib/lock.o lib/other.o
\tar rcs $@ $^

%.o: %.c
\t$(CC) $(CFLAGS) -c $< -o $@

-include $(OBJS:.o=.d)
`,
  };
}
