// Issue 11, fault injection with real processes: odd paths, read-only trees, missing or broken compilers,
// unwritable or full temp and data directories, syntax errors, interrupts. Complements test/wrapper/behaviour.test.ts
// and test/runtime-c/e2e.test.ts (see docs/failures.md).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullDisk, unmountFullDisks } from './helpers.js';
import { haveTool } from '../helpers/tools.js';
import { CLI, ROOT, listFiles, runRaw, scratch, wrapperEnv, writeTree, ensureBuilt } from '../wrapper/helpers.js';
import type { Ran } from '../wrapper/helpers.js';

const REPORT_CLI = join(ROOT, 'dist/bin/spincheck.js');
const hasGcc = haveTool('gcc');
const hasMake = haveTool('make');

/** Self-contained driver code: a DRIVER_DISPATCH routine that leaks the lock when Irp->Pending == 2. */
const DRV_C = `typedef unsigned char KIRQL;
typedef long NTSTATUS;
typedef struct _IRP { KIRQL CancelIrql; int Pending; } IRP, *PIRP;
typedef struct _DEVICE_OBJECT { int Id; } DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef NTSTATUS DRIVER_DISPATCH(PDEVICE_OBJECT DeviceObject, PIRP Irp);
void IoAcquireCancelSpinLock(KIRQL *Irql);
void IoReleaseCancelSpinLock(KIRQL Irql);
const char *drv_file(void) { return __FILE__; }

DRIVER_DISPATCH FaultDispatch;

NTSTATUS FaultDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
    if (Irp->Pending == 2)
        return 1;
    IoReleaseCancelSpinLock(irql);
    return 0;
}
`;

/** The harness: a mock lock; `prog` runs clean, `prog x` leaks the lock in FaultDispatch. */
const MAIN_C = `#include <stdio.h>
typedef unsigned char KIRQL;
typedef struct _IRP { KIRQL CancelIrql; int Pending; } IRP, *PIRP;
typedef struct _DEVICE_OBJECT { int Id; } DEVICE_OBJECT, *PDEVICE_OBJECT;
long FaultDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp);
const char *drv_file(void);
void IoAcquireCancelSpinLock(KIRQL *Irql) { *Irql = 0; }
void IoReleaseCancelSpinLock(KIRQL Irql) { (void)Irql; }
int main(int argc, char **argv)
{
    DEVICE_OBJECT dev = { 1 };
    IRP irp = { 0, argc };
    (void)argv;
    printf("%s\\n", drv_file());
    FaultDispatch(&dev, &irp);
    return 0;
}
`;

