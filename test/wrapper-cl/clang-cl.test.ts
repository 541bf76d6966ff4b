// spincheck-cl in front of a real clang-cl, compared with running clang-cl directly; links by lld-link (M1-M15).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { ROOT, runRaw, scratch, writeTree } from '../wrapper/helpers.js';
import { CL_FIXTURES, LOCAL_H, WDM_DRIVER, WDM_HEADER, clEnv, findClangCl, spincheckCl } from './helpers.js';

const CLANG_CL = findClangCl();
const LLD_LINK = haveTool('lld-link', '--version') ? 'lld-link' : null;
const NM = haveTool('llvm-nm') ? 'llvm-nm' : null;

/** A project: `my src/drv.c` with its headers beside it. */
function project(extra: Record<string, string | Buffer> = {}): string {
  const dir = scratch('clangcl');
  writeTree(dir, { 'my src/drv.c': WDM_DRIVER, 'my src/wdm-mini.h': WDM_HEADER, 'my src/local.h': LOCAL_H, ...extra });
  mkdirSync(join(dir, 'out'), { recursive: true });
  return dir;
}

function direct(args: string[], cwd: string, env: NodeJS.ProcessEnv = clEnv()) {
  return runRaw(CLANG_CL!, args, cwd, env);
}

function symbols(obj: string, cwd: string): string {
  return runRaw(NM!, [obj], cwd).stdout.toString();
}

function siteDbs(dir: string): Array<Record<string, unknown>> {
  const sites = join(dir, '.spincheck', 'sites');
  if (!existsSync(sites)) return [];
  return readdirSync(sites).map((n) => JSON.parse(readFileSync(join(sites, n), 'utf8')) as Record<string, unknown>);
}

const HOOKS = ['spincheck_acquire_pre', 'spincheck_acquire_post', 'spincheck_release_pre', 'spincheck_enter', 'spincheck_leave', 'spincheck_register'];

