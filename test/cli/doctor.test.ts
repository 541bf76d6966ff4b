// `spincheck doctor` as a real process: what it finds on this machine, and what it says is missing.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin } from '../helpers/bins.js';
import { haveTool, run } from '../helpers/tools.js';

const doctor = (cwd: string, env: NodeJS.ProcessEnv, args: string[] = []) =>
  run(process.execPath, [bin('spincheck'), 'doctor', ...args], { cwd, env: { ...process.env, SPINCHECK_DIR: '', ...env } });

describe('spincheck doctor', () => {
  it('counts the data directory\'s site and run files, and says what to do when no run wrote any', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-doctor-'));
    const data = join(dir, 'data');
    const before = doctor(dir, { SPINCHECK_DIR: data });
    expect(before.status).toBe(0);
    expect(before.stdout).toMatch(new RegExp(`^data directory\\s+${data} \\(not created yet`, 'm'));
    mkdirSync(join(data, 'sites'), { recursive: true });
    writeFileSync(join(data, 'sites', 'a.json'), '{}');
    const after = doctor(dir, { SPINCHECK_DIR: data });
    expect(after.stdout).toMatch(new RegExp(`^data directory\\s+${data} \\(1 site file\\(s\\), 0 run file\\(s\\)\\)$`, 'm'));
    expect(after.stdout).toMatch(/^\s+-> run the instrumented tests, then: spincheck report$/m);
  });

  it('names the compilers on PATH, and says which are missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-doctor-'));
    const path = join(dir, 'bin');
    mkdirSync(path);
    symlinkSync(process.execPath, join(path, 'node'));
    const none = doctor(dir, { PATH: path });
    expect(none.stdout).toMatch(/^host compilers \(spincheck-cc\)\s+none of cc, gcc, clang on PATH$/m);
    expect(none.stdout).toMatch(/^MSVC-style \(spincheck-cl\)\s+none of cl, clang-cl on PATH$/m);
    if (haveTool('gcc')) {
      symlinkSync('/usr/bin/gcc', join(path, 'gcc'));
      expect(doctor(dir, { PATH: path }).stdout).toMatch(new RegExp(`^host compilers \\(spincheck-cc\\)\\s+gcc \\(${path}/gcc\\)$`, 'm'));
    }
  });

  it('--build-launcher says why the launcher cannot be built (exit 1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-doctor-'));
    const env = { SPINCHECK_CACHE_DIR: join(dir, 'cache'), SPINCHECK_LAUNCHER_CC: join(dir, 'no-such-cc') };
    const built = doctor(dir, env, ['--build-launcher']);
    expect(built.status).toBe(1);
    expect(built.stderr).toBe(`spincheck: no C compiler built the launcher (${join(dir, 'no-such-cc')}: ENOENT)\n`);
  });

  it.runIf(haveTool('gcc') && process.platform !== 'win32')('sees the warm server a compile through the launcher started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-doctor-'));
    const runtime = join(dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    writeFileSync(join(dir, 'a.c'), 'int f(void) { return 1; }\n');
    const env = { XDG_RUNTIME_DIR: runtime, SPINCHECK_SERVER_IDLE: '5' };
    expect(doctor(dir, env).stdout).toMatch(/^warm server\s+not running/m);
    expect(run(bin('spincheck-cc'), ['gcc', '-c', 'a.c', '-o', 'a.o'], { cwd: dir, env: { ...process.env, ...env } }).status).toBe(0);
    let out = '';
    for (let i = 0; i < 50 && !/^warm server\s+running/m.test(out); i++) {
      await new Promise((r) => setTimeout(r, 200));
      out = doctor(dir, env).stdout;
    }
    expect(out).toMatch(new RegExp(`^warm server\\s+running \\(${runtime}/spincheck/cc-[0-9a-f]{16}\\.sock\\)$`, 'm'));
  });
});

describe('spincheck kit --path', () => {
  it('prints the installed harness kit, whose files build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-kit-'));
    const r = run(process.execPath, [bin('spincheck'), 'kit', '--path'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const kit = r.stdout.trim();
    expect(kit).toBe(join(import.meta.dirname, '..', '..', 'templates', 'harness-kit'));
    expect(r.stdout).toBe(`${kit}\n`);
    if (haveTool('gcc')) expect(run('gcc', ['-fsyntax-only', `-I${kit}`, join(kit, 'wdm_user.c')]).status).toBe(0);
    expect(run(process.execPath, [bin('spincheck'), 'kit'], { cwd: dir }).stderr).toMatch(/usage: spincheck kit --path/);
  });
});
