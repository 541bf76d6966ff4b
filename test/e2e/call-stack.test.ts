// Violations carry the thread's call stack: built through spincheck-cc with gcc and clang at -O0 -g and -O2 -g, the
// report shows both helpers and the dispatch routine at their file:line (the helpers are noinline, see driver.c);
// a stripped build shows module+offset; without a symbolizer the report says once how to get file:line; mingw-w64
// under wine checks the Windows capture.
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RUN_VERSION, type ViolationRecord } from '../../src/model/index.js';
import { haveTool, run } from '../helpers/tools.js';
import { bin } from '../helpers/bins.js';

const here = join(dirname(fileURLToPath(import.meta.url)), 'stack');
const kit = join(here, '..', '..', '..', 'templates', 'harness-kit');
const lineOf = (file: string, marker: string) => {
  const i = readFileSync(join(here, file), 'utf8').split('\n').findIndex((l) => l.includes(`/* ${marker} */`));
  if (i < 0) throw new Error(`marker ${marker} missing`);
  return i + 1;
};

interface Frame { module: string; offset: number; function?: string; file?: string; line?: number }
interface JsonReport {
  violations: Array<{ kind: string; callStack?: Frame[] }>;
  notes: string[];
}

const MINGW = 'x86_64-w64-mingw32-gcc';

