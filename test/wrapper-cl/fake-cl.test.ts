// spincheck-cl's flow against a stand-in cl.exe (fixtures/fake-cl.mjs): echo, stdout diagnostics, CL/_CL_, @rsp, #line.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratch, writeTree } from '../wrapper/helpers.js';
import { FAKE_CL, LOCAL_H, PLAIN_C, WDM_DRIVER, WDM_HEADER, clEnv, spincheckCl } from './helpers.js';

interface LogEntry {
  argv: string[];
  args: string[];
  firstLines: string[];
  CL: string | null;
  _CL_: string | null;
}

function project(extra: Record<string, string> = {}): { dir: string; log: string; env: NodeJS.ProcessEnv } {
  const dir = scratch('fakecl');
  writeTree(dir, { 'my src/drv.c': WDM_DRIVER, 'my src/wdm-mini.h': WDM_HEADER, 'my src/local.h': LOCAL_H, ...extra });
  const log = join(dir, 'fake.log');
  return { dir, log, env: clEnv({ FAKE_CL_LOG: log }) };
}

function entries(log: string): LogEntry[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LogEntry);
}

describe('spincheck-cl with a stand-in cl.exe', () => {
  it('compiles the copy under #line "<path as spelled>" and /I <source dir> first; cl echoes the original name', () => {
    const { dir, log, env } = project();
    const r = spincheckCl([FAKE_CL, '/nologo', '/c', 'my src/drv.c'], dir, env);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('drv.c\r\n');
    const [run] = entries(log);
    expect(run!.args.slice(0, 2)).toEqual(['/I', 'my src']);
    expect(run!.args).toContain('/c');
    expect(run!.args.at(-1)).toMatch(/spincheck-.*\/s0\/drv\.c$/);
    expect(run!.firstLines).toEqual(['#line 1 "my src/drv.c"']);
  });

  it('doubles backslashes in #line (a path spelled with \\)', () => {
    const { dir, log, env } = project({ 'a\\b.c': WDM_DRIVER.replace('"wdm-mini.h"', '"my src/wdm-mini.h"').replace('"local.h"', '"my src/local.h"') });
    const r = spincheckCl([FAKE_CL, '/c', 'a\\b.c'], dir, env);
    expect(r.status).toBe(0);
    expect(entries(log)[0]!.firstLines).toEqual(['#line 1 "a\\\\b.c"']);
  });

  it('uses the absolute path in #line under /FC, as cl names sources then', () => {
    const { dir, log, env } = project();
    expect(spincheckCl([FAKE_CL, '/FC', '/c', 'my src/drv.c'], dir, env).status).toBe(0);
    expect(entries(log)[0]!.firstLines).toEqual([`#line 1 "${join(dir, 'my src/drv.c')}"`]);
  });

  it('hides a failed instrumented attempt (cl prints errors on stdout) and compiles the original', () => {
    const { dir, log, env } = project();
    writeFileSync(join(dir, 'my src/drv.c'), `/* FAKE_CL_REJECT */\n${WDM_DRIVER}`);
    const r = spincheckCl([FAKE_CL, '/c', 'my src/drv.c'], dir, env);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('drv.c\r\n');
    expect(r.stderr.toString()).toMatch(/^spincheck: warning: my src\/drv\.c: the instrumented copy did not compile/);
    const runs = entries(log);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.args).toEqual(['/c', 'my src/drv.c']);
    const db = JSON.parse(readFileSync(join(dir, '.spincheck/sites', readdirOne(join(dir, '.spincheck/sites'))), 'utf8'));
    expect(db).toMatchObject({ instrumented: false, reason: 'instrumented-compile-failed' });
  });

  it('folds CL and _CL_ into the arguments of the runs it rewrites, and removes them from their environment (M13)', () => {
    const { dir, log, env } = project();
    const r = spincheckCl([FAKE_CL, 'my src/drv.c'], dir, { ...env, CL: '/c /DA#1', _CL_: '/DZ' });
    expect(r.status).toBe(0);
    const [run] = entries(log);
    expect(run!.CL).toBeNull();
    expect(run!._CL_).toBeNull();
    expect(run!.args.slice(0, 4)).toEqual(['/I', 'my src', '/c', '/DA=1']);
    expect(run!.args.at(-1)).toBe('/DZ');
  });

  it('passes a command with nothing to instrument through untouched, CL included', () => {
    const { dir, log, env } = project({ 'plain.c': PLAIN_C, 'local.h': LOCAL_H });
    const r = spincheckCl([FAKE_CL, '/c', 'plain.c'], dir, { ...env, CL: '/nologo' });
    expect(r.status).toBe(0);
    expect(entries(log)).toEqual([{ argv: ['/c', 'plain.c'], args: ['/c', 'plain.c'], firstLines: [PLAIN_C.split('\n')[0]], CL: '/nologo', _CL_: null }]);
  });

  it('finds the compiler in SPINCHECK_CL when the first argument is an option', () => {
    const { dir, log, env } = project();
    const r = spincheckCl(['/c', 'my src/drv.c'], dir, { ...env, SPINCHECK_CL: FAKE_CL });
    expect(r.status).toBe(0);
    expect(entries(log)).toHaveLength(1);
  });

  it('passes a rewritten @rsp command through a new UTF-16LE response file (M11)', () => {
    const { dir, log, env } = project();
    writeFileSync(join(dir, 'args.rsp'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('/c\r\n"my src/drv.c"', 'utf16le')]));
    const r = spincheckCl([FAKE_CL, '@args.rsp'], dir, env);
    expect(r.status).toBe(0);
    const [run] = entries(log);
    expect(run!.argv).toHaveLength(1);
    expect(run!.argv[0]).toMatch(/^@.*\.rsp$/);
    expect(run!.args).toContain('/c');
    expect(run!.firstLines).toEqual(['#line 1 "my src/drv.c"']);
  });

  it('compiles sources of two directories separately, then links their objects with /link untouched (M10)', () => {
    const { dir, log, env } = project({ 'other/b.c': WDM_DRIVER.replace(/Read/g, 'Write').replace('"wdm-mini.h"', '"../my src/wdm-mini.h"').replace('"local.h"', '"../my src/local.h"') });
    const r = spincheckCl([FAKE_CL, 'my src/drv.c', '/Tc', 'other/b.c', '/Feprog.exe', '/link', '/NODEFAULTLIB'], dir, env);
    expect(r.status).toBe(0);
    const runs = entries(log);
    expect(runs).toHaveLength(3);
    expect(runs[0]!.args.slice(0, 2)).toEqual(['/I', 'my src']);
    expect(runs[0]!.args).not.toContain('/link');
    expect(runs[0]!.args.slice(-2, -1)).toEqual(['/c']);
    expect(runs[1]!.args.slice(0, 2)).toEqual(['/I', 'other']);
    expect(runs[1]!.args).toContain('/Tc');
    const link = runs[2]!.args;
    expect(link.slice(-3)).toEqual(['/Feprog.exe', '/link', '/NODEFAULTLIB']);
    expect(link.filter((a) => a.endsWith('.obj'))).toHaveLength(2);
    expect(link).not.toContain('/Tc');
  });
});

function readdirOne(dir: string): string {
  const names = readdirSync(dir);
  expect(names).toHaveLength(1);
  return names[0]!;
}