describe.runIf(CLANG_CL && NM)('spincheck-cl with clang-cl', () => {
  it('compiles a WDM-style driver at /W4 /WX with every hook, the stand-ins and SEH exits in the object (M1)', () => {
    const dir = project();
    const r = spincheckCl([CLANG_CL!, '/nologo', '/c', '/W4', '/WX', 'my src/drv.c', '/Foout/'], dir);
    expect(r.stderr.toString() + r.stdout.toString()).toBe('');
    expect(r.status).toBe(0);
    const nm = symbols('out/drv.obj', dir);
    for (const h of HOOKS) {
      expect(nm).toMatch(new RegExp(`U ${h}$`, 'm'));
      expect(nm).toMatch(new RegExp(`T ${h.replace('spincheck_', 'spincheck_stub_')}$`, 'm'));
    }
    expect(nm).toMatch(/U __C_specific_handler$/m);
    const [db] = siteDbs(dir);
    expect(db).toMatchObject({ source: 'my src/drv.c', instrumented: true });
    expect((db!.sites as unknown[]).length).toBeGreaterThan(4);
  });

  it('accepts - and / prefixes alike', () => {
    const dir = project();
    const r = spincheckCl([CLANG_CL!, '-nologo', '-c', '-W4', 'my src/drv.c', '-Foout/'], dir);
    expect(r.status).toBe(0);
    expect(symbols('out/drv.obj', dir)).toMatch(/U spincheck_enter$/m);
  });

  it('/showIncludes lists the same headers as clang-cl alone: no temp path, no spincheck header (M8)', () => {
    const dir = project();
    const args = ['/nologo', '/c', '/showIncludes', 'my src/drv.c', '/Foout/'];
    const want = direct(args, dir);
    const got = spincheckCl([CLANG_CL!, ...args], dir);
    expect(got.status).toBe(0);
    expect(got.stdout.toString()).toBe(want.stdout.toString());
    expect(got.stdout.toString()).toContain('my src/wdm-mini.h');
    expect(got.stdout.toString()).not.toMatch(/spincheck|tmp/);
    expect(symbols('out/drv.obj', dir)).toMatch(/U spincheck_enter$/m);
  });

  it.each([['/E'], ['/EP']])('%s passes through: output identical to clang-cl (M9)', (flag) => {
    const dir = project();
    const args = ['/nologo', flag, 'my src/drv.c'];
    const want = direct(args, dir);
    const got = spincheckCl([CLANG_CL!, ...args], dir);
    expect(got.status).toBe(0);
    expect(got.stdout.equals(want.stdout)).toBe(true);
    expect(siteDbs(dir)).toEqual([]);
  });

  it('/P passes through: the .i file is identical', () => {
    const dir = project();
    expect(direct(['/nologo', '/P', '/Fiwant.i', 'my src/drv.c'], dir).status).toBe(0);
    expect(spincheckCl([CLANG_CL!, '/nologo', '/P', '/Figot.i', 'my src/drv.c'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'got.i'), 'utf8')).toBe(readFileSync(join(dir, 'want.i'), 'utf8'));
  });

  it.each([
    ['the source directory before /I', { 'my src/force.h': '#define FORCED 1\n', 'inc/force.h': '#error wrong force.h\n' }],
    ['the working directory first', { 'force.h': '#define FORCED 1\n', 'my src/force.h': '#error wrong force.h\n' }],
    ['/I when nowhere else', { 'inc/force.h': '#define FORCED 1\n' }],
  ])('/FI: a relative forced include opens the file clang-cl opens for the original: %s (M6)', (_name, files) => {
    const dir = project(files);
    const args = ['/nologo', '/c', '/showIncludes', '/I', 'inc', '/FI', 'force.h', 'my src/drv.c', '/Foout/'];
    writeFileSync(join(dir, 'my src/drv.c'), `#ifndef FORCED\n#error not forced\n#endif\n${WDM_DRIVER}`);
    const want = direct(args, dir);
    expect(want.status).toBe(0);
    const got = spincheckCl([CLANG_CL!, ...args], dir);
    // clang-cl warns (-Wmicrosoft-include) when it finds the file in the source's directory; the wrapper names it.
    expect(got.stdout.toString()).toBe(want.stdout.toString());
    expect(got.status).toBe(0);
    expect(symbols('out/drv.obj', dir)).toMatch(/U spincheck_enter$/m);
  });

  it.each([
    ['UTF-8', (t: string) => Buffer.from(t, 'utf8')],
    ['UTF-8 with BOM', (t: string) => Buffer.from(`\uFEFF${t}`, 'utf8')],
    ['UTF-16LE with BOM', (t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')])],
  ])('@rsp in %s: same /showIncludes as clang-cl, instrumented (M11)', (_name, encode) => {
    const dir = project();
    writeFileSync(join(dir, 'args.rsp'), encode('/nologo /c /showIncludes\r\n"my src/drv.c"\r\n/Foout/\r\n'));
    const want = direct(['@args.rsp'], dir);
    expect(want.status).toBe(0);
    const got = spincheckCl([CLANG_CL!, '@args.rsp'], dir);
    expect(got.status).toBe(0);
    expect(got.stdout.toString()).toBe(want.stdout.toString());
    expect(symbols('out/drv.obj', dir)).toMatch(/U spincheck_enter$/m);
  });

  it('CL and _CL_: options and even the source come from the environment, as clang-cl reads them (M13)', () => {
    const dir = project();
    writeFileSync(join(dir, 'my src/drv.c'), `#if EXTRA != 2\n#error EXTRA\n#endif\n${WDM_DRIVER}`);
    const env = clEnv({ CL: '/nologo /c /showIncludes "my src/drv.c"', _CL_: '/DEXTRA#2 /Foout/' });
    const want = direct([], dir, env);
    expect(want.stdout.toString() + want.stderr.toString()).toContain('wdm-mini.h');
    expect(want.status).toBe(0);
    const got = spincheckCl([CLANG_CL!], dir, env);
    expect(got.stdout.toString()).toBe(want.stdout.toString());
    expect(got.status).toBe(0);
    expect(symbols('out/drv.obj', dir)).toMatch(/U spincheck_enter$/m);
  });

  it('/Fo as a directory and as a file (M2)', () => {
    const dir = project({ 'b/b.c': WDM_DRIVER.replace(/Read/g, 'Write').replace('"wdm-mini.h"', '"../my src/wdm-mini.h"').replace('"local.h"', '"../my src/local.h"') });
    expect(spincheckCl([CLANG_CL!, '/nologo', '/c', 'my src/drv.c', 'b/b.c', '/Foout/'], dir).status).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['b.obj', 'drv.obj']);
    expect(spincheckCl([CLANG_CL!, '/nologo', '/c', 'my src/drv.c', '/Foout/named.obj'], dir).status).toBe(0);
    expect(symbols('out/named.obj', dir)).toMatch(/U spincheck_enter$/m);
    expect(siteDbs(dir).map((d) => d.source).sort()).toEqual(['b/b.c', 'my src/drv.c']);
  });

  it('/Tc names a C source with another extension (M7)', () => {
    const dir = project({ 'my src/drv.dc': WDM_DRIVER });
    expect(spincheckCl([CLANG_CL!, '/nologo', '/c', '/Tc', 'my src/drv.dc', '/Foout/d.obj'], dir).status).toBe(0);
    expect(symbols('out/d.obj', dir)).toMatch(/U spincheck_enter$/m);
    expect(spincheckCl([CLANG_CL!, '/nologo', '/c', '/TP', 'my src/drv.c', '/Foout/p.obj'], dir).status).toBe(0);
    expect(symbols('out/p.obj', dir)).not.toMatch(/spincheck_enter/);
  });

  it('/Z7: CodeView names the original source, not the copy (M3/M4)', () => {
    const dir = project();
    expect(spincheckCl([CLANG_CL!, '/nologo', '/c', '/Z7', 'my src/drv.c', '/Foout/'], dir).status).toBe(0);
    if (!haveTool('llvm-readobj')) return;
    const cv = runRaw('llvm-readobj', ['--codeview', 'out/drv.obj'], dir).stdout.toString();
    const files = [...cv.matchAll(/(?:SourceFile|Filename): (.*) \(0x/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).not.toMatch(/spincheck-[A-Za-z0-9]{6}\/s\d/);
    expect(files).toContain(join(dir, 'my src/drv.c'));
  });

  it('a genuine error shows as clang-cl prints it, once', () => {
    const dir = project();
    writeFileSync(join(dir, 'my src/drv.c'), `${WDM_DRIVER}\nint broken = ;\n`);
    const args = ['/nologo', '/c', 'my src/drv.c', '/Foout/'];
    const want = direct(args, dir);
    const got = spincheckCl([CLANG_CL!, ...args], dir);
    expect(got.status).toBe(want.status);
    expect(got.stdout.toString() + got.stderr.toString()).toBe(want.stdout.toString() + want.stderr.toString());
  });
});

/** Harness for link tests: the I/O manager's functions and SEH's handler, no C library. */
const HARNESS = `typedef unsigned char KIRQL;
void __stdcall IoAcquireCancelSpinLock(KIRQL *irql) { *irql = 2; }
void __stdcall IoReleaseCancelSpinLock(KIRQL irql) { (void)irql; }
void *__stdcall IoSetCancelRoutine(void *irp, void *routine) { (void)irp; return routine; }
int __C_specific_handler(void *a, void *b, void *c, void *d) { (void)a; (void)b; (void)c; (void)d; return 1; }
struct _DRIVER_OBJECT { void *MajorFunction[28]; };
long DriverEntry(struct _DRIVER_OBJECT *d);
int main(void) { struct _DRIVER_OBJECT d; return (int)DriverEntry(&d); }
`;
const STUB_RUNTIME = join(CL_FIXTURES, 'stub-runtime');
const NOCRT = ['/NODEFAULTLIB:libcmt', '/NODEFAULTLIB:oldnames', '/entry:main', '/subsystem:console'];

describe.runIf(CLANG_CL && NM && LLD_LINK)('spincheck-cl: the runtime reaches links by #pragma comment(lib) (M14/M15)', () => {
  const env = (cache: string, extra: NodeJS.ProcessEnv = {}) =>
    clEnv({ SPINCHECK_RUNTIME: '1', SPINCHECK_RUNTIME_SRC: STUB_RUNTIME, SPINCHECK_CACHE_DIR: cache, ...extra });

  it('builds one runtime library per CRT variant and names it in the object', () => {
    const dir = project();
    const cache = scratch('cl-cache');
    for (const [crt, name] of [['/MT', 'spincheck_mt.lib'], ['/MDd', 'spincheck_mdd.lib']] as const) {
      const r = spincheckCl([CLANG_CL!, '/nologo', '/c', '/GS-', crt, 'my src/drv.c', `/Foout/${name}.obj`], dir, env(cache));
      expect(r.stderr.toString()).toBe('');
      expect(r.status).toBe(0);
      const directives = runRaw('llvm-objdump', ['-s', '-j', '.drectve', `out/${name}.obj`], dir).stdout.toString();
      expect(directives.replace(/^ \S+ ((?:[0-9a-f]{8} ?){1,4}).*$/gm, '$1').replace(/\s/g, '')).toContain(
        Buffer.from(name).toString('hex'),
      );
    }
    const libs = readdirSync(join(cache, 'runtime')).flatMap((k) => (k.endsWith('.failed') ? [] : readdirSync(join(cache, 'runtime', k))));
    expect(libs.filter((n) => n.endsWith('.lib')).sort()).toEqual(['spincheck_mdd.lib', 'spincheck_mt.lib']);
  });

  it('lld-link pulls the runtime library in by itself; /NODEFAULTLIB links use the stand-ins', () => {
    const dir = project({ 'harness.c': HARNESS });
    const cache = scratch('cl-cache');
    expect(spincheckCl([CLANG_CL!, '/nologo', '/c', '/GS-', 'my src/drv.c', '/Foout/'], dir, env(cache)).status).toBe(0);
    expect(direct(['/nologo', '/c', '/GS-', 'harness.c', '/Foout/'], dir).status).toBe(0);
    const link = (extra: string[], map: string) =>
      runRaw(LLD_LINK!, ['/nologo', ...extra, 'out/drv.obj', 'out/harness.obj', `/out:out/${map}.exe`, `/map:out/${map}.map`], dir);
    const withRuntime = link(NOCRT, 'rt');
    expect(withRuntime.stdout.toString() + withRuntime.stderr.toString()).toBe('');
    expect(withRuntime.status).toBe(0);
    const rtMap = readFileSync(join(dir, 'out/rt.map'), 'utf8');
    expect(rtMap).toMatch(/\bspincheck_enter\b.*spincheck_mt:/);
    const bare = link(['/NODEFAULTLIB', '/entry:main', '/subsystem:console'], 'bare');
    expect(bare.stdout.toString() + bare.stderr.toString()).toBe('');
    expect(bare.status).toBe(0);
    expect(readFileSync(join(dir, 'out/bare.map'), 'utf8')).not.toMatch(/spincheck_mt:/);
  });

  it('compile+link by clang-cl itself (lld): the exe links against the runtime library (M1)', () => {
    const dir = project({ 'harness.c': HARNESS });
    const cache = scratch('cl-cache');
    const r = spincheckCl(
      [CLANG_CL!, '/nologo', '/GS-', '-fuse-ld=lld', 'my src/drv.c', 'harness.c', '/Feout/prog.exe', '/link', ...NOCRT, '/map:out/prog.map'],
      dir,
      env(cache),
    );
    expect(r.stdout.toString() + r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'out/prog.exe'))).toBe(true);
    expect(readFileSync(join(dir, 'out/prog.map'), 'utf8')).toMatch(/\bspincheck_enter\b.*spincheck_mt:/);
  });

  it('without a buildable runtime it warns, and the objects still link (stand-ins)', () => {
    const dir = project({ 'harness.c': HARNESS });
    const cache = scratch('cl-cache');
    const broken = scratch('cl-broken-rt');
    writeFileSync(join(broken, 'rt.c'), '#error no SDK here\n');
    const r = spincheckCl([CLANG_CL!, '/nologo', '/c', '/GS-', 'my src/drv.c', '/Foout/'], dir, env(cache, { SPINCHECK_RUNTIME_SRC: broken }));
    expect(r.status).toBe(0);
    expect(r.stderr.toString()).toMatch(/^spincheck: warning: no spincheck runtime library \(cannot build the runtime with .*rt\.c.*no SDK here.*\): instrumented objects link with no-op stand-ins\n$/);
    expect(direct(['/nologo', '/c', '/GS-', 'harness.c', '/Foout/'], dir).status).toBe(0);
    const link = runRaw(LLD_LINK!, ['/nologo', ...NOCRT, 'out/drv.obj', 'out/harness.obj', '/out:out/p.exe'], dir);
    expect(link.stdout.toString() + link.stderr.toString()).toBe('');
    expect(link.status).toBe(0);
  });
});

const MINGW_INCLUDE = '/usr/x86_64-w64-mingw32/include';
describe.runIf(CLANG_CL && NM && existsSync(MINGW_INCLUDE))('spincheck-cl: the real runtime library (mingw-w64 headers as the SDK)', () => {
  it('builds spincheck_runtime.c with the user clang-cl and INCLUDE, per CRT variant', () => {
    const dir = project();
    const cache = scratch('cl-cache');
    // mingw-w64's headers need __GNUC__ under clang-cl; a one-line source dir includes the real runtime.
    const src = scratch('cl-real-rt');
    writeFileSync(
      join(src, 'runtime.c'),
      `#define __GNUC__ 4\n#define __GNUC_MINOR__ 8\n#include "${join(ROOT, 'src/runtime-c/spincheck_runtime.c')}"\n`,
    );
    const env = clEnv({ SPINCHECK_RUNTIME: '1', SPINCHECK_RUNTIME_SRC: src, SPINCHECK_CACHE_DIR: cache, INCLUDE: MINGW_INCLUDE });
    const r = spincheckCl([CLANG_CL!, '/nologo', '/c', '/MD', 'my src/drv.c', '/Foout/'], dir, env);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const [key] = readdirSync(join(cache, 'runtime')).filter((k) => !k.endsWith('.failed'));
    const nm = symbols(join(cache, 'runtime', key!, 'spincheck_md.lib'), dir);
    for (const h of HOOKS) expect(nm).toMatch(new RegExp(`T ${h}$`, 'm'));
    expect(nm).toMatch(/spincheck_runtime_present/);
  });
});

