// The native launcher and the warm server: on demand, the same results as the Node wrapper, isolation, recovery.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { CLI, FIXTURES, NODE_CLI, ROOT, cc, ensureBuilt, runRaw, scratch, wrapperEnv, writeTree } from './helpers.js';
import { LOCK_C, WDM_H } from './projects.js';

const FAKE = join(FIXTURES, 'fake-cc.mjs');
const hasGcc = haveTool('gcc');
const SERVED = /^spincheck: note: compiled through the warm server \(pid \d+\)$/m;
const started: string[] = [];
/** A private mount namespace with an empty /proc (root, util-linux): the launcher's path without /proc/self/exe. */
const canHideProc = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs none /proc'], { stdio: 'ignore' }).status === 0;

beforeAll(() => ensureBuilt());
afterAll(() => {
  for (const dir of started) for (const pid of serverPids(dir)) tryKill(pid);
});

function tryKill(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** A project and a runtime directory of its own, so each test starts without a server. */
function project(name: string): { dir: string; run: string; env: (extra?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv } {
  const dir = scratch(`launch-${name}`);
  writeTree(dir, { 'lock.c': LOCK_C, 'util.h': '#define UTIL_VALUE 1\n', 'lock.h': '#include "wdm.h"\n', 'wdm.h': WDM_H });
  const run = join(dir, 'run');
  mkdirSync(run, { mode: 0o700 });
  started.push(run);
  return { dir, run, env: (extra = {}) => wrapperEnv({ XDG_RUNTIME_DIR: run, SPINCHECK_VERBOSE: '1', ...extra }) };
}

function serverDir(run: string): string {
  return join(run, 'spincheck');
}

function serverPids(run: string): number[] {
  const d = serverDir(run);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.sock.pid'))
    .map((f) => Number.parseInt(readFileSync(join(d, f), 'utf8'), 10));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, ms = 15000): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; ) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sockets = (run: string): string[] => (existsSync(serverDir(run)) ? readdirSync(serverDir(run)).filter((f) => f.endsWith('.sock')) : []);
const serverUp = (run: string): Promise<void> => until('the warm server', () => sockets(run).length === 1 && serverPids(run).length === 1);

/** A project whose warm server is up (started by one compile through the launcher), and the server's pid. */
async function warmProject(name: string, extra: NodeJS.ProcessEnv = {}): Promise<{ p: ReturnType<typeof project>; pid: number }> {
  const p = project(name);
  cc(['gcc', '-c', 'lock.c', '-o', 'warm.o'], p.dir, p.env(extra));
  await serverUp(p.run);
  return { p, pid: serverPids(p.run)[0]! };
}

function siteDbs(dir: string): string[] {
  const d = join(dir, '.spincheck/sites');
  return readdirSync(d).sort().map((f) => readFileSync(join(d, f), 'utf8'));
}

describe.runIf(hasGcc)('the warm server', () => {
  it('starts on demand; a served compile gives the bytes, messages and site database of the Node wrapper', async () => {
    const p = project('same');
    const first = cc(['gcc', '-Wall', '-c', 'lock.c', '-o', 'first.o'], p.dir, p.env());
    expect(first.status).toBe(0);
    expect(first.stderr.toString()).not.toMatch(SERVED);
    await serverUp(p.run);
    const served = cc(['gcc', '-Wall', '-c', 'lock.c', '-o', 'served.o'], p.dir, p.env());
    expect(served.stderr.toString()).toMatch(SERVED);
    expect(served.status).toBe(0);
    const viaNode = runRaw(process.execPath, [NODE_CLI, 'gcc', '-Wall', '-c', 'lock.c', '-o', 'node.o'], p.dir, p.env());
    expect(viaNode.status).toBe(0);
    const objects = ['first.o', 'served.o', 'node.o'].map((f) => readFileSync(join(p.dir, f)));
    expect(objects[1]!.equals(objects[2]!)).toBe(true);
    expect(objects[0]!.equals(objects[2]!)).toBe(true);
    expect(runRaw('nm', ['served.o'], p.dir).stdout.toString()).toMatch(/spincheck_/);
    expect(siteDbs(p.dir)).toHaveLength(1);
    // A compiler error: same status and the same words, through the server and without it.
    writeTree(p.dir, { 'bad.c': '#include "wdm.h"\nvoid f(PIRP irp) { IoAcquireCancelSpinLock(&irp->CancelIrql) }\n' });
    const bad = cc(['gcc', '-c', 'bad.c'], p.dir, p.env({ SPINCHECK_VERBOSE: '' }));
    const badNode = runRaw(process.execPath, [NODE_CLI, 'gcc', '-c', 'bad.c'], p.dir, p.env({ SPINCHECK_VERBOSE: '' }));
    expect(bad.status).toBe(1);
    expect(bad.status).toBe(badNode.status);
    expect(bad.stderr.toString()).toBe(badNode.stderr.toString());
  });

  it("serves each compile with its own environment, directory, standard input and temp dir", async () => {
    const { p } = await warmProject('isolation');
    const other = join(p.dir, 'other');
    mkdirSync(join(other, 'tmp'), { recursive: true });
    writeTree(other, { 'lock.c': LOCK_C, 'util.h': '#define UTIL_VALUE 2\n', 'lock.h': '#include "wdm.h"\n', 'wdm.h': WDM_H });
    const keep = cc(['gcc', '-c', 'lock.c'], other, p.env({ SPINCHECK_DIR: join(other, 'data'), TMPDIR: join(other, 'tmp'), SPINCHECK_KEEP_TEMP: '1' }));
    expect(keep.stderr.toString()).toMatch(SERVED);
    expect(keep.status).toBe(0);
    expect(readdirSync(join(other, 'data/sites'))).toHaveLength(1);
    expect(readdirSync(join(other, 'tmp')).filter((f) => f.startsWith('spincheck-'))).toHaveLength(1);
    expect(existsSync(join(other, 'lock.o'))).toBe(true);
    // The compiler reads the launcher's standard input, not the server's.
    const stdin = spawn(CLI, ['gcc', '-x', 'c', '-c', '-', '-o', 'stdin.o'], { cwd: p.dir, env: p.env(), stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    stdin.stderr.on('data', (d: Buffer) => (err += d.toString()));
    stdin.stdin.end('int from_stdin(void) { return 42; }\n');
    const code = await new Promise<number | null>((r) => stdin.on('close', (c) => r(c)));
    expect(err).toMatch(SERVED);
    expect(code).toBe(0);
    expect(runRaw('nm', ['stdin.o'], p.dir).stdout.toString()).toMatch(/from_stdin/);
  });

  it('shuts down when idle and removes its socket', async () => {
    const { p, pid } = await warmProject('idle', { SPINCHECK_SERVER_IDLE: '1' });
    await until('the idle shutdown', () => sockets(p.run).length === 0 && serverPids(p.run).length === 0 && !alive(pid), 20000);
  });

  it('on SIGTERM removes its socket and exits', async () => {
    const { p, pid } = await warmProject('sigterm');
    process.kill(pid, 'SIGTERM');
    await until('the server to stop', () => sockets(p.run).length === 0 && serverPids(p.run).length === 0 && !alive(pid));
  });

  it('a dead server (stale socket) or one killed in mid-compile costs nothing but time', async () => {
    const { p, pid } = await warmProject('dead');
    process.kill(pid, 'SIGKILL');
    await until('the server to die', () => !alive(pid));
    expect(sockets(p.run)).toHaveLength(1);
    const stale = cc(['gcc', '-c', 'lock.c', '-o', 'stale.o'], p.dir, p.env());
    expect(stale.status).toBe(0);
    expect(stale.stderr.toString()).not.toMatch(SERVED);
    expect(runRaw('nm', ['stale.o'], p.dir).stdout.toString()).toMatch(/spincheck_/);
    await until('a new server', () => serverPids(p.run).length === 1 && serverPids(p.run)[0] !== pid);
    // Killed while the compiler runs: the launcher runs the compile again through the Node wrapper.
    const marker = join(p.dir, 'started');
    const slow = spawn(CLI, [FAKE, '-c', 'lock.c', '-o', 'slow.o'], {
      cwd: p.dir,
      env: p.env({ FAKE_CC_MODE: 'sleep-then-gcc', FAKE_CC_STARTED: marker }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    slow.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await until('the slow compile', () => existsSync(marker));
    for (const live of serverPids(p.run)) process.kill(live, 'SIGKILL');
    const code = await new Promise<number | null>((r) => slow.on('close', (c) => r(c)));
    expect(err).toMatch(SERVED);
    expect(code).toBe(0);
    expect(runRaw('nm', ['slow.o'], p.dir).stdout.toString()).toMatch(/spincheck_/);
  });

  it.runIf(canHideProc || process.env.CI)('finds itself without /proc (as on macOS): invoked by bare name through PATH', () => {
    const p = project('noproc');
    const bin = join(p.dir, 'bin');
    mkdirSync(bin);
    symlinkSync(CLI, join(bin, 'spincheck-cc'));
    const env = p.env({ PATH: `${bin}:${process.env.PATH}` });
    const r = runRaw('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs none /proc && exec spincheck-cc gcc -c lock.c -o noproc.o'], p.dir, env);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(runRaw('nm', ['noproc.o'], p.dir).stdout.toString()).toMatch(/spincheck_/);
  });

  it('the compiler inherits the signal dispositions and standard descriptors the caller gave (nohup, closed stdout)', async () => {
    const { p } = await warmProject('inherit');
    writeTree(p.dir, { 'sigs.sh': '#!/bin/sh\ngrep "^SigIgn" /proc/self/status > "$SIGS_OUT"\nexec gcc "$@"\n' });
    chmodSync(join(p.dir, 'sigs.sh'), 0o755);
    const env = p.env({ SIGS_OUT: join(p.dir, 'sigs.txt') });
    // Under nohup (SIGHUP ignored) with SIGPIPE at its default, as a shell pipeline leaves it.
    const r = runRaw('sh', ['-c', `trap '' HUP; exec "${CLI}" ./sigs.sh -c lock.c -o sigs.o`], p.dir, env);
    expect(r.stderr.toString()).toMatch(SERVED);
    expect(r.status).toBe(0);
    const ignored = BigInt(`0x${readFileSync(join(p.dir, 'sigs.txt'), 'utf8').split(/\s+/)[1]}`);
    expect(ignored & 1n).toBe(1n); // SIGHUP (1) still ignored
    expect(ignored & (1n << 12n)).toBe(0n); // SIGPIPE (13) not ignored
    // Closed stdout: the compiler writes to /dev/null, as under the Node wrapper, and the protocol is intact.
    const closed = (extra: NodeJS.ProcessEnv) => runRaw('sh', ['-c', `exec "${CLI}" gcc -E lock.c >&-`], p.dir, p.env(extra));
    const served = closed({});
    const viaNode = closed({ SPINCHECK_SERVER: '0' });
    expect(served.stderr.toString()).toMatch(SERVED);
    expect(served.status).toBe(0);
    expect(viaNode.status).toBe(0);
  });

  it('a server it starts holds none of the caller\'s descriptors, however high their numbers', async () => {
    const p = project('fds');
    const marker = join(p.dir, 'held-open');
    writeTree(p.dir, { 'held-open': '' });
    const r = runRaw('bash', ['-c', `exec 1500<"${marker}" 900<"${marker}"; exec "${CLI}" gcc -c lock.c`], p.dir, p.env());
    expect(r.status).toBe(0);
    await serverUp(p.run);
    const [pid] = serverPids(p.run);
    const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
    expect(fds.length).toBeGreaterThan(2);
    expect(fds.filter((target) => target === marker)).toEqual([]);
  });

  it('an unusable XDG_RUNTIME_DIR (missing, as in many containers): the server lives in $TMPDIR instead', async () => {
    const p = project('noxdg');
    const tmp = join(p.dir, 'tmp');
    mkdirSync(tmp);
    const env = p.env({ XDG_RUNTIME_DIR: join(p.dir, 'missing'), TMPDIR: tmp });
    expect(cc(['gcc', '-c', 'lock.c', '-o', 'first.o'], p.dir, env).status).toBe(0);
    const dir = join(tmp, `spincheck-${process.getuid!()}`);
    await until('the warm server in TMPDIR', () => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.sock.pid')));
    const served = cc(['gcc', '-c', 'lock.c', '-o', 'served.o'], p.dir, env);
    expect(served.stderr.toString()).toMatch(SERVED);
    expect(served.status).toBe(0);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.sock.pid'))) tryKill(Number.parseInt(readFileSync(join(dir, f), 'utf8'), 10));
  });

  it('make -j4 through one server builds what the Node wrapper builds', async () => {
    const p = project('make');
    const files: Record<string, string> = {};
    const names = Array.from({ length: 8 }, (_, k) => `unit${k}`);
    for (const n of names) files[`${n}.c`] = LOCK_C.replaceAll('LockedRead', `LockedRead_${n}`).replaceAll('Dispatch', `Dispatch_${n}`);
    files.Makefile = `OBJS = ${names.map((n) => `${n}.o`).join(' ')}\nall: $(OBJS)\n%.o: %.c\n\t$(CC) -O1 -c $< -o $@\n`;
    writeTree(p.dir, files);
    cc(['gcc', '-c', 'lock.c', '-o', 'warm.o'], p.dir, p.env());
    await serverUp(p.run);
    const build = (env: NodeJS.ProcessEnv): { stderr: string; objects: Buffer[]; sites: string[] } => {
      for (const n of names) rmSync(join(p.dir, `${n}.o`), { force: true });
      rmSync(join(p.dir, '.spincheck'), { recursive: true, force: true });
      const r = runRaw('make', ['-j4', `CC=${CLI} gcc`], p.dir, env);
      expect(r.status).toBe(0);
      return { stderr: r.stderr.toString(), objects: names.map((n) => readFileSync(join(p.dir, `${n}.o`))), sites: siteDbs(p.dir) };
    };
    const served = build(p.env());
    const viaNode = build(p.env({ SPINCHECK_SERVER: '0' }));
    expect(served.stderr.match(new RegExp(SERVED.source, 'gm'))).toHaveLength(names.length);
    expect(viaNode.stderr).not.toMatch(SERVED);
    served.objects.forEach((o, k) => expect(o.equals(viaNode.objects[k]!)).toBe(true));
    expect(served.sites).toHaveLength(names.length);
    expect(served.sites).toEqual(viaNode.sites);
  });
});

describe('an incomplete installation', () => {
  it('the Node script behind the launcher is missing: one line naming it and the fix, status 127', () => {
    const { dir, env } = project('no-script');
    // A launcher as the first use builds it into the cache, for a package whose dist/bin has lost its Node scripts.
    const bin = join(dir, 'bin');
    const lostDist = join(dir, 'package', 'dist', 'bin');
    mkdirSync(bin);
    mkdirSync(lostDist, { recursive: true });
    const source = join(ROOT, 'src', 'launcher', 'spincheck-cc.c');
    const built = runRaw('cc', ['-std=c99', `-DSPINCHECK_NODE="${process.execPath}"`, `-DSPINCHECK_DIST="${lostDist}"`, '-o', join(bin, 'spincheck-cc'), source], dir);
    expect(built.stderr.toString()).toBe('');
    const r = runRaw(join(bin, 'spincheck-cc'), ['gcc', '-c', 'lock.c'], dir, env({ SPINCHECK_SERVER: '0' }));
    expect(r.stderr.toString()).toBe(
      `spincheck: error: ${join(lostDist, 'spincheck-cc.js')}: No such file or directory; reinstall spincheck (npm install, or npm run build in a checkout)\n`,
    );
    expect(r.status).toBe(127);
  });
});
