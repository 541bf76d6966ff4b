// The runtime only where it belongs (real gcc links): in executables whose link contains instrumented code, never
// in ELF shared libraries (a PE DLL keeps its own), one per process for drivers built as shared libraries (dlopen
// too); and every way the hooks can be lost ends in a report that says nothing was checked, never in a clean one.
// (And the link setting's neighbour in the configuration file: an unknown key is warned about.)
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { ROOT, cc, ensureBuilt, runRaw, scratch, wrapperEnv, writeTree } from './helpers.js';

beforeAll(() => ensureBuilt());

const LOCK_H = `typedef unsigned char KIRQL;
typedef struct _IRP { KIRQL CancelIrql; } IRP, *PIRP;
typedef struct _DEVICE_OBJECT *PDEVICE_OBJECT;
void IoAcquireCancelSpinLock(KIRQL *irql);
void IoReleaseCancelSpinLock(KIRQL irql);
`;
/** A cancel routine that returns without releasing the lock the I/O manager took for it. */
const DRIVER_C = `#include "lock.h"
typedef void DRIVER_CANCEL(PDEVICE_OBJECT D, PIRP Irp);
DRIVER_CANCEL LeakCancel;
void LeakCancel(PDEVICE_OBJECT D, PIRP Irp)
{
    (void)D;
    if (Irp->CancelIrql == 99) IoReleaseCancelSpinLock(Irp->CancelIrql);
}
`;
const MOCK_C = `#include "lock.h"
void IoAcquireCancelSpinLock(KIRQL *irql) { *irql = 2; }
void IoReleaseCancelSpinLock(KIRQL irql) { (void)irql; }
`;
const CALLER_C = `#include "lock.h"
void LeakCancel(PDEVICE_OBJECT D, PIRP Irp);
int main(void) { static IRP irp; LeakCancel(0, &irp); return 0; }
`;
const HOST_C = `#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv) {
  static char irp[16];
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { fprintf(stderr, "%s\\n", dlerror()); return 2; }
  ((void (*)(void *, void *))dlsym(h, "LeakCancel"))(0, irp);
  return 0;
}
`;
const PLAIN_C = 'int plain_value(void) { return 42; }\n';
const MAIN_C = '#include <stdio.h>\nint plain_value(void);\nint main(void) { printf("%d\\n", plain_value()); return 0; }\n';

const SPINCHECK = join(ROOT, 'dist/bin/spincheck.js');

