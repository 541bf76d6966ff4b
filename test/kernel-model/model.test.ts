// The kernel model's edges, on tiny drivers built with mingw-w64 and run under Wine: the amd64 CR8 IRQL
// intrinsics work with and without the port header, calls the model does not implement fail clearly (at
// run time for known ones, at link time for the rest), and `spincheck run` recognises Windows programs.
// For i686 (not run: see wdm-driver-i686.test.ts) the model compiles warning-free and links the same way.
import { chmodSync, copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { isWindowsProgram, launchFor, winePrefix } from '../../src/cli/wine.js';
import { haveTool, run } from '../helpers/tools.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string) => join(root, 'dist', 'bin', `${name}.js`);
const KM = join(root, 'templates', 'kernel-model');
const MINGW = 'x86_64-w64-mingw32-gcc';
const MINGW32 = 'i686-w64-mingw32-gcc';
const DDK = ['-I/usr/share/mingw-w64/include/ddk', `-I${KM}`];
const mingw = haveTool(MINGW);
const mingw32 = haveTool(MINGW32);
const ready = mingw && haveTool('wine');

const DRIVER = `#include <ntddk.h>
#include <stdio.h>
#include "kmodel.h"
static NTSTATUS NTAPI Entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
  KIRQL old, inner;
  (void)d; (void)r;
  KeRaiseIrql(DISPATCH_LEVEL, &old);
  IoAcquireCancelSpinLock(&inner);
  printf("irql %u %u %u\\n", old, inner, KeGetCurrentIrql());
  IoReleaseCancelSpinLock(inner);
  KeLowerIrql(old);
  printf("irql %u\\n", KeGetCurrentIrql());
#ifdef CALL_UNMODELLED
  IoFreeMdl(NULL);
#endif
#ifdef CALL_UNKNOWN
  { ULONG_PTR lo, hi; IoGetStackLimits(&lo, &hi); }
#endif
  return STATUS_SUCCESS;
}
int main(void) { KmLoadDriver(Entry, L"tiny", NULL); return KmFinish(); }
`;

/** A temp dir with tiny.c and the model compiled by `cc` (warnings are errors); the model's objects. */
function setUp(cc: string): { dir: string; model: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'spincheck-kmodel-'));
  writeFileSync(join(dir, 'tiny.c'), DRIVER);
  const model = ['km_io', 'km_ke', 'km_ex', 'km_port_win32'].map((f) => {
    const flags = f === 'km_port_win32' ? [] : [...DDK, '-include', join(KM, 'kmodel_port.h')];
    const r = run(cc, [...flags, '-O1', '-Wall', '-Wextra', '-Werror', '-c', join(KM, `${f}.c`), '-o', join(dir, `${f}.o`)]);
    expect(r.stderr).toBe('');
    return join(dir, `${f}.o`);
  });
  return { dir, model };
}

function buildTiny(cc: string, dir: string, model: string[], name: string, flags: string[]) {
  return run(cc, [...DDK, ...flags, '-O1', 'tiny.c', ...model, '-o', `${name}.exe`], { cwd: dir });
}

