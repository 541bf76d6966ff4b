// Pure parts of the wrapper: response files, dependency-file rewriting, plans, #line, config.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/wrapper/config.js';
import { makeEscape, rewriteDepText } from '../../src/wrapper/depfile.js';
import { parseGccArgs } from '../../src/wrapper/gcc/parse.js';
import { expandResponseFiles, responseFileText, splitResponseText } from '../../src/wrapper/gcc/response-file.js';
import { GCC_RULES, applyUserMaps } from '../../src/wrapper/gcc/rules.js';
import { planCommand } from '../../src/wrapper/plan.js';
import type { Substitution } from '../../src/wrapper/plan.js';
import { lineDirective, withLineDirective } from '../../src/wrapper/source.js';

describe('response files (G12)', () => {
  it('splits with quotes and backslashes as libiberty does', () => {
    expect(splitResponseText(`-c "a b.c" 'x"y' c\\ d\n-DX="1"`)).toEqual(['-c', 'a b.c', 'x"y', 'c d', '-DX=1']);
  });
  it('round-trips arguments through a written response file', () => {
    const args = ['-DMSG="hi there"', 'a b.c', "it's", 'back\\slash', ''];
    expect(splitResponseText(responseFileText(args))).toEqual(args);
  });
  it('expands recursively, relative to cwd, and keeps a missing @file literal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-rsp-'));
    writeFileSync(join(dir, 'outer.rsp'), '-c @inner.rsp');
    writeFileSync(join(dir, 'inner.rsp'), 'src/a.c -o a.o');
    const r = expandResponseFiles(['@outer.rsp', '@missing.rsp'], dir);
    expect(r).toEqual({ args: ['-c', 'src/a.c', '-o', 'a.o', '@missing.rsp'], expanded: true });
    const p = parseGccArgs(['@outer.rsp'], dir);
    expect(p.usedResponseFile).toBe(true);
    expect(p.inputs.map((i) => i.path)).toEqual(['src/a.c']);
    expect(p.output).toBe('a.o');
  });
});

describe('dependency files (G3)', () => {
  it('escapes for make', () => {
    expect(makeEscape('a b$c#d.c')).toBe('a\\ b$$c\\#d.c');
  });
  it('replaces whole words only', () => {
    const text = 'x.o: /tmp/sc/s0/a\\ b.c /tmp/sc/s0/a\\ b.c.h inc/x.h\n/tmp/sc/s0/a\\ b.c:\n';
    expect(rewriteDepText(text, [{ from: '/tmp/sc/s0/a b.c', to: 'src/a b.c' }])).toBe(
      'x.o: src/a\\ b.c /tmp/sc/s0/a\\ b.c.h inc/x.h\nsrc/a\\ b.c:\n',
    );
  });
});

describe('#line (G15)', () => {
  it('escapes backslashes and quotes, and keeps a BOM at byte 0', () => {
    expect(lineDirective('C:\\src\\"a".c')).toBe('#line 1 "C:\\\\src\\\\\\"a\\".c"\n');
    expect(withLineDirective('\xEF\xBB\xBFint x;', 'a.c')).toBe('\xEF\xBB\xBF#line 1 "a.c"\nint x;');
  });
  it('writes non-ASCII paths as their UTF-8 bytes', () => {
    expect(lineDirective('é.c')).toBe('#line 1 "\xC3\xA9.c"\n');
  });
});

describe('prefix maps (G16)', () => {
  it('applies the last matching user map to the original directory', () => {
    const maps = [
      { kind: 'file' as const, from: '/src', to: 'A' },
      { kind: 'debug' as const, from: '/src/x', to: 'B' },
    ];
    expect(applyUserMaps('/src/x/', maps, new Set(['file', 'debug']))).toBe('B/');
    expect(GCC_RULES.prefixMapArgs('/tmp/c', '/src/x', maps)).toEqual([
      '-fdebug-prefix-map=/tmp/c/=B/',
      '-fmacro-prefix-map=/tmp/c/=A/x/',
    ]);
    expect(GCC_RULES.prefixMapArgs('/tmp/c', '', [])).toEqual(['-ffile-prefix-map=/tmp/c/=']);
  });
});

