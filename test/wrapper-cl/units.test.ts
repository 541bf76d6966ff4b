// Pure pieces of spincheck-cl: the instrumenter's pragmaLib option, the COFF link fallback, rules, /FI for cl.exe.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instrument } from '../../src/instrument/index.js';
import { linkFallbackText } from '../../src/wrapper/cl/link-fallback.js';
import { parseClArgs } from '../../src/wrapper/cl/parse.js';
import { clRules } from '../../src/wrapper/cl/rules.js';
import { dirOf } from '../../src/wrapper/plan.js';
import { haveTool, run } from '../helpers/tools.js';
import { ROOT } from '../wrapper/helpers.js';
import { findClangCl } from './helpers.js';
import prelude from '../../src/runtime-c/spincheck_prelude.h';

const CASE = join(ROOT, 'test/golden/cases/basic-dispatch');
const input = readFileSync(join(CASE, 'input.c'), 'latin1');
const options = {
  tuId: 'golden',
  sourceName: 'input.c',
  dialect: 'msvc' as const,
  resolveInclude: (spec: string) => {
    for (const base of [CASE, join(ROOT, 'test/golden')]) {
      try {
        const path = join(base, spec);
        return { path, text: readFileSync(path, 'latin1') };
      } catch {
        // next directory
      }
    }
    return undefined;
  },
};

describe('instrumenter pragmaLib (cl runtime library)', () => {
  const plain = instrument(input, options);
  const lib = 'C:\\Users\\me\\AppData\\Local\\spincheck\\runtime\\k\\spincheck_md.lib';
  const withLib = instrument(input, { ...options, pragmaLib: lib });

  it('adds exactly one line, at the end of the prelude block, and nothing else', () => {
    const pragma = '#pragma comment(lib, "C:\\\\Users\\\\me\\\\AppData\\\\Local\\\\spincheck\\\\runtime\\\\k\\\\spincheck_md.lib")\n';
    const at = withLib.code.indexOf(pragma);
    expect(at).toBeGreaterThan(0);
    expect(withLib.code.slice(0, at) + withLib.code.slice(at + pragma.length)).toBe(plain.code);
    // Inside the prelude block: after the prelude's last line, before the #line that ends the block.
    expect(withLib.code.slice(0, at).endsWith(`${prelude.trimEnd()}\n`)).toBe(true);
    expect(withLib.code.slice(at + pragma.length)).toMatch(/^#line \d+\n/);
    expect(withLib.sites).toEqual(plain.sites);
  });

  it('is absent without the option (gcc output unchanged)', () => {
    expect(plain.code).not.toContain('#pragma comment');
    expect(instrument(input, { ...options, dialect: 'gnu' }).code).not.toContain('#pragma comment');
  });

  const clangCl = haveTool('clang') ? findClangCl() : null;
  it.runIf(clangCl)('compiles with clang-cl /W4 /WX and the object asks the linker for the library', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-pragma-'));
    writeFileSync(join(dir, 'input.c'), withLib.code + linkFallbackText(), 'latin1');
    for (const h of ['wdm-lite.h']) writeFileSync(join(dir, h), readFileSync(join(ROOT, 'test/golden', h)));
    const r = run(clangCl!, ['/nologo', '/c', '/W4', '/WX', 'input.c', '/Foinput.obj'], { cwd: dir });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    const d = run('llvm-objdump', ['-s', '-j', '.drectve', 'input.obj'], { cwd: dir }).stdout;
    const bytes = Buffer.from(d.split('\n').flatMap((l) => (/^ [0-9a-f]{4} /.test(l) ? [l.slice(6, 41).replace(/\s/g, '')] : [])).join(''), 'hex');
    expect(bytes.toString('latin1')).toContain('spincheck_md.lib');
    expect(bytes.toString('latin1')).toContain('/alternatename:spincheck_enter=spincheck_stub_enter');
  });
});

describe('COFF link fallback', () => {
  const text = linkFallbackText();
  it('declares a stand-in and an /alternatename (x86 and x64 spelling) for each hook the prelude declares', () => {
    const hooks = [...prelude.matchAll(/^[a-z][\w ]*?\*?spincheck_(\w+)\(struct spincheck_/gm)].map((m) => m[1] as string);
    expect(hooks.length).toBe(21);
    for (const h of hooks) {
      expect(text).toContain(`__inline`);
      expect(text).toContain(`spincheck_stub_${h}(`);
      expect(text).toContain(`/alternatename:spincheck_${h}=spincheck_stub_${h}`);
      expect(text).toContain(`/alternatename:_spincheck_${h}=_spincheck_stub_${h}`);
    }
    expect(text).toMatch(/__declspec\(selectany\) const spincheck_fn spincheck_stub_refs_\[21\]/);
  });
});

describe('cl rules and paths', () => {
  it('puts /I <source dir> first, compiles split objects with /c /Fo, appends nothing to links', () => {
    const r = clRules(false);
    expect(r.quoteDirArgs('my src')).toEqual(['/I', 'my src']);
    expect(r.quoteDirArgs('')).toEqual(['/I', '.']);
    expect(r.compileToObjectArgs('t\\a.obj')).toEqual(['/c', '/Fot\\a.obj']);
    expect(r.prefixMapArgs('/tmp/x/s0', 'src', [])).toEqual([]);
    expect(r.runtimeArgs({ archive: 'x', pull: [], libs: [] } as never)).toEqual([]);
  });

  it('maps the copy directory in clang-cl debug info', () => {
    expect(clRules(true).prefixMapArgs('/tmp/x/s0', 'my src', [])).toEqual(['/clang:-ffile-prefix-map=/tmp/x/s0/=my src/']);
    expect(clRules(true).prefixMapArgs('C:\\T\\s0', 'C:\\src\\', [])).toEqual(['/clang:-ffile-prefix-map=C:\\T\\s0\\=C:\\src\\']);
  });

  it('splits Windows paths on both separators only on Windows', () => {
    expect(dirOf('src\\drv.c', true)).toBe('src');
    expect(dirOf('C:\\drv.c', true)).toBe('C:\\');
    expect(dirOf('C:drv.c', true)).toBe('C:');
    expect(dirOf('a/b\\c.c', true)).toBe('a/b');
    expect(dirOf('src\\drv.c', false)).toBe('');
    expect(dirOf('/drv.c', false)).toBe('/');
  });

  it('cl.exe: a relative /FI becomes the absolute file cl would open (source dir, then /I, then INCLUDE)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-fi-'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'inc'));
    mkdirSync(join(dir, 'sdk'));
    writeFileSync(join(dir, 'src/a.h'), '');
    writeFileSync(join(dir, 'inc/a.h'), '');
    writeFileSync(join(dir, 'inc/b.h'), '');
    writeFileSync(join(dir, 'sdk/c.h'), '');
    const p = parseClArgs(['/c', '/I', 'inc', '/FI', 'a.h', '/FIb.h', '/FI', 'c.h', '/FI', 'missing.h', 'src/x.c'], {
      cwd: dir,
      env: { INCLUDE: join(dir, 'sdk') },
      clang: false,
      windows: false,
    });
    expect(p.args).toEqual(['/c', '/I', 'inc', '/FI', join(dir, 'src/a.h'), `/FI${join(dir, 'inc/b.h')}`, '/FI', join(dir, 'sdk/c.h'), '/FI', 'missing.h', 'src/x.c']);
    const clang = parseClArgs(['/c', '/FI', 'a.h', 'src/x.c'], { cwd: dir, env: {}, clang: true, windows: false });
    expect(clang.args).toEqual(['/c', '/FI', 'a.h', 'src/x.c']);
  });
});
