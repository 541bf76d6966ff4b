// Fail-open, strict mode, exit statuses, signals, recursion guard and masquerade (G25, G26, fail-open).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { CLI, FIXTURES, cc, ensureBuilt, runRaw, scratch, wrapperEnv, writeTree } from './helpers.js';
import { LOCK_C, WDM_H } from './projects.js';

const FAKE = join(FIXTURES, 'fake-cc.mjs');
const hasGcc = haveTool('gcc');

function driverDir(name: string): string {
  const dir = scratch(name);
  writeTree(dir, { 'lock.c': LOCK_C, 'util.h': '#define UTIL_VALUE 1\n', 'lock.h': '#include "wdm.h"\n', 'wdm.h': WDM_H });
  return dir;
}

function sitesOf(dir: string): Array<Record<string, unknown>> {
  const d = join(dir, '.spincheck/sites');
  return existsSync(d) ? readdirSync(d).map((f) => JSON.parse(readFileSync(join(d, f), 'utf8'))) : [];
}

beforeAll(() => ensureBuilt());

describe.runIf(hasGcc)('fail open', () => {
  it('compiles the original with one warning when the instrumented copy fails', () => {
    const dir = driverDir('failopen');
    const r = cc([FAKE, '-c', 'lock.c', '-o', 'lock.o'], dir, wrapperEnv({ FAKE_CC_MODE: 'fail-copy' }));
    expect(r.status).toBe(0);
    const lines = r.stderr.toString().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^spincheck: warning: lock\.c: the instrumented copy did not compile/);
    expect(runRaw('nm', ['lock.o'], dir).stdout.toString()).not.toMatch(/spincheck_/);
    expect(sitesOf(dir)).toMatchObject([{ source: 'lock.c', instrumented: false, reason: 'instrumented-compile-failed' }]);
  });

  it('fails instead under SPINCHECK_STRICT=1, showing the compiler error', () => {
    const dir = driverDir('strict');
    const r = cc([FAKE, '-c', 'lock.c'], dir, wrapperEnv({ FAKE_CC_MODE: 'fail-copy', SPINCHECK_STRICT: '1' }));
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toContain('fake-cc: error');
    expect(existsSync(join(dir, 'lock.o'))).toBe(false);
  });

  it('a genuine error in the original is reported as the compiler reports it', () => {
    const dir = driverDir('genuine');
    writeTree(dir, { 'bad.c': '#include "wdm.h"\nvoid f(PIRP irp) { IoAcquireCancelSpinLock(&irp->CancelIrql) }\n' });
    const plain = runRaw('gcc', ['-c', 'bad.c'], dir);
    const r = cc(['gcc', '-c', 'bad.c'], dir);
    expect(plain.status).not.toBe(0);
    expect(r.status).toBe(plain.status);
    expect(r.stderr.toString()).toBe(plain.stderr.toString());
  });
});

describe.runIf(hasGcc)('exit status and signals (G26)', () => {
  it('propagates an exit status', () => {
    const dir = driverDir('exit');
    expect(cc([FAKE, '-c', 'lock.c'], dir, wrapperEnv({ FAKE_CC_MODE: 'exit3' })).status).toBe(3);
    expect(cc([FAKE, '--version'], dir, wrapperEnv({ FAKE_CC_MODE: 'exit3' })).status).toBe(3);
  });

  it('dies by the signal that killed the compiler', () => {
    const dir = driverDir('sig');
    const r = cc([FAKE, '-c', 'lock.c'], dir, wrapperEnv({ FAKE_CC_MODE: 'signal' }));
    expect(r.signal).toBe('SIGTERM');
  });

  it('on SIGTERM forwards it, removes its temp files and dies by it', async () => {
    const dir = driverDir('sigterm');
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const started = join(dir, 'started');
    const child = spawn(CLI, [FAKE, '-c', 'lock.c'], {
      cwd: dir,
      env: wrapperEnv({ FAKE_CC_MODE: 'sleep', FAKE_CC_STARTED: started, TMPDIR: tmp }),
      stdio: 'ignore',
    });
    for (let i = 0; i < 200 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(started)).toBe(true);
    expect(readdirSync(tmp)).toHaveLength(1);
    const t0 = Date.now();
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
    expect(signal).toBe('SIGTERM');
    expect(code).toBe(null);
    expect(Date.now() - t0).toBeLessThan(10000);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe.runIf(hasGcc)('finding the real compiler (G25)', () => {
  it('a masquerade directory first on PATH does not recurse and still instruments', () => {
    const dir = driverDir('masq');
    const masq = join(dir, 'masq');
    mkdirSync(masq);
    symlinkSync(CLI, join(masq, 'gcc'));
    symlinkSync(CLI, join(masq, 'cc'));
    const env = wrapperEnv({ PATH: `${masq}:${process.env.PATH}` });
    const r = runRaw('gcc', ['-c', 'lock.c', '-o', 'lock.o'], dir, env);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(runRaw('nm', ['lock.o'], dir).stdout.toString()).toMatch(/spincheck_enter/);
    const v = runRaw('cc', ['--version'], dir, env);
    expect(v.stdout.toString()).toBe(runRaw('cc', ['--version'], dir).stdout.toString());
  });

  it('refuses SPINCHECK_CC pointing at itself', () => {
    const dir = driverDir('self');
    const r = cc(['-c', 'lock.c'], dir, wrapperEnv({ SPINCHECK_CC: CLI }));
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toMatch(/^spincheck: error: .*spincheck-cc/);
  });

  it('uses SPINCHECK_CC when the first argument is not a program', () => {
    const dir = driverDir('envcc');
    const log = join(dir, 'log');
    const r = cc(['-c', 'lock.c'], dir, wrapperEnv({ SPINCHECK_CC: FAKE, FAKE_CC_LOG: log }));
    expect(r.status).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain('"-iquote"');
  });
});
