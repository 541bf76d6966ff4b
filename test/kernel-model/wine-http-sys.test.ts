// A real driver on the kernel model: Wine's http.sys (dlls/http.sys/http.c from Debian's `wine` source
// package, fetched at test time, never committed), compiled unchanged against Wine's own headers through
// spincheck-cc, linked with the model and a harness, run under Wine. Its cancel routine runs when the harness
// cancels a waiting IRP and when the driver's close routine cancels the rest; a one-line mutation of the
// cancel routine gives exactly its violation.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { debSourceDsc, haveDebTools, scratchDir, sh } from '../real/helpers.js';

const root = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const bin = (name: string) => join(root, 'dist', 'bin', `${name}.js`);
const KM = join(root, 'templates', 'kernel-model');
const HERE = join(root, 'test', 'kernel-model', 'http-sys');
const MINGW = 'x86_64-w64-mingw32-gcc';
const ready = haveTool(MINGW) && haveTool('wine') && haveDebTools() && haveTool('tar');

interface JsonReport {
  violations: Array<{ kind: string; location: { file: string; line: number; function: string }; acquire: { line: number } | null }>;
  files: Array<{ file: string; routines: Array<{ name: string; role: string; entries: number }> }>;
}

describe.runIf(ready)("Wine's http.sys on the kernel model", () => {
  let work = '';
  let wine = '';
  const env = (data: string) => ({ ...process.env, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: '' });
  const WINE_FLAGS = () => [`-I${wine}/include`, `-I${wine}/include/msvcrt`, `-I${wine}/dlls/http.sys`, '-D__WINESRC__', '-D_NTSYSTEM_', '-nostdinc', '-fno-builtin', '-O1'];
  const MODEL_FLAGS = ['-I/usr/share/mingw-w64/include/ddk', `-I${KM}`, '-include', join(KM, 'kmodel_port.h'), '-O1'];

  beforeAll(() => {
    const dsc = debSourceDsc('wine');
    if (!dsc) return;
    const pkgDir = dirname(dsc);
    const orig = readdirSync(pkgDir).find((f) => /\.orig\.tar\.(xz|gz|bz2)$/.test(f));
    work = scratchDir('km-http');
    sh('tar', ['xf', join(pkgDir, orig as string), '--wildcards', '*/dlls/http.sys/*', '*/include/*'], work, process.env);
    wine = join(work, readdirSync(work).find((d) => d.startsWith('wine')) as string);
    // The model (never instrumented) and the Wine debug shim, once.
    mkdirSync(join(work, 'model'));
    for (const f of ['km_io', 'km_ke', 'km_ex']) {
      sh(MINGW, [...MODEL_FLAGS, '-c', join(KM, `${f}.c`), '-o', join(work, 'model', `${f}.o`)], work, process.env);
    }
    sh(MINGW, ['-O1', '-c', join(KM, 'km_port_win32.c'), '-o', join(work, 'model', 'km_port_win32.o')], work, process.env);
    sh(MINGW, ['-O1', '-c', join(HERE, 'wine-debug-shim.c'), '-o', join(work, 'model', 'shim.o')], work, process.env);
  });

  /** Builds http.c (as is, or changed by `mutate`) with its harness through spincheck-cc into `<name>/`. */
  function build(name: string, mutate: (text: string) => string = (t) => t) {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'http.c'), mutate(readFileSync(join(wine, 'dlls', 'http.sys', 'http.c'), 'latin1')), 'latin1');
    const data = join(dir, 'data');
    const cc = (args: string[]) => {
      const r = run(bin('spincheck-cc'), [MINGW, ...args], { cwd: dir, env: env(data) });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    };
    cc([...WINE_FLAGS(), '-c', 'http.c', '-o', 'http.o']);
    cc([...MODEL_FLAGS, '-c', join(HERE, 'harness.c'), '-o', 'harness.o']);
    const model = ['km_io', 'km_ke', 'km_ex', 'km_port_win32', 'shim'].map((f) => join(work, 'model', `${f}.o`));
    cc(['-o', 'http-harness.exe', 'harness.o', 'http.o', ...model, '-lws2_32', '-lntdll']);
    const r = run(process.execPath, [bin('spincheck'), 'run', '--data-dir', data, '--format', 'json', '--', './http-harness.exe'], { cwd: dir, env: env(data) });
    return { ...r, dir, report: JSON.parse(r.stdout.slice(r.stdout.indexOf('{\n'))) as JsonReport };
  }

  it('runs unchanged: its cancel routine runs three times, no violation', () => {
    if (!wine) return;
    const r = build('clean');
    expect(r.stdout).toContain('http-harness: passed');
    expect(r.stderr).not.toContain('kmodel: error');
    expect(r.status).toBe(0);
    expect(r.report.violations).toEqual([]);
    const routines = Object.fromEntries(r.report.files.flatMap((f) => f.routines.map((x) => [x.name, `${x.role} ${x.entries}`])));
    expect(routines).toEqual({
      http_receive_request_cancel: 'cancel 3',
      dispatch_ioctl: 'dispatch 3',
      dispatch_create: 'dispatch 1',
      dispatch_close: 'dispatch 1',
    });
  });

  it('a cancel routine that keeps the cancel spin lock gives exactly cancel-exit-held', () => {
    if (!wine) return;
    const release = '    IoReleaseCancelSpinLock(irp->CancelIrql);\n';
    const r = build('mutant', (t) => {
      expect(t).toContain(release);
      return t.replace(release, '');
    });
    const text = readFileSync(join(r.dir, 'http.c'), 'latin1').split('\n');
    const start = text.findIndex((l) => l.includes('static void WINAPI http_receive_request_cancel(')) + 1;
    const end = text.findIndex((l, i) => i >= start && l === '}') + 1;
    expect(r.status).toBe(66);
    expect(r.report.violations.map((v) => [v.kind, v.location.line, v.location.function, v.acquire?.line])).toEqual([
      ['cancel-exit-held', end, 'http_receive_request_cancel', start],
    ]);
  });
});