describe.runIf(haveTool('gcc') && haveTool('nm') && haveTool('ar') && haveTool('strip') && haveTool('objcopy'))('where the runtime goes', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const build = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = cc(['gcc', ...args], dir, { ...env, ...extra });
    expect(r.status, r.stderr.toString()).toBe(0);
    return r.stderr.toString();
  };
  const nm = (file: string, dynamic = false) =>
    runRaw('nm', [...(dynamic ? ['-D'] : []), file], dir).stdout.toString().split('\n').filter((l) => / spincheck_/.test(l));
  /** Runs a program in a fresh data directory; then the report's JSON `unchecked`, violation kinds and status. */
  const runAndReport = (prog: string[], strict = true) => {
    const data = scratch('place-data');
    const runEnv = { ...env, SPINCHECK_OPTIONS: `data_dir=${data}` };
    const ran = runRaw(prog[0]!, prog.slice(1), dir, runEnv);
    const sites = join(dir, '.spincheck');
    const rep = runRaw(process.execPath, [SPINCHECK, 'report', sites, data, '--format', 'json', ...(strict ? ['--strict'] : [])], dir, runEnv);
    const json = JSON.parse(rep.stdout.toString()) as { unchecked: string | null; violations: Array<{ kind: string }> };
    return { ran, status: rep.status, unchecked: json.unchecked, kinds: json.violations.map((v) => v.kind) };
  };

  beforeAll(() => {
    dir = scratch('placement');
    writeTree(dir, { 'lock.h': LOCK_H, 'drv.c': DRIVER_C, 'mock.c': MOCK_C, 'caller.c': CALLER_C, 'host.c': HOST_C, 'plain.c': PLAIN_C, 'main.c': MAIN_C });
    env = wrapperEnv({ SPINCHECK_DIR: join(dir, '.spincheck') });
    build(['-fPIC', '-c', 'drv.c', '-o', 'drv.o']);
    build(['-fPIC', '-c', 'mock.c', '-o', 'mock.o']);
    expect(nm('drv.o')).not.toEqual([]);
  });

  it('a program and a shared library with no instrumented code get no runtime and print nothing', () => {
    const lib = build(['-fPIC', '-shared', 'plain.c', '-o', 'libplain.so']);
    expect(nm('libplain.so', true)).toEqual([]);
    const prog = build(['main.c', '-L.', '-lplain', '-Wl,-rpath,$ORIGIN', '-o', 'plain']);
    expect(lib + prog).toBe('');
    expect(nm('plain')).toEqual([]);
    const r = runRaw(join(dir, 'plain'), [], dir, env);
    expect([r.status, r.stdout.toString(), r.stderr.toString()]).toEqual([0, '42\n', '']);
  });

  it('a link of instrumented objects gets the runtime and checks', () => {
    build(['caller.c', 'drv.o', 'mock.o', '-o', 'direct']);
    expect(nm('direct').filter((l) => / T spincheck_enter$/.test(l))).toHaveLength(1);
    const r = runAndReport(['./direct']);
    expect(r.kinds).toEqual(['cancel-exit-held']);
    expect(r.unchecked).toBeNull();
  });

  it('a static archive of instrumented objects is found inside the archive', () => {
    expect(runRaw('ar', ['rcs', 'libdrv.a', 'drv.o', 'mock.o'], dir).status).toBe(0);
    build(['caller.c', 'libdrv.a', '-o', 'from-archive']);
    expect(runAndReport(['./from-archive']).kinds).toEqual(['cancel-exit-held']);
  });

  it('-Wl,--gc-sections, -fvisibility=hidden and a stripped binary keep the hooks', () => {
    build(['-fvisibility=hidden', '-ffunction-sections', '-fdata-sections', '-c', 'drv.c', '-o', 'drv-hidden.o']);
    build(['-Wl,--gc-sections', 'caller.c', 'drv-hidden.o', 'mock.o', '-o', 'gc-hidden']);
    expect(runRaw('strip', ['gc-hidden'], dir).status).toBe(0);
    expect(nm('gc-hidden')).toEqual([]);
    expect(runAndReport(['./gc-hidden']).kinds).toEqual(['cancel-exit-held']);
  });

  it('a shared library gets no runtime; the executable that loads it carries the one runtime of the process', () => {
    build(['-shared', 'drv.o', 'mock.o', '-o', 'libdrv.so']);
    // Only the instrumented objects' weak no-op stand-ins (the prelude's SPINCHECK_STUB functions and its three weak
    // data objects), none of the runtime's own names.
    const prelude = readFileSync(join(ROOT, 'src', 'runtime-c', 'spincheck_prelude.h'), 'utf8');
    const stubs = [...prelude.matchAll(/^SPINCHECK_STUB [^(]*?\b(spincheck_\w+)\(/gm)].map((m) => `W ${m[1]}`);
    expect(stubs.length).toBeGreaterThan(10);
    expect(nm('libdrv.so', true).map((l) => l.split(' ').slice(1).join(' ')).sort()).toEqual(
      [...stubs, 'V spincheck_lock', 'W spincheck_thread', 'W spincheck_spin_open'].sort(),
    );
    // Linked against it: the link names instrumented code, so the program carries the runtime.
    build(['caller.c', './libdrv.so', '-Wl,-rpath,$ORIGIN', '-o', 'linked-so']);
    expect(runAndReport(['./linked-so']).kinds).toEqual(['cancel-exit-held']);
  });

  it('dlopen: the host needs the runtime (SPINCHECK_RUNTIME=always); without it the report says nothing was checked', () => {
    build(['host.c', '-o', 'host-plain', '-ldl']);
    expect(nm('host-plain')).toEqual([]);
    const lost = runAndReport(['./host-plain', './libdrv.so']);
    expect(lost.ran.status).toBe(0);
    expect(lost.unchecked).toMatch(/no run data was found/);
    expect(lost.status).toBe(1);
    build(['host.c', '-o', 'host-rt', '-ldl'], { SPINCHECK_RUNTIME: 'always' });
    expect(runAndReport(['./host-rt', './libdrv.so']).kinds).toEqual(['cancel-exit-held']);
  });

  it('hooks that cannot reach the runtime linked beside them (bound locally, as gcc LTO once did): the run says so', () => {
    const hooks = ['acquire_pre', 'acquire_post', 'release_pre', 'enter', 'leave', 'register'];
    expect(runRaw('objcopy', [...hooks.map((h) => `--localize-symbol=spincheck_${h}`), 'drv.o', 'drv-local.o'], dir).status).toBe(0);
    build(['caller.c', 'drv-local.o', 'mock.o', '-o', 'unreachable']);
    expect(nm('unreachable').filter((l) => / T spincheck_enter$/.test(l))).toHaveLength(1);
    const r = runAndReport(['./unreachable']);
    expect(r.ran.status).toBe(0);
    expect(r.unchecked).toMatch(/^1 process wrote run data, but none ran a hook in the 1 instrumented file: .*cannot reach the runtime/);
    expect(r.status).toBe(1);
  });

  it('a link by the plain compiler (no runtime): the report fails under --strict, warns without', () => {
    expect(runRaw('gcc', ['caller.c', 'drv.o', 'mock.o', '-o', 'plain-link'], dir).status).toBe(0);
    const r = runAndReport(['./plain-link']);
    expect(r.ran.status).toBe(0);
    expect(r.unchecked).toMatch(/no run data was found/);
    expect(r.status).toBe(1);
    expect(runAndReport(['./plain-link'], false).status).toBe(0);
  });
});