function sub(cmd: ReturnType<typeof parseGccArgs>, path: string, k: number): Substitution {
  const input = cmd.inputs.find((i) => i.path === path)!;
  const slash = path.lastIndexOf('/');
  return {
    input,
    copyPath: `/T/s${k}/${path.slice(slash + 1)}`,
    copyDir: `/T/s${k}`,
    origDir: slash < 0 ? '' : path.slice(0, slash),
    objectPath: `/T/s${k}/${path.slice(slash + 1, -2)}.o`,
  };
}
const lib = { archive: '/C/libspincheck.a', pull: ['-Wl,-u,spincheck_runtime_present'], libs: ['-lpthread'], weakStubs: true };

describe('plans', () => {
  it('compile only: -iquote first, the copy in place of the source, maps last; fallback is the original', () => {
    const cmd = parseGccArgs(['-Iinc', '-c', 'src/a.c', '-o', 'a.o'], '/');
    const [step, ...rest] = planCommand({ cmd, subs: [sub(cmd, 'src/a.c', 0)], runtime: lib, rules: GCC_RULES, keepColor: false });
    expect(rest).toEqual([]);
    expect(step!.args).toEqual(['-iquote', 'src', '-Iinc', '-c', '/T/s0/a.c', '-o', 'a.o', '-ffile-prefix-map=/T/s0/=src/']);
    expect(step!.fallback).toEqual(cmd.args);
    expect(step!.linksRuntime).toBe(false);
  });

  it('several sources in different directories: one compile each (G6)', () => {
    const cmd = parseGccArgs(['-c', 'x/a.c', 'y/b.c', 'z/c.c'], '/');
    const steps = planCommand({ cmd, subs: [sub(cmd, 'x/a.c', 0), sub(cmd, 'y/b.c', 1)], runtime: null, rules: GCC_RULES, keepColor: true });
    expect(steps.map((s) => s.args)).toEqual([
      ['-iquote', 'x', '-c', '/T/s0/a.c', '-fdiagnostics-color=always', '-ffile-prefix-map=/T/s0/=x/'],
      ['-iquote', 'y', '-c', '/T/s1/b.c', '-fdiagnostics-color=always', '-ffile-prefix-map=/T/s1/=y/'],
      ['-c', 'z/c.c'],
    ]);
  });

  it('compile+link in one directory: one command, runtime at the very end', () => {
    const cmd = parseGccArgs(['a.c', 'b.o', '-lm', '-o', 'prog'], '/');
    const [step] = planCommand({ cmd, subs: [sub(cmd, 'a.c', 0)], runtime: lib, rules: GCC_RULES, keepColor: false });
    expect(step!.args).toEqual(['-iquote', '.', '/T/s0/a.c', 'b.o', '-lm', '-o', 'prog', '-ffile-prefix-map=/T/s0/=', '-Wl,-u,spincheck_runtime_present', '/C/libspincheck.a', '-lpthread']);
  });

  it('compile+link across directories: temp objects, -x none around them, then one link', () => {
    const cmd = parseGccArgs(['-x', 'c', 'x/a.c', 'y/b.c', '-MMD', '-lm', '-o', 'prog'], '/');
    const steps = planCommand({ cmd, subs: [sub(cmd, 'x/a.c', 0)], runtime: lib, rules: GCC_RULES, keepColor: false });
    expect(steps.map((s) => s.args)).toEqual([
      ['-iquote', 'x', '-x', 'c', '/T/s0/a.c', '-MMD', '-MF', 'prog.d', '-MT', 'prog', '-c', '-o', '/T/s0/a.o', '-ffile-prefix-map=/T/s0/=x/'],
      ['-x', 'c', '-x', 'none', '/T/s0/a.o', '-x', 'c', 'y/b.c', '-MMD', '-lm', '-o', 'prog', '-Wl,-u,spincheck_runtime_present', '/C/libspincheck.a', '-lpthread'],
    ]);
    expect(steps[1]!.fallback).toEqual(['-x', 'c', '-x', 'none', '/T/s0/a.o', '-x', 'c', 'y/b.c', '-MMD', '-lm', '-o', 'prog']);
  });

  it('no runtime on partial links and -nostdlib', () => {
    for (const argv of [['-r', 'a.o', '-o', 'x.o'], ['-nostdlib', 'a.o', '-o', 'x']]) {
      const cmd = parseGccArgs(argv, '/');
      expect(planCommand({ cmd, subs: [], runtime: lib, rules: GCC_RULES, keepColor: false })[0]!.args).toEqual(argv);
    }
  });
});

