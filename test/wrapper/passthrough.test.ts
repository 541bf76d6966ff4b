// Pass-through: queries, preprocessing and dependency output are byte-for-byte the plain compiler's (G2, G22, G27).
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { cc, ensureBuilt, runRaw, scratch, wrapperEnv, writeTree } from './helpers.js';
import { LOCK_C, WDM_H } from './projects.js';

const compilers = ['gcc', 'clang'].filter((c) => haveTool(c));

beforeAll(() => ensureBuilt());

describe.each(compilers)('pass-through with %s', (compiler) => {
  const dir = scratch(`pass-${compiler}`);
  writeTree(dir, { 'lock.c': LOCK_C, 'util.h': '#define UTIL_VALUE 1\n', 'lock.h': '#include "wdm.h"\n', 'wdm.h': WDM_H });
  const cases: string[][] = [
    ['-E', 'lock.c'],
    ['-E', '-dM', 'lock.c'],
    ['-M', 'lock.c'],
    ['-MM', '-MP', 'lock.c'],
    ['--version'],
    ['-dumpmachine'],
    ['-dumpversion'],
    ['-print-prog-name=ld'],
    ['-v'],
    ['-fsyntax-only', 'lock.c'],
  ];
  it.each(cases.map((c) => [c.join(' '), c] as const))('%s', (_n, args) => {
    const plain = runRaw(compiler, args, dir);
    const wrapped = cc([compiler, ...args], dir);
    expect(wrapped.status).toBe(plain.status);
    expect(wrapped.stdout.toString('latin1')).toBe(plain.stdout.toString('latin1'));
    expect(wrapped.stderr.toString('latin1')).toBe(plain.stderr.toString('latin1'));
  });

  it('leaves nothing in the working directory and propagates a failing status', () => {
    const before = readdirSync(dir).sort();
    const r = cc([compiler, '-c', 'missing.c'], dir);
    const p = runRaw(compiler, ['-c', 'missing.c'], dir);
    expect(r.status).toBe(p.status);
    expect(r.status).not.toBe(0);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('SPINCHECK_DISABLE=1 compiles exactly the original', () => {
    const r = cc([compiler, '-c', 'lock.c', '-o', 'off.o'], dir, wrapperEnv({ SPINCHECK_DISABLE: '1' }));
    expect(r.status).toBe(0);
    const plain = runRaw(compiler, ['-c', 'lock.c', '-o', 'plain.o'], dir);
    expect(plain.status).toBe(0);
    expect(runRaw('cmp', ['off.o', 'plain.o'], dir).status).toBe(0);
    const nm = runRaw('nm', ['off.o'], dir).stdout.toString();
    expect(nm).not.toMatch(/spincheck_/);
  });
});
