// Helpers for the spincheck-cl tests: a faithful clang-cl, the built CLI, a stub runtime, WDM-style sources.
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haveTool } from '../helpers/tools.js';
import { ROOT, runRaw, wrapperEnv } from '../wrapper/helpers.js';
import type { Ran } from '../wrapper/helpers.js';

export const CL_CLI = join(ROOT, 'dist/bin/spincheck-cl.js');
export const CL_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const FAKE_CL = join(CL_FIXTURES, 'fake-cl.mjs');

/**
 * A clang-cl to test with: `clang-cl` or `clang-cl-14` on PATH (Debian: clang-tools-14), else a `clang-cl` symlink to
 * clang in a scratch directory (clang picks cl mode from argv[0], so that is clang-cl). Null when clang is missing.
 */
export function findClangCl(): string | null {
  for (const name of ['clang-cl', 'clang-cl-14']) {
    if (haveToolQuiet(name)) return name;
  }
  if (!haveTool('clang')) return null;
  const dir = join(tmpdir(), `spincheck-clang-cl-${process.getuid?.() ?? 0}`);
  const link = join(dir, 'clang-cl');
  if (!existsSync(link)) {
    mkdirSync(dir, { recursive: true });
    try {
      symlinkSync(runRaw('sh', ['-c', 'command -v clang'], '/').stdout.toString().trim(), link);
    } catch {
      // Another test file made it first.
    }
  }
  return link;
}

function haveToolQuiet(name: string): boolean {
  try {
    return runRaw(name, ['--version'], '/').status === 0;
  } catch {
    return false;
  }
}

/** Runs `node dist/bin/spincheck-cl.js ARGS`. */
export function spincheckCl(args: string[], cwd: string, env: NodeJS.ProcessEnv = clEnv()): Ran {
  return runRaw(process.execPath, [CL_CLI, ...args], cwd, env);
}

/** Wrapper environment without CL/_CL_/INCLUDE from the outside, the runtime off unless asked. */
export function clEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = wrapperEnv();
  delete env.CL;
  delete env._CL_;
  delete env.INCLUDE;
  return { ...env, SPINCHECK_RUNTIME: '0', ...extra };
}

/** A WDM-style driver file with self-contained declarations (no SDK headers). */
export const WDM_HEADER = `#ifndef WDM_MINI_H
#define WDM_MINI_H
typedef unsigned char KIRQL, *PKIRQL;
typedef long NTSTATUS;
typedef void VOID;
#define STATUS_SUCCESS ((NTSTATUS)0)
#define STATUS_PENDING ((NTSTATUS)0x103)
#define IRP_MJ_READ 3
struct _DEVICE_OBJECT; struct _IRP;
typedef NTSTATUS DRIVER_DISPATCH(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp);
typedef VOID DRIVER_CANCEL(struct _DEVICE_OBJECT *DeviceObject, struct _IRP *Irp);
typedef struct _IRP { KIRQL CancelIrql; DRIVER_CANCEL *CancelRoutine; NTSTATUS Status; } IRP, *PIRP;
typedef struct _DEVICE_OBJECT { void *DeviceExtension; } DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct _DRIVER_OBJECT { DRIVER_DISPATCH *MajorFunction[28]; } DRIVER_OBJECT, *PDRIVER_OBJECT;
void __stdcall IoAcquireCancelSpinLock(PKIRQL Irql);
void __stdcall IoReleaseCancelSpinLock(KIRQL Irql);
DRIVER_CANCEL *__stdcall IoSetCancelRoutine(PIRP Irp, DRIVER_CANCEL *Routine);
#endif
`;

export const WDM_DRIVER = `#include "wdm-mini.h"
#include "local.h"

DRIVER_CANCEL ReadCancel;
DRIVER_DISPATCH ReadDispatch;

VOID ReadCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  (void)DeviceObject;
  IoReleaseCancelSpinLock(Irp->CancelIrql);
  Irp->Status = LOCAL_CANCELLED;
}

NTSTATUS ReadDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
  KIRQL irql;
  (void)DeviceObject;
  IoAcquireCancelSpinLock(&irql);
  IoSetCancelRoutine(Irp, ReadCancel);
  IoReleaseCancelSpinLock(irql);
  return STATUS_PENDING;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject)
{
  DriverObject->MajorFunction[IRP_MJ_READ] = ReadDispatch;
  return STATUS_SUCCESS;
}
`;

export const LOCAL_H = '#define LOCAL_CANCELLED ((NTSTATUS)0xC0000120L)\n';

/** A file with nothing to instrument. */
export const PLAIN_C = '#include "local.h"\nint plain(void) { return (int)LOCAL_CANCELLED; }\n';
