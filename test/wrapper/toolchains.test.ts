// Real build systems and toolchains through spincheck-cc: CMake (both ways), autoconf, mingw-w64 WDM, ccache (G23, G24).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { CLI, ROOT, cc, ensureBuilt, runRaw, scratch, wrapperEnv, writeTree } from './helpers.js';
import { LOCK_C, WDM_H, makeProject } from './projects.js';

beforeAll(() => ensureBuilt());

const CMAKE_LISTS = `cmake_minimum_required(VERSION 3.21)
project(drv C)
add_library(lock STATIC lib/lock.c lib/other.c)
target_include_directories(lock PUBLIC include)
add_executable(prog app/main.c mock/wdm.c)
target_include_directories(prog PRIVATE include)
target_link_libraries(prog lock)
`;

describe.runIf(haveTool('cmake') && haveTool('gcc') && haveTool('make'))('CMake', () => {
  const variants: Array<[string, (b: string) => string[]]> = [
    ['CMAKE_C_COMPILER=spincheck-cc', () => [`-DCMAKE_C_COMPILER=${CLI}`]],
    ['CMAKE_C_COMPILER_LAUNCHER + CMAKE_C_LINKER_LAUNCHER', () => ['-DCMAKE_C_COMPILER=gcc', `-DCMAKE_C_COMPILER_LAUNCHER=${CLI}`, `-DCMAKE_C_LINKER_LAUNCHER=${CLI}`]],
  ];
  it.each(variants)('%s builds an instrumented program with the same output', (_name, flags) => {
    const src = scratch('cmake');
    writeTree(src, { ...makeProject(), 'CMakeLists.txt': CMAKE_LISTS });
    const env = wrapperEnv({ SPINCHECK_CC: 'gcc', SPINCHECK_DIR: join(src, 'data') });
    const plain = runRaw('cmake', ['-S', '.', '-B', 'plain', '-DCMAKE_C_COMPILER=gcc'], src, env);
    expect(plain.status, plain.stderr.toString()).toBe(0);
    expect(runRaw('cmake', ['--build', 'plain'], src, env).status).toBe(0);
    const conf = runRaw('cmake', ['-S', '.', '-B', 'wrapped', ...flags('wrapped')], src, env);
    expect(conf.status, conf.stderr.toString()).toBe(0);
    const id = runRaw('sh', ['-c', 'cat wrapped/CMakeFiles/*/CMakeCCompiler.cmake'], src).stdout.toString();
    expect(id).toContain('set(CMAKE_C_COMPILER_ID "GNU")');
    const build = runRaw('cmake', ['--build', 'wrapped'], src, env);
    expect(build.status, build.stderr.toString()).toBe(0);
    expect(build.stderr.toString()).not.toMatch(/spincheck: warning/);
    const a = runRaw(join(src, 'plain/prog'), [], src, env);
    const b = runRaw(join(src, 'wrapped/prog'), [], src, env);
    expect(b.stdout.toString()).toBe(a.stdout.toString());
    expect(b.status).toBe(0);
    const lockObj = runRaw('find', ['wrapped', '-name', 'lock.c.o'], src).stdout.toString().trim();
    expect(runRaw('nm', [lockObj], src).stdout.toString()).toMatch(/spincheck_enter/);
    expect(runRaw('nm', [join(src, 'wrapped/prog')], src).stdout.toString()).toMatch(/T spincheck_enter/);
    expect(runRaw('nm', [join(src, 'wrapped/prog')], src).stdout.toString()).toMatch(/R spincheck_runtime_present/);
  });
});

