// G29: a gcc precompiled header next to the source is still used for the instrumented copy.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { cc, ensureBuilt, runRaw, scratch, wrapperEnv, writeTree } from './helpers.js';

beforeAll(() => ensureBuilt());

describe.runIf(haveTool('gcc'))('precompiled headers (G29)', () => {
  it('gcc reports the .gch as used (-H prints "!") for an instrumented file', () => {
    const dir = scratch('pch');
    writeTree(dir, {
      'pch.h': 'typedef unsigned char KIRQL;\ntypedef struct _IRP { KIRQL CancelIrql; } IRP, *PIRP;\ntypedef struct _DEVICE_OBJECT { int x; } *PDEVICE_OBJECT;\ntypedef void VOID;\ntypedef VOID DRIVER_CANCEL(PDEVICE_OBJECT, PIRP);\nvoid IoReleaseCancelSpinLock(KIRQL);\n',
      'drv.c': '#include "pch.h"\nDRIVER_CANCEL C;\nVOID C(PDEVICE_OBJECT d, PIRP Irp) { (void)d; IoReleaseCancelSpinLock(Irp->CancelIrql); }\n',
    });
    expect(runRaw('gcc', ['-x', 'c-header', 'pch.h', '-o', 'pch.h.gch'], dir).status).toBe(0);
    const env = wrapperEnv({ SPINCHECK_CC: 'gcc', SPINCHECK_DIR: join(dir, 'data') });
    const r = cc(['-Winvalid-pch', '-H', '-c', 'drv.c', '-o', 'drv.o'], dir, env);
    expect(r.status).toBe(0);
    expect(r.stderr.toString()).toMatch(/^! .*pch\.h\.gch$/m);
    expect(runRaw('nm', ['drv.o'], dir).stdout.toString()).toMatch(/ d spincheck_tu_/);
  });
});