describe.runIf(mingw32)('kernel model edges (i686)', () => {
  let dir: string;
  let model: string[];

  beforeAll(() => {
    ({ dir, model } = setUp(MINGW32));
  });

  it('drivers calling the HAL IRQL calls, the cancel spin lock and a known unmodelled call link', () => {
    const r = buildTiny(MINGW32, dir, model, 'unmodelled', ['-include', join(KM, 'kmodel_port.h'), '-DCALL_UNMODELLED']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('any other kernel call fails at link time, naming its decorated import', () => {
    const r = buildTiny(MINGW32, dir, model, 'unknown', ['-DCALL_UNKNOWN']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("undefined reference to `_imp__IoGetStackLimits@8'");
  });
});

describe.runIf(mingw)('kernel model edges', () => {
  let dir: string;
  let model: string[];

  beforeAll(() => {
    ({ dir, model } = setUp(MINGW));
  });

  function build(name: string, flags: string[]) {
    return buildTiny(MINGW, dir, model, name, flags);
  }

  function runUnderSpincheck(program: string) {
    return run(process.execPath, [bin('spincheck'), 'run', '--data-dir', join(dir, 'data'), '--', program], { cwd: dir, env: { ...process.env, SPINCHECK_DIR: '' } });
  }

  it.runIf(ready)('the DDK\'s inline CR8 IRQL calls run on the model\'s IRQL, with the port header and without it', () => {
    for (const [name, flags] of [['port', ['-include', join(KM, 'kmodel_port.h')]], ['trap', []]] as const) {
      expect(build(name, [...flags]).status).toBe(0);
      const r = runUnderSpincheck(`./${name}.exe`);
      expect(r.stdout.replace(/\r/g, '')).toContain('irql 0 2 2\nirql 0\n');
      expect(r.status).toBe(0);
    }
  });

  it.runIf(ready)('a known call the model does not implement stops the run and names itself', () => {
    expect(build('unmodelled', ['-DCALL_UNMODELLED']).status).toBe(0);
    const r = runUnderSpincheck('./unmodelled.exe');
    expect(r.stderr).toContain('kmodel: fatal: the driver called IoFreeMdl, which the kernel model does not implement');
    expect(r.status).toBe(3);
  });

  it('any other kernel call fails at link time, naming it', () => {
    const r = build('unknown', ['-DCALL_UNKNOWN']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("undefined reference to `__imp_IoGetStackLimits'");
  });

  it('Windows programs are recognised by suffix or by their PE header; others run unchanged', async () => {
    expect(build('pe', ['-include', join(KM, 'kmodel_port.h')]).status).toBe(0);
    copyFileSync(join(dir, 'pe.exe'), join(dir, 'pe-no-suffix'));
    writeFileSync(join(dir, 'script'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'script'), 0o755);
    expect(isWindowsProgram('./pe-no-suffix', dir, process.env)).toBe(true);
    expect(isWindowsProgram('anything.EXE', dir, process.env)).toBe(true);
    expect(isWindowsProgram('./script', dir, process.env)).toBe(false);
    expect(isWindowsProgram('sh', dir, process.env)).toBe(false);
    const same = await launchFor('./script', ['a'], { PATH: process.env.PATH }, dir);
    expect(same).toEqual({ cmd: './script', args: ['a'], env: { PATH: process.env.PATH } });
    const wine = await launchFor('./pe-no-suffix', ['x'], { ...process.env, SPINCHECK_WINE: '/opt/wine/bin/wine64', WINEPREFIX: join(dir, 'pfx'), WINEDEBUG: '' }, dir).catch((e: Error) => e);
    // SPINCHECK_WINE names the loader; a prefix the user set is used as is (creating it needs that loader).
    expect(wine).toBeInstanceOf(Error);
    expect(String(wine)).toContain('/opt/wine/bin/wine64');
  });

  it.runIf(ready && mingw32)('a 32-bit program runs under Wine only where Wine can run it: never a silent exit 0', () => {
    writeFileSync(join(dir, 'w32.c'), 'int main(void) { return 7; }\n');
    expect(run(MINGW32, ['w32.c', '-o', 'w32.exe'], { cwd: dir }).status).toBe(0);
    const r = runUnderSpincheck('./w32.exe');
    const prefix = winePrefix(process.env, dir);
    if (existsSync(join(prefix, 'drive_c/windows/syswow64/ntdll.dll'))) {
      expect(r.status).toBe(7);
    } else {
      // Debian's wine64 alone: Wine itself would print an error and exit 0 without running the program.
      expect(r.stderr).toContain('./w32.exe is a 32-bit Windows program and the Wine prefix');
      expect(r.stderr).toContain('wine32:i386');
      expect(r.status).toBe(127);
    }
  });

  it.runIf(ready)('spincheck run starts a PE file without the .exe suffix under Wine and passes its status through', () => {
    const r = runUnderSpincheck('./pe-no-suffix');
    expect(r.stdout.replace(/\r/g, '')).toContain('irql 0 2 2\n');
    expect(r.status).toBe(0);
  });
});