describe.runIf(haveTool('cmake') && haveTool('gcc') && haveTool('make'))('CMake, compiler launcher only', () => {
  it('links that never see the runtime still succeed, on the weak stubs, and the report says so', () => {
    const src = scratch('cmake-launcher-only');
    writeTree(src, { ...makeProject(), 'CMakeLists.txt': CMAKE_LISTS });
    const data = join(src, 'data');
    const env = wrapperEnv({ SPINCHECK_CC: 'gcc', SPINCHECK_DIR: data });
    const conf = runRaw('cmake', ['-S', '.', '-B', 'b', '-DCMAKE_C_COMPILER=gcc', `-DCMAKE_C_COMPILER_LAUNCHER=${CLI}`], src, env);
    expect(conf.status, conf.stderr.toString()).toBe(0);
    const build = runRaw('cmake', ['--build', 'b'], src, env);
    expect(build.status, build.stderr.toString()).toBe(0);
    const nm = runRaw('nm', [join(src, 'b/prog')], src).stdout.toString();
    expect(nm).toMatch(/ W spincheck_enter/);
    expect(nm).not.toMatch(/spincheck_runtime_present/);
    expect(runRaw(join(src, 'b/prog'), [], src, env).status).toBe(0);
    const report = runRaw(process.execPath, [join(ROOT, 'dist/bin/spincheck.js'), 'report', data], src, env);
    expect(report.stdout.toString(), report.stdout.toString()).toMatch(/nothing was checked: 2 instrumented files compiled, but no run data was found/);
  });
});

describe.runIf(haveTool('autoconf') && haveTool('gcc') && haveTool('make'))('autoconf', () => {
  it('configure finds the same results with CC=spincheck-cc, leaving no conftest files', () => {
    const configureAc = `AC_INIT([drv], [1.0])
AC_CONFIG_HEADERS([config.h])
AC_PROG_CC
AC_PROG_CPP
AC_C_CONST
AC_C_INLINE
AC_CHECK_HEADERS([stdio.h stdlib.h unistd.h pthread.h no_such_header.h])
AC_CHECK_FUNCS([malloc strdup no_such_function_xyz])
AC_CHECK_SIZEOF([long])
AC_CHECK_LIB([pthread], [pthread_create])
AC_OUTPUT
`;
    const results: string[] = [];
    for (const wrapped of [false, true]) {
      const dir = scratch(`autoconf-${wrapped}`);
      writeTree(dir, { 'configure.ac': configureAc });
      expect(runRaw('autoheader', [], dir).status).toBe(0);
      expect(runRaw('autoconf', [], dir).status).toBe(0);
      const env = wrapperEnv({ SPINCHECK_CC: 'gcc' });
      const r = runRaw('sh', ['./configure', `CC=${wrapped ? CLI : 'gcc'}`], dir, env);
      expect(r.status, r.stderr.toString()).toBe(0);
      expect(r.stderr.toString()).toBe('');
      results.push(readFileSync(join(dir, 'config.h'), 'utf8'));
      expect(runRaw('sh', ['-c', 'ls conftest* 2>/dev/null | wc -l'], dir).stdout.toString().trim()).toBe('0');
    }
    expect(results[1]).toBe(results[0]);
    expect(results[0]).toContain('#define HAVE_PTHREAD_H 1');
  });
});

const WDM_DRIVER = `#include <ntddk.h>
#ifndef _Dispatch_type_
#define _Dispatch_type_(x)
#endif

DRIVER_DISPATCH DrvDispatch;
DRIVER_CANCEL DrvCancel;

VOID DrvCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
}

_Dispatch_type_(IRP_MJ_READ)
NTSTATUS DrvDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    UNREFERENCED_PARAMETER(DeviceObject);
    IoAcquireCancelSpinLock(&irql);
    IoSetCancelRoutine(Irp, DrvCancel);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_READ] = DrvDispatch;
    return STATUS_SUCCESS;
}
`;