describe('config', () => {
  it('is found upwards, resolves dataDir against its own directory, and SPINCHECK_* wins', () => {
    const root = mkdtempSync(join(tmpdir(), 'sc-cfg-'));
    mkdirSync(join(root, 'a/b'), { recursive: true });
    writeFileSync(join(root, 'spincheck.config.json'), JSON.stringify({ dataDir: 'out', strict: true, roles: { dispatch: ['Foo*'] } }));
    const c = loadConfig({ HOME: '/home/u' }, join(root, 'a/b'));
    expect(c).toMatchObject({ dataDir: join(root, 'out'), strict: true, roles: { dispatch: ['Foo*'] }, cacheDir: '/home/u/.cache/spincheck' });
    const e = loadConfig({ SPINCHECK_STRICT: '0', SPINCHECK_DIR: 'd', SPINCHECK_CANCEL: 'A,B', XDG_CACHE_HOME: '/x' }, join(root, 'a'));
    expect(e).toMatchObject({ strict: false, dataDir: join(root, 'a/d'), roles: { dispatch: ['Foo*'], cancel: ['A', 'B'] }, cacheDir: '/x/spincheck' });
    expect(() => loadConfig({ SPINCHECK_STRICT: 'maybe' }, root)).toThrow(/SPINCHECK_STRICT/);
  });

  it('a bad boolean variable names every accepted value', () => {
    expect(() => loadConfig({ SPINCHECK_STRICT: 'banana' }, tmpdir())).toThrow(
      'SPINCHECK_STRICT=banana: expected 1, true, yes or on, or 0, false, no or off',
    );
  });

  it('unknown keys of the config file are warned about, known ones not', () => {
    const root = mkdtempSync(join(tmpdir(), 'sc-cfg-'));
    const file = join(root, 'spincheck.config.json');
    writeFileSync(file, JSON.stringify({ strict: false, stirct: true, roles: {} }));
    expect(loadConfig({}, root).warnings).toEqual([
      `${file}: unknown key 'stirct' ignored (known: disable, strict, dataDir, cacheDir, cc, cl, linkRuntime, roles)`,
    ]);
  });

  it('linkRuntime: auto by default, always or never from the file or SPINCHECK_RUNTIME', () => {
    const root = mkdtempSync(join(tmpdir(), 'sc-cfg-'));
    expect(loadConfig({}, root).linkRuntime).toBe('auto');
    expect(loadConfig({ SPINCHECK_RUNTIME: 'always' }, root).linkRuntime).toBe('always');
    expect(loadConfig({ SPINCHECK_RUNTIME: '0' }, root).linkRuntime).toBe('never');
    writeFileSync(join(root, 'spincheck.config.json'), JSON.stringify({ linkRuntime: 'always' }));
    expect(loadConfig({}, root).linkRuntime).toBe('always');
    expect(loadConfig({ SPINCHECK_RUNTIME: 'off' }, root).linkRuntime).toBe('never');
    writeFileSync(join(root, 'spincheck.config.json'), JSON.stringify({ linkRuntime: 'sometimes' }));
    expect(() => loadConfig({}, root)).toThrow(/linkRuntime: expected true, false or "always"/);
  });
});