/** Builds the example through spincheck-cc with `cc` and `flags` (mingw-w64: harness.exe); returns its directory and environment. */
function build(cc: string, flags: string[], strip = false): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), `spincheck-stack-${cc}-`));
  for (const f of ['driver.c', 'harness.c']) copyFileSync(join(here, f), join(dir, f));
  const env = { ...process.env, SPINCHECK_CC: cc, SPINCHECK_DIR: join(dir, 'data'), SPINCHECK_OPTIONS: '' };
  const windows = cc === MINGW;
  const kitSources = ['wdm_user.c', ...(windows ? ['wdm_port_win32.c'] : [])];
  for (const src of ['driver.c', 'harness.c', ...kitSources.map((k) => join(kit, k))]) {
    const r = run(bin('spincheck-cc'), ['-I', kit, ...flags, '-Wall', '-Werror', '-c', src], { cwd: dir, env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
  const objects = ['driver.o', 'harness.o', ...kitSources.map((k) => k.replace(/\.c$/, '.o'))];
  const out = windows ? 'harness.exe' : 'harness';
  const link = run(bin('spincheck-cc'), [...objects, '-o', out, ...(windows ? [] : ['-lpthread'])], { cwd: dir, env });
  expect(link.stderr).toBe('');
  expect(link.status).toBe(0);
  if (strip) expect(run('strip', [join(dir, out)]).status).toBe(0);
  return { dir, env };
}

/** Builds the example and runs it (exit 66: it has violations). */
function buildAndRun(cc: string, flags: string[], strip = false): { dir: string; env: NodeJS.ProcessEnv } {
  const built = build(cc, flags, strip);
  const r = run(join(built.dir, 'harness'), [], { cwd: built.dir, env: built.env });
  expect(r.status).toBe(66);
  return built;
}

function report(dir: string, env: NodeJS.ProcessEnv, format: string): { status: number | null; stdout: string; stderr: string } {
  return run(process.execPath, [bin('spincheck'), 'report', '--format', format, 'data'], { cwd: dir, env });
}

const code = (frames: Frame[]) => frames.filter((f) => f.file === 'driver.c' || f.file === 'harness.c').map((f) => [f.function, f.file, f.line]);

const configs: Array<[cc: string, flags: string[]]> = [
  ['gcc', ['-O0', '-g']],
  ['gcc', ['-O2', '-g']],
  ['clang', ['-O0', '-g']],
  ['clang', ['-O2', '-g']],
];

describe.runIf(haveTool('gcc') && haveTool('clang') && haveTool('llvm-symbolizer') && haveTool('addr2line'))('call stacks of violations', () => {
  for (const [cc, flags] of configs) {
    it(`${cc} ${flags.join(' ')}: both helpers and the routine at their lines, the runtime's frames left out`, () => {
      const { dir, env } = buildAndRun(cc, flags);
      const r = report(dir, env, 'json');
      expect(r.status).toBe(1);
      const json = JSON.parse(r.stdout) as JsonReport;
      const byKind = new Map(json.violations.map((v) => [v.kind, v.callStack ?? []]));
      expect(code(byKind.get('double-acquire') ?? [])).toEqual([
        ['AcquireAgain', 'driver.c', lineOf('driver.c', 'DOUBLE')],
        ['LockAndRetry', 'driver.c', lineOf('driver.c', 'CALL-AGAIN')],
        ['DispatchRead', 'driver.c', lineOf('driver.c', 'CALL-RETRY')],
        ['main', 'harness.c', lineOf('harness.c', 'MAIN-READ')],
      ]);
      expect(code(byKind.get('release-not-held') ?? []).slice(0, 3)).toEqual([
        ['ReleaseUnheld', 'driver.c', lineOf('driver.c', 'UNHELD')],
        ['CompleteLocked', 'driver.c', lineOf('driver.c', 'CALL-UNHELD')],
        ['DispatchWrite', 'driver.c', lineOf('driver.c', 'CALL-COMPLETE')],
      ]);
      // The stack runs from the violation (no runtime frame, hooks, recorder or prelude, before it) to main (no C
      // library start-up after it).
      for (const frames of byKind.values()) {
        expect(frames[0]?.function).toMatch(/^(AcquireAgain|ReleaseUnheld)$/);
        expect(frames.at(-1)?.function).toBe('main');
      }
      expect(json.notes).toEqual([]);

      const text = report(dir, env, 'text').stdout;
      expect(text).toContain(`    at AcquireAgain driver.c:${lineOf('driver.c', 'DOUBLE')}\n    at LockAndRetry driver.c:${lineOf('driver.c', 'CALL-AGAIN')}\n    at DispatchRead driver.c:${lineOf('driver.c', 'CALL-RETRY')}\n`);
    });
  }

  it('addr2line gives the same lines as llvm-symbolizer', () => {
    const { dir, env } = buildAndRun('gcc', ['-O2', '-g']);
    const stacks = (symbolizer: string) => {
      const r = report(dir, { ...env, SPINCHECK_SYMBOLIZER: symbolizer }, 'json');
      return (JSON.parse(r.stdout) as JsonReport).violations.map((v) => code(v.callStack ?? []));
    };
    const gnu = stacks('addr2line');
    expect(gnu[0]?.length).toBeGreaterThanOrEqual(4);
    expect(gnu).toEqual(stacks('llvm-symbolizer'));
  });

  it('a stripped build without debug info shows module+offset, and the report does not fail', () => {
    const { dir, env } = buildAndRun('gcc', ['-O2'], true);
    const r = report(dir, env, 'text');
    expect(r.status).toBe(1);
    const at = r.stdout.split('\n').filter((l) => l.startsWith('    at '));
    expect(at.length).toBeGreaterThan(4);
    for (const l of at.filter((x) => x.includes(join(dir, 'harness')))) expect(l).toMatch(/harness\+0x[0-9a-f]+\)?$/);
    expect(r.stdout).toContain(`spincheck: note: call stacks: ${join(dir, 'harness')} has no symbols`);
  });

  it('without a symbolizer: module+offset, and one note on how to get file:line', () => {
    const { dir, env } = buildAndRun('gcc', ['-O0', '-g']);
    const r = report(dir, { ...env, PATH: join(dir, 'no-such-dir') }, 'text');
    expect(r.status).toBe(1);
    const at = r.stdout.split('\n').filter((l) => l.startsWith('    at '));
    expect(at.length).toBeGreaterThan(4);
    for (const l of at) expect(l).toMatch(/^    at \S+\+0x[0-9a-f]+$/);
    expect(r.stdout.match(/spincheck: note: call stacks are shown as module\+offset: install llvm-symbolizer/g)?.length).toBe(1);
  });

  it('a driver in an instrumented shared library: its frames name the library and symbolize from it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-stack-so-'));
    for (const f of ['driver.c', 'harness.c']) copyFileSync(join(here, f), join(dir, f));
    const env = { ...process.env, SPINCHECK_CC: 'gcc', SPINCHECK_DIR: join(dir, 'data'), SPINCHECK_OPTIONS: '' };
    const steps = [
      ['-I', kit, '-O2', '-g', '-fPIC', '-shared', 'driver.c', '-o', 'libdrv.so'],
      ['-I', kit, '-O2', '-g', '-c', 'harness.c'],
      ['-I', kit, '-O2', '-g', '-c', join(kit, 'wdm_user.c')],
      ['harness.o', 'wdm_user.o', '-L.', '-ldrv', `-Wl,-rpath,${dir}`, '-o', 'harness', '-lpthread'],
    ];
    for (const args of steps) expect(run(bin('spincheck-cc'), args, { cwd: dir, env }).status).toBe(0);
    expect(run(join(dir, 'harness'), [], { cwd: dir, env }).status).toBe(66);
    const json = JSON.parse(report(dir, env, 'json').stdout) as JsonReport;
    const stack = json.violations.find((v) => v.kind === 'double-acquire')?.callStack ?? [];
    expect(stack.slice(0, 3).map((f) => [f.module, f.function, f.line])).toEqual([
      [join(dir, 'libdrv.so'), 'AcquireAgain', lineOf('driver.c', 'DOUBLE')],
      [join(dir, 'libdrv.so'), 'LockAndRetry', lineOf('driver.c', 'CALL-AGAIN')],
      [join(dir, 'libdrv.so'), 'DispatchRead', lineOf('driver.c', 'CALL-RETRY')],
    ]);
    expect(stack.at(-1)).toMatchObject({ module: join(dir, 'harness'), function: 'main', file: 'harness.c', line: lineOf('harness.c', 'MAIN-READ') });
  });

  it.runIf(haveTool(MINGW) && haveTool('wine'))('mingw-w64 under wine: the Windows capture (RtlCaptureStackBackTrace, module file names) symbolizes the same', () => {
    const { dir, env } = build(MINGW, ['-O2', '-g']);
    const r = run(process.execPath, [bin('spincheck'), 'run', '--format', 'json', '--data-dir', join(dir, 'data'), '--', './harness.exe'], { cwd: dir, env });
    expect(r.status).toBe(66);
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{\n'))) as JsonReport;
    const stack = json.violations.find((v) => v.kind === 'double-acquire')?.callStack ?? [];
    expect(stack[0]?.module).toMatch(/^[A-Z]:\\.*\\harness\.exe$/);
    expect(code(stack)).toEqual([
      ['AcquireAgain', 'driver.c', lineOf('driver.c', 'DOUBLE')],
      ['LockAndRetry', 'driver.c', lineOf('driver.c', 'CALL-AGAIN')],
      ['DispatchRead', 'driver.c', lineOf('driver.c', 'CALL-RETRY')],
      ['main', 'harness.c', lineOf('harness.c', 'MAIN-READ')],
    ]);
  });

  it('the run file holds the stack as written: modules and [module, offset] frames that the loader reads back', async () => {
    const { dir } = buildAndRun('clang', ['-O0', '-g']);
    const runs = join(dir, 'data', 'runs');
    const file = join(runs, readdirSync(runs)[0] as string);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(JSON.parse(lines[0] as string).version).toBe(RUN_VERSION);
    const raw = lines.slice(1).map((l) => JSON.parse(l) as ViolationRecord).filter((v) => v.t === 'violation');
    expect(raw.length).toBe(2);
    const { parseRunFile } = await import('../../src/report/load.js');
    const loaded = parseRunFile(lines.join('\n') + '\n', file).violations;
    expect(loaded.map((v) => [v.modules, v.frames])).toEqual(raw.map((v) => [v.modules, v.frames]));
    for (const v of loaded) {
      expect(v.modules?.[0]).toBe(join(dir, 'harness'));
      expect(v.frames?.length).toBeGreaterThan(5);
    }
  });
});