const MINGW = 'x86_64-w64-mingw32-gcc';
describe.runIf(haveTool(MINGW))('where the runtime goes on PE/COFF (mingw-w64)', () => {
  it('a DLL of instrumented objects carries its own runtime: no weak stand-ins there, the link would fail without it', () => {
    const dir = scratch('placement-pe');
    writeTree(dir, { 'lock.h': LOCK_H, 'drv.c': DRIVER_C, 'mock.c': MOCK_C, 'plain.c': PLAIN_C });
    const env = wrapperEnv({ SPINCHECK_DIR: join(dir, '.spincheck') });
    const dll = cc([MINGW, '-shared', 'drv.c', 'mock.c', '-o', 'drv.dll'], dir, env);
    expect(dll.stderr.toString()).toBe('');
    expect(dll.status).toBe(0);
    expect(runRaw('x86_64-w64-mingw32-nm', ['drv.dll'], dir).stdout.toString()).toMatch(/ T spincheck_enter/);
    const plain = cc([MINGW, '-shared', 'plain.c', '-o', 'plain.dll'], dir, env);
    expect(plain.status).toBe(0);
    expect(runRaw('x86_64-w64-mingw32-nm', ['plain.dll'], dir).stdout.toString()).not.toMatch(/spincheck_/);
  });

  it("a link that fails for the program's own reason shows the linker's real errors only", () => {
    const dir = scratch('placement-pe-undefined');
    const main = 'void LeakCancel(void *D, void *Irp);\nvoid UserMissing(void);\nint main(void) { UserMissing(); LeakCancel(0, 0); return 0; }\n';
    writeTree(dir, { 'lock.h': LOCK_H, 'drv.c': DRIVER_C, 'mock.c': MOCK_C, 'main.c': main });
    const env = wrapperEnv({ SPINCHECK_DIR: join(dir, '.spincheck') });
    expect(cc([MINGW, '-c', 'main.c', 'drv.c', 'mock.c'], dir, env).status).toBe(0);
    const r = cc([MINGW, 'main.o', 'drv.o', 'mock.o', '-o', 'prog.exe'], dir, env);
    expect(r.status).not.toBe(0);
    expect(r.stderr.toString()).toMatch(/undefined reference to `UserMissing'/);
    expect(r.stderr.toString()).not.toMatch(/spincheck/);
  });
});

describe.runIf(haveTool('gcc'))('a link with the runtime that fails', () => {
  it('is linked without the runtime, with a warning that names the reason and says the program checks nothing', () => {
    const dir = scratch('placement-faulty-link');
    // A real gcc behind a script that refuses the runtime archive, as a linker fault (gcc 12's LTO crash) would.
    const faulty = join(dir, 'faulty-gcc');
    writeTree(dir, {
      'lock.h': LOCK_H,
      'drv.c': DRIVER_C,
      'mock.c': MOCK_C,
      'caller.c': CALLER_C,
      'faulty-gcc': '#!/bin/sh\nfor a in "$@"; do case "$a" in *libspincheck*) echo "ld: internal error in the linker" >&2; exit 1;; esac; done\nexec gcc "$@"\n',
    });
    chmodSync(faulty, 0o755);
    const env = wrapperEnv({ SPINCHECK_DIR: join(dir, '.spincheck') });
    expect(cc([faulty, '-c', 'drv.c', 'mock.c', 'caller.c'], dir, env).status).toBe(0);
    const r = cc([faulty, 'drv.o', 'mock.o', 'caller.o', '-o', 'prog'], dir, env);
    expect(r.status).toBe(0);
    expect(r.stderr.toString()).toBe(
      'spincheck: warning: linking the spincheck runtime failed, so the program was linked without it and its hooks check nothing; the linker said:\n  ld: internal error in the linker\n',
    );
    expect(runRaw('nm', ['prog'], dir).stdout.toString()).not.toMatch(/spincheck_runtime_present/);
  });
});

describe.runIf(haveTool('gcc'))('the configuration file', () => {
  it('an unknown key is warned about by the compile, which goes on instrumented', () => {
    const dir = scratch('config-keys');
    writeTree(dir, { 'lock.h': LOCK_H, 'drv.c': DRIVER_C, 'spincheck.config.json': '{ "linkRuntme": false }\n' });
    const r = cc(['gcc', '-c', 'drv.c', '-o', 'drv.o'], dir, wrapperEnv({ SPINCHECK_DIR: join(dir, '.spincheck') }));
    expect(r.stderr.toString()).toBe(
      `spincheck: warning: ${join(dir, 'spincheck.config.json')}: unknown key 'linkRuntme' ignored (known: disable, strict, dataDir, cacheDir, cc, cl, linkRuntime, roles)\n`,
    );
    expect(r.status).toBe(0);
    expect(runRaw('nm', ['drv.o'], dir).stdout.toString()).toMatch(/spincheck_enter/);
  });
});