const MINGW = 'x86_64-w64-mingw32-gcc';
describe.runIf(haveTool(MINGW))('mingw-w64 WDM driver file', () => {
  it('compiles against the DDK headers, instrumented, and the runtime builds for the target', () => {
    const dir = scratch('mingw');
    writeTree(dir, { 'drv.c': WDM_DRIVER });
    const args = ['-O1', '-Wall', '-I/usr/share/mingw-w64/include/ddk', '-c', 'drv.c', '-o', 'drv.o'];
    const plain = runRaw(MINGW, args, dir);
    expect(plain.status, plain.stderr.toString()).toBe(0);
    const r = cc([MINGW, ...args], dir);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(runRaw('x86_64-w64-mingw32-nm', ['drv.o'], dir).stdout.toString()).toMatch(/spincheck_enter/);
    const db = JSON.parse(readFileSync(join(dir, '.spincheck/sites', runRaw('ls', ['.spincheck/sites'], dir).stdout.toString().trim()), 'utf8'));
    expect(db).toMatchObject({ instrumented: true, source: 'drv.c' });
    expect(db.routines.map((x: { name: string }) => x.name).sort()).toEqual(['DrvCancel', 'DrvDispatch']);
    // A link through the wrapper gets the runtime archive built by the cross compiler (SPINCHECK_RUNTIME=always:
    // this program has no instrumented code of its own).
    writeTree(dir, { 'main.c': 'int main(void) { return 0; }\n' });
    const cache = scratch('mingw-cache');
    const link = cc([MINGW, 'main.c', '-o', 'main.exe'], dir, wrapperEnv({ SPINCHECK_CACHE_DIR: cache, SPINCHECK_RUNTIME: 'always' }));
    expect(link.stderr.toString()).toBe('');
    expect(link.status).toBe(0);
    const metas = runRaw('sh', ['-c', 'cat runtime/*/meta.json'], cache).stdout.toString();
    expect(JSON.parse(metas)).toEqual({ triple: 'x86_64-w64-mingw32', pull: [], libs: [] });
    const nm = runRaw('sh', ['-c', 'x86_64-w64-mingw32-nm runtime/*/libspincheck.a'], cache).stdout.toString();
    expect(nm).toMatch(/ T spincheck_enter/);
  });
});

describe.runIf(haveTool('ccache') && haveTool('gcc') && haveTool('make'))('ccache behind the wrapper (G24)', () => {
  it('a second clean build hits the cache for the instrumented file too', () => {
    const dir = scratch('ccache');
    writeTree(dir, makeProject());
    const env = wrapperEnv({ CCACHE_DIR: join(dir, '.ccache'), CCACHE_NOHASHDIR: '1' });
    const make = (): ReturnType<typeof runRaw> => runRaw('make', [`CC=${CLI} ccache gcc`], dir, env);
    const first = make();
    expect(first.status, first.stderr.toString()).toBe(0);
    expect(runRaw('nm', ['lib/lock.o'], dir).stdout.toString()).toMatch(/spincheck_enter/);
    const d1 = readFileSync(join(dir, 'lib/lock.d'), 'utf8');
    runRaw('ccache', ['-z'], dir, env);
    runRaw('sh', ['-c', 'rm -f prog lib/*.o lib/*.a lib/*.d app/*.o app/*.d mock/*.o mock/*.d'], dir);
    const second = make();
    expect(second.status, second.stderr.toString()).toBe(0);
    const stats = runRaw('ccache', ['--print-stats'], dir, env).stdout.toString();
    const hits = Number(/direct_cache_hit\t(\d+)/.exec(stats)?.[1] ?? 0) + Number(/preprocessed_cache_hit\t(\d+)/.exec(stats)?.[1] ?? 0);
    const misses = Number(/cache_miss\t(\d+)/.exec(stats)?.[1] ?? -1);
    expect(misses, stats).toBe(0);
    expect(hits).toBe(4);
    expect(readFileSync(join(dir, 'lib/lock.d'), 'utf8')).toBe(d1);
    expect(runRaw('nm', ['lib/lock.o'], dir).stdout.toString()).toMatch(/spincheck_enter/);
    expect(existsSync(join(dir, 'prog'))).toBe(true);
  });
});

// Keep a reference so unused-import checks stay quiet when a tool is missing.
void LOCK_C;
void WDM_H;
void writeFileSync;