/** Spawns with a hard timeout: a hang fails the test instead of stalling the suite. */
function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 60000): Ran {
  const r = spawnSync(cmd, args, { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') throw new Error(`${cmd} ${args.join(' ')}: hung (killed after ${timeoutMs} ms)`);
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const wrap = (args: string[], cwd: string, env: NodeJS.ProcessEnv = wrapperEnv()): Ran => timed(CLI, [...args], cwd, env);

/** stderr lines; and the check that none of them is a Node stack trace. */
function lines(r: Ran): string[] {
  const text = r.stderr.toString();
  expect(text).not.toMatch(/^\s+at .+\(?(file|node):/m);
  expect(text).not.toMatch(/^(Type|Reference|Range)?Error: /m);
  return text.split('\n').filter(Boolean);
}

function symbols(obj: string, cwd: string): string {
  const r = runRaw('nm', [obj], cwd);
  expect(r.status).toBe(0);
  return r.stdout.toString();
}

function sites(dataDir: string): Array<Record<string, unknown>> {
  const d = join(dataDir, 'sites');
  return existsSync(d) ? readdirSync(d).map((f) => JSON.parse(readFileSync(join(d, f), 'utf8'))) : [];
}

beforeAll(() => ensureBuilt());
afterAll(unmountFullDisks);

// A space, both quotes, `$`, `#`, a backslash-free non-ASCII name: everything make and a shell treat specially.
const ODD = `odd dir 'q' "dq" $HOME #x ü`;

describe.runIf(hasGcc && hasMake)('paths with spaces, quotes, $, # and non-ASCII (make, -MMD)', () => {
  const MAKEFILE = `# The sources are compiled by absolute path (from the environment, so the shell never re-parses it):
# the .d files then hold the odd directory, escaped for make.
prog: drv.o main.o
\t$(CC) -o $@ drv.o main.o
%.o: %.c
\t$(CC) -MMD -MF $*.d -c "$$SRCDIR/$<" -o $@
-include drv.d main.d
`;
  function project(): { dir: string; env: NodeJS.ProcessEnv } {
    const dir = join(scratch('odd'), ODD);
    writeTree(dir, { 'drv.c': DRV_C, 'main.c': MAIN_C, Makefile: MAKEFILE });
    return { dir, env: wrapperEnv({ SRCDIR: dir, SPINCHECK_DIR: join(dir, '.spincheck') }) };
  }

  it('builds through spincheck-cc, writes .d files as gcc does, and make -q is up to date afterwards', () => {
    const plain = project();
    const wrapped = project();
    const pm = timed('make', ['CC=gcc'], plain.dir, plain.env);
    expect(pm.stderr.toString()).toBe('');
    expect(pm.status).toBe(0);
    const wm = timed('make', [`CC=${CLI} gcc`], wrapped.dir, wrapped.env);
    expect(lines(wm)).toEqual([]);
    expect(wm.status).toBe(0);
    expect(symbols('drv.o', wrapped.dir)).toMatch(/spincheck_enter/);
    for (const d of ['drv.d', 'main.d']) {
      const text = readFileSync(join(wrapped.dir, d), 'utf8');
      // gcc's escaping for make: `\ ` for a space, `$$` for `$`, `\#` for `#`; only the directory differs.
      const escaped = (p: string): string => p.replace(/[ #$]/g, (c) => (c === '$' ? '$$' : `\\${c}`));
      expect(text).toBe(readFileSync(join(plain.dir, d), 'utf8').split(escaped(plain.dir)).join(escaped(wrapped.dir)));
      expect(text).toContain('/odd\\ dir\\ ');
      expect(text).toContain('$$HOME');
      expect(text).toContain('\\#x');
      expect(text).not.toMatch(/spincheck-\w{6}\/s\d|spincheck_prelude/);
    }
    const q = timed('make', ['-q', `CC=${CLI} gcc`], wrapped.dir, wrapped.env);
    expect(q.status).toBe(0);
  });

  it('__FILE__, diagnostics and the report name the original path; the program runs', () => {
    const { dir, env } = project();
    const build = timed('make', [`CC=${CLI} gcc`], dir, env);
    expect(build.status).toBe(0);
    const clean = timed(join(dir, 'prog'), [], dir, env);
    expect(clean.status).toBe(0);
    expect(clean.stdout.toString()).toBe(`${join(dir, 'drv.c')}\n`);
    const bad = timed(join(dir, 'prog'), ['x'], dir, env);
    expect(bad.status).toBe(66);
    expect(bad.stderr.toString()).toContain('dispatch-exit-held');
    expect(bad.stderr.toString()).toContain(`at ${join(dir, 'drv.c')}:18:9 in FaultDispatch`);
    // A warning in the instrumented file names the original path and line, exactly as gcc does.
    writeFileSync(join(dir, 'drv.c'), `${DRV_C}#warning odd path probe\n`);
    const g = timed('gcc', ['-c', join(dir, 'drv.c'), '-o', join(dir, 'g.o')], dir, env);
    const w = wrap(['gcc', '-c', join(dir, 'drv.c'), '-o', join(dir, 'w.o')], dir, env);
    expect(w.status).toBe(0);
    expect(w.stderr.toString()).toBe(g.stderr.toString());
    expect(w.stderr.toString()).toContain(`${join(dir, 'drv.c')}:22:2: warning: #warning odd path probe`);
    const rep = timed(process.execPath, [REPORT_CLI, 'report', join(dir, '.spincheck')], dir, env);
    expect(lines(rep).join('\n')).not.toMatch(/spincheck: error/);
    expect(rep.status).toBe(1);
    expect(rep.stdout.toString() + rep.stderr.toString()).toMatch(/drv\.c:18:\d+: error: .*dispatch-exit-held/);
  });
});

describe.runIf(hasGcc)('a read-only source tree, built into a separate directory', () => {
  const root = process.getuid?.() === 0;
  it(root ? 'as root (permissions do not bind root): through setpriv as nobody, and nothing written next to the sources' : 'builds instrumented; nothing written next to the sources', (ctx) => {
    const base = scratch('readonly');
    chmodSync(base, 0o755);
    const src = join(base, 'src');
    const out = join(base, 'out');
    writeTree(src, { 'drv.c': DRV_C, 'sub/main.c': MAIN_C });
    mkdirSync(join(out, 'tmp'), { recursive: true });
    spawnSync('chmod', ['-R', 'a-w', src]);
    spawnSync('chmod', ['-R', 'a+rwx', out]);
    const before = listFiles(src);
    const modes = before.map((f) => statSync(join(src, f)).mtimeMs);
    let prefix: string[] = [];
    if (root) {
      if (!haveTool('setpriv')) return;
      prefix = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];
      // The precondition: nobody can run spincheck from this checkout (not so in a 0700 directory, mktemp -d).
      const reachable = spawnSync('setpriv', [...prefix.slice(1), 'sh', '-c', 'test -x "$1" && test -r "$2"', 'sh', CLI, join(ROOT, 'dist', 'bin', 'spincheck-cc.js')]);
      if (reachable.status !== 0) {
        console.warn(`\n*** SKIPPING the read-only-tree test: user nobody cannot run ${CLI} (a directory above the checkout is not searchable by others) ***\n`);
        ctx.skip();
      }
      // The probe: nobody cannot write into the source tree.
      expect(spawnSync('setpriv', [...prefix.slice(1), 'sh', '-c', `: > '${src}/probe'`]).status).not.toBe(0);
    } else {
      expect(() => writeFileSync(join(src, 'probe'), '')).toThrow();
    }
    const env = wrapperEnv({ SPINCHECK_DIR: join(out, '.spincheck'), TMPDIR: join(out, 'tmp'), SPINCHECK_CACHE_DIR: join(out, 'cache') });
    const [cmd, ...pre] = prefix.length ? prefix : [CLI];
    const args = prefix.length ? [...pre, CLI] : [];
    const r = timed(cmd!, [...args, 'gcc', '-MMD', '-c', join(src, 'drv.c'), '-o', join(out, 'drv.o')], out, env);
    expect(lines(r)).toEqual([]);
    expect(r.status).toBe(0);
    expect(symbols(join(out, 'drv.o'), out)).toMatch(/spincheck_enter/);
    expect(readFileSync(join(out, 'drv.d'), 'utf8').replaceAll('\\\n', '').replace(/ +/g, ' ')).toBe(`${join(out, 'drv.o')}: ${join(src, 'drv.c')}\n`);
    expect(sites(join(out, '.spincheck'))).toMatchObject([{ instrumented: true, sourceAbs: join(src, 'drv.c') }]);
    expect(listFiles(src)).toEqual(before);
    expect(before.map((f) => statSync(join(src, f)).mtimeMs)).toEqual(modes);
    // The compile leaves no temp files; the warm server's per-user socket directory may live there (docs/wrapper.md).
    const serverDir = `spincheck-${root ? 65534 : process.getuid?.()}`;
    expect(readdirSync(join(out, 'tmp')).filter((f) => f !== serverDir)).toEqual([]);
  });
});

describe.runIf(hasGcc)('a missing or broken real compiler', () => {
  function dir(): string {
    const d = scratch('badcc');
    writeTree(d, { 'drv.c': DRV_C, 'exit1.sh': '#!/bin/sh\nexit 1\n', 'kill9.sh': '#!/bin/sh\nkill -9 $$\n', 'plain.txt': 'not a program\n' });
    chmodSync(join(d, 'exit1.sh'), 0o755);
    chmodSync(join(d, 'kill9.sh'), 0o755);
    return d;
  }

  it('SPINCHECK_CC=/nonexistent/cc: one spincheck line naming it, status 127 as a shell gives', () => {
    const d = dir();
    for (const args of [['-c', 'drv.c'], ['--version'], ['drv.c', 'main.c']]) {
      const r = wrap(args, d, wrapperEnv({ SPINCHECK_CC: '/nonexistent/cc' }));
      expect(lines(r)).toEqual(["spincheck: error: cannot find the real compiler '/nonexistent/cc' on PATH (set SPINCHECK_CC)"]);
      expect(r.status).toBe(127);
    }
    expect(existsSync(join(d, 'drv.o'))).toBe(false);
  });

  it('a compiler that is not executable: one spincheck line, status 127', () => {
    const d = dir();
    const r = wrap(['-c', 'drv.c'], d, wrapperEnv({ SPINCHECK_CC: join(d, 'plain.txt') }));
    expect(lines(r)).toHaveLength(1);
    expect(lines(r)[0]).toMatch(/^spincheck: error: .*plain\.txt/);
    expect(r.status).toBe(127);
  });

  it('a compiler that exits 1 silently: status 1, no stack trace, no object', () => {
    const d = dir();
    const r = wrap(['-c', 'drv.c'], d, wrapperEnv({ SPINCHECK_CC: join(d, 'exit1.sh') }));
    expect(lines(r)).toEqual([]);
    expect(r.status).toBe(1);
    expect(existsSync(join(d, 'drv.o'))).toBe(false);
  });

  it('a compiler killed by SIGKILL: the wrapper dies by SIGKILL too, no hang, no temp files left', () => {
    const d = dir();
    const tmp = join(d, 'tmp');
    mkdirSync(tmp);
    const r = wrap(['-c', 'drv.c'], d, wrapperEnv({ SPINCHECK_CC: join(d, 'kill9.sh'), TMPDIR: tmp }));
    expect(r.signal).toBe('SIGKILL');
    expect(lines(r)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe.runIf(hasGcc)('unwritable temp and data directories: the compile succeeds with one warning', () => {
  it('TMPDIR that does not exist: the original is compiled, one warning, the site database says why', () => {
    const d = scratch('notmp');
    writeTree(d, { 'drv.c': DRV_C });
    const r = wrap(['gcc', '-c', 'drv.c', '-o', 'drv.o'], d, wrapperEnv({ TMPDIR: join(d, 'no/such/dir') }));
    expect(lines(r)).toEqual([expect.stringMatching(/^spincheck: warning: cannot write the instrumented copy \(ENOENT.*no\/such\/dir.*\); compiling without instrumentation$/)]);
    expect(r.status).toBe(0);
    expect(symbols('drv.o', d)).toMatch(/T FaultDispatch/);
    expect(symbols('drv.o', d)).not.toMatch(/spincheck_/);
    expect(sites(join(d, '.spincheck'))).toMatchObject([{ instrumented: false, reason: 'temp-write-failed' }]);
  });

  it('TMPDIR missing under SPINCHECK_STRICT=1: a clear error, status 1', () => {
    const d = scratch('notmp-strict');
    writeTree(d, { 'drv.c': DRV_C });
    const r = wrap(['gcc', '-c', 'drv.c'], d, wrapperEnv({ TMPDIR: join(d, 'nope'), SPINCHECK_STRICT: '1' }));
    expect(lines(r)).toEqual([expect.stringMatching(/^spincheck: error: cannot write the instrumented copy .* and SPINCHECK_STRICT is set$/)]);
    expect(r.status).toBe(1);
    expect(existsSync(join(d, 'drv.o'))).toBe(false);
  });

  it('a data directory that cannot be created: instrumented object, one warning naming the file', () => {
    const d = scratch('nodata');
    writeTree(d, { 'drv.c': DRV_C, blocker: 'a file, not a directory\n' });
    const r = wrap(['gcc', '-c', 'drv.c', '-o', 'drv.o'], d, wrapperEnv({ SPINCHECK_DIR: join(d, 'blocker/data') }));
    expect(lines(r)).toEqual([expect.stringMatching(/^spincheck: warning: cannot write the site database for drv\.c: ENOTDIR/)]);
    expect(r.status).toBe(0);
    expect(symbols('drv.o', d)).toMatch(/spincheck_enter/);
  });

  it('a data directory under /proc (where Node\'s recursive mkdir never returns): one warning, no hang', () => {
    const d = scratch('procdata');
    writeTree(d, { 'drv.c': DRV_C });
    const r = wrap(['gcc', '-c', 'drv.c', '-o', 'drv.o'], d, wrapperEnv({ SPINCHECK_DIR: '/proc/spincheck-data' }));
    expect(r.signal).toBe(null);
    expect(lines(r)).toEqual([expect.stringMatching(/^spincheck: warning: cannot write the site database for drv\.c: ENOENT/)]);
    expect(r.status).toBe(0);
    expect(symbols('drv.o', d)).toMatch(/spincheck_enter/);
  });
});

describe.runIf(hasGcc)('a full disk (small tmpfs)', () => {
  it('as TMPDIR: the original is compiled (gcc -pipe needs no temp space), one warning, nothing left on the disk', () => {
    const full = fullDisk();
    if (!full) return;
    const d = scratch('fulltmp');
    writeTree(d, { 'drv.c': DRV_C });
    const r = wrap(['gcc', '-pipe', '-c', 'drv.c', '-o', 'drv.o'], d, wrapperEnv({ TMPDIR: full }));
    expect(lines(r)).toEqual([expect.stringMatching(/^spincheck: warning: cannot write the instrumented copy \(ENOSPC.*\); compiling without instrumentation$/)]);
    expect(r.status).toBe(0);
    expect(symbols('drv.o', d)).toMatch(/T FaultDispatch/);
    expect(readdirSync(full)).toEqual(['fill']);
  });

  it('as TMPDIR without -pipe: the compiler fails as it fails without spincheck, nothing left on the disk', () => {
    const full = fullDisk();
    if (!full) return;
    const d = scratch('fulltmp2');
    writeTree(d, { 'drv.c': DRV_C });
    const plain = timed('gcc', ['-c', 'drv.c', '-o', 'drv.o'], d, wrapperEnv({ TMPDIR: full }));
    expect(plain.status).not.toBe(0);
    const r = wrap(['gcc', '-c', 'drv.c', '-o', 'drv.o'], d, wrapperEnv({ TMPDIR: full }));
    expect(r.status).toBe(plain.status);
    expect(lines(r).filter((l) => l.startsWith('spincheck:'))).toHaveLength(1);
    expect(r.stderr.toString()).toContain('No space left on device');
    expect(readdirSync(full)).toEqual(['fill']);
  });

  it('as the data directory: the object is instrumented, one warning, no half-written site database', () => {
    const full = fullDisk();
    if (!full) return;
    const d = scratch('fulldata');
    writeTree(d, { 'drv.c': DRV_C });
    const data = join(full, 'data');
    const r = wrap(['gcc', '-c', 'drv.c', '-o', 'drv.o'], d, wrapperEnv({ SPINCHECK_DIR: data }));
    expect(lines(r)).toEqual([expect.stringMatching(/^spincheck: warning: cannot write the site database for drv\.c: ENOSPC/)]);
    expect(r.status).toBe(0);
    expect(symbols('drv.o', d)).toMatch(/spincheck_enter/);
    expect(listFiles(full)).toEqual(['fill']);
  });

  function runOnFullDisk(): Array<{ good: Ran; r: Ran; warnings: string[] }> | null {
    const full = fullDisk();
    if (!full) return null;
    const d = scratch('fullrun');
    writeTree(d, { 'drv.c': DRV_C, 'main.c': MAIN_C });
    const b = wrap(['gcc', 'drv.c', 'main.c', '-o', 'prog'], d);
    expect(b.status).toBe(0);
    return [[], ['x']].map((args) => {
      const good = timed(join(d, 'prog'), args, d, wrapperEnv({ SPINCHECK_DIR: join(d, 'runs-ok') }));
      const r = timed(join(d, 'prog'), args, d, wrapperEnv({ SPINCHECK_DIR: join(full, 'data') }));
      const warnings = r.stderr.toString().split('\n').filter((l) => l.startsWith('spincheck: cannot write'));
      return { good, r, warnings };
    });
  }

  it('the runtime writing run data onto a full disk: same exit status, output and reports, a warning naming the file', () => {
    const runs = runOnFullDisk();
    if (!runs) return;
    expect(runs.map((x) => x.good.status)).toEqual([0, 66]);
    for (const { good, r, warnings } of runs) {
      expect(r.signal).toBe(null);
      expect(r.status).toBe(good.status);
      expect(r.stdout.toString()).toBe(good.stdout.toString());
      expect(warnings.length).toBeGreaterThan(0);
      expect(warnings[0]).toMatch(/^spincheck: cannot write .*\/runs\/run-\d+-[0-9a-f]+\.jsonl: No space left on device$/);
      const rest = r.stderr.toString().split('\n').filter((l) => !l.startsWith('spincheck: cannot write')).join('\n');
      // The violation block is printed as without the full disk (pids and the run-file line aside).
      const norm = (t: string): string => t.replace(/==\d+==/g, '==PID==').replace(/process \d+.*$/m, 'process PID');
      expect(norm(rest)).toBe(norm(good.stderr.toString()));
    }
  });

  it('the runtime writing run data onto a full disk: exactly one warning per process', () => {
    const runs = runOnFullDisk();
    if (!runs) throw new Error('no tmpfs');
    for (const { warnings } of runs) expect(warnings).toHaveLength(1);
  });
});

describe.runIf(hasGcc)('a real syntax error in the user source', () => {
  it('exactly the compiler status and messages, at the original file and line, never a temp path', () => {
    const d = scratch('syntax');
    const bad = DRV_C.replace('    IoReleaseCancelSpinLock(irql);\n', '    IoReleaseCancelSpinLock(irql)\n    int x = ;\n');
    writeTree(d, { 'sub/drv.c': bad });
    for (const extra of [[], ['-fdiagnostics-color=always'], ['-MMD', '-Werror', '-Wall']]) {
      const plain = timed('gcc', [...extra, '-c', 'sub/drv.c', '-o', 'drv.o'], d, wrapperEnv());
      const r = wrap(['gcc', ...extra, '-c', 'sub/drv.c', '-o', 'drv.o'], d);
      expect(plain.status).toBe(1);
      expect(r.status).toBe(plain.status);
      expect(r.stdout.toString()).toBe(plain.stdout.toString());
      expect(r.stderr.toString()).toBe(plain.stderr.toString());
      expect(r.stderr.toString().replace(/\x1b\[[0-9;]*m\x1b\[K|\x1b\[[0-9;]*[mK]/g, '')).toMatch(/^sub\/drv\.c:19:34: error: expected ‘;’ before ‘int’$/m);
      expect(r.stderr.toString()).not.toMatch(/spincheck-|\/tmp\//);
      expect(existsSync(join(d, 'drv.o'))).toBe(false);
    }
  });
});

describe.runIf(hasGcc)('SIGINT and SIGTERM during a compile', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} while a slow compiler runs: temp files gone, the wrapper dies by ${sig}`, async () => {
      const d = scratch(`int-${sig}`);
      const tmp = join(d, 'tmp');
      mkdirSync(tmp);
      // `exec`: the signal reaches the sleeping process itself, as with a real compiler.
      writeTree(d, { 'drv.c': DRV_C, 'slow.sh': `#!/bin/sh\n: > '${join(d, 'started')}'\nexec sleep 30\n` });
      chmodSync(join(d, 'slow.sh'), 0o755);
      const child = spawn(CLI, [join(d, 'slow.sh'), '-c', 'drv.c'], { cwd: d, env: wrapperEnv({ TMPDIR: tmp }), stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      for (let i = 0; i < 400 && !existsSync(join(d, 'started')); i++) await new Promise((r) => setTimeout(r, 25));
      expect(existsSync(join(d, 'started'))).toBe(true);
      expect(readdirSync(tmp)).toHaveLength(1);
      const t0 = Date.now();
      child.kill(sig);
      const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
      expect(Date.now() - t0).toBeLessThan(10000);
      expect(signal).toBe(sig);
      expect(code).toBe(null);
      expect(err).toBe('');
      expect(readdirSync(tmp)).toEqual([]);
      expect(existsSync(join(d, 'drv.o'))).toBe(false);
    });
  }
});
