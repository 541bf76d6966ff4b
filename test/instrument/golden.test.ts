// Golden cases: each construct's rewrite, sites, integrity (insert-only), idempotence, and -Werror compiles.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { instrument } from '../../src/instrument/index.js';
import type { InstrumentResult } from '../../src/instrument/index.js';
import type { Dialect } from '../../src/instrument/types.js';
import prelude from '../../src/runtime-c/spincheck_prelude.h';
import { haveTool, run } from '../helpers/tools.js';

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = join(here, '..', 'golden');
const casesDir = join(goldenDir, 'cases');
const cases = readdirSync(casesDir).sort();
const update = process.env.UPDATE_GOLDEN === '1';
const objDir = mkdtempSync(join(tmpdir(), 'spincheck-golden-'));

/** The prelude every output carries, verbatim from the header; expected files show one line in its place. */
const PRELUDE = prelude.trimEnd();
const PRELUDE_MARK = '/* [the spincheck prelude: src/runtime-c/spincheck_prelude.h] */';
const withoutPrelude = (code: string) => code.replace(PRELUDE, PRELUDE_MARK);

function instrumentCase(name: string, dialect: Dialect = 'gnu'): { input: string; result: InstrumentResult } {
  const dir = join(casesDir, name);
  const input = readFileSync(join(dir, 'input.c'), 'latin1');
  const result = instrument(input, {
    tuId: 'golden',
    sourceName: 'input.c',
    dialect,
    resolveInclude: (spec) => {
      for (const base of [dir, goldenDir]) {
        const path = join(base, spec);
        if (existsSync(path)) return { path, text: readFileSync(path, 'latin1') };
      }
      return undefined;
    },
  });
  return { input, result };
}

function removeInsertions(code: string, result: InstrumentResult): string {
  const sorted = [...result.insertions].sort((a, b) => a.index - b.index);
  let out = code;
  let shift = 0;
  const positions: Array<{ at: number; len: number }> = [];
  for (const ins of sorted) positions.push({ at: ins.index + shift, len: ins.text.length }), (shift += ins.text.length);
  for (const p of positions.reverse()) out = out.slice(0, p.at) + out.slice(p.at + p.len);
  return out;
}

const compilers = ['gcc', 'clang'].filter((cc) => haveTool(cc));
const modes = [
  ['-std=c89', '-pedantic', '-O0'],
  ['-std=c99', '-pedantic', '-O2'],
  ['-std=gnu11', '-O2'],
];

describe.each(cases)('golden %s', (name) => {
  const dir = join(casesDir, name);
  const { input, result } = instrumentCase(name);
  const expectedPath = join(dir, 'expected.c');
  const outputPath = join(objDir, `${name}.c`);
  writeFileSync(outputPath, result.code, 'latin1');
  const sitesPath = join(dir, 'expected-sites.json');
  const sitesJson = `${JSON.stringify({ sites: result.sites, routines: result.routines, unchecked: result.unchecked }, null, 2)}\n`;
  if (update) {
    writeFileSync(expectedPath, withoutPrelude(result.code), 'latin1');
    writeFileSync(sitesPath, sitesJson);
  }

  it('rewrites as expected', () => {
    if (result.changed) expect(result.code).toContain(PRELUDE);
    expect(withoutPrelude(result.code)).toBe(readFileSync(expectedPath, 'latin1'));
    expect(sitesJson).toBe(readFileSync(sitesPath, 'utf8'));
  });

  it('only inserts: removing the insertions gives back the input', () => {
    expect(removeInsertions(result.code, result)).toBe(input);
  });

  it('keeps every original line at its number', () => {
    const out = result.code.split('\n');
    const lineOf = new Map<number, number>();
    const directive = /^#line (\d+)/;
    let logical = 1;
    for (const line of out) {
      const m = directive.exec(line);
      if (m) logical = Number(m[1]) - 1;
      lineOf.set(logical, (lineOf.get(logical) ?? 0) + 1);
      logical++;
    }
    for (const s of result.sites) expect(s.line).toBeLessThanOrEqual(input.split('\n').length);
  });

  it('is a no-op the second time', () => {
    const again = instrument(result.code, { tuId: 'golden', sourceName: 'input.c' });
    expect(again.changed).toBe(false);
    expect(again.code).toBe(result.code);
  });

  it.runIf(compilers.includes('clang'))('in the msvc dialect compiles warning-free with clang-cl /W4 /WX (__try/__finally)', () => {
    const msvc = instrumentCase(name, 'msvc').result;
    expect(removeInsertions(msvc.code, msvc)).toBe(input);
    const msvcPath = join(objDir, `${name}-msvc.c`);
    writeFileSync(msvcPath, msvc.code, 'latin1');
    const flags = ['--driver-mode=cl', '/W4', '/WX', '/O2', '/c', `/Fo${join(objDir, `${name}.obj`)}`, `/I${dir}`, `/I${goldenDir}`];
    const plain = run('clang', [...flags, '/Tc', join(dir, 'input.c')]);
    expect(plain.stdout + plain.stderr).toBe('');
    const instrumented = run('clang', [...flags, '/Tc', msvcPath]);
    expect(instrumented.stdout + instrumented.stderr).toBe('');
    expect(instrumented.status).toBe(0);
  });

  const msvcOnly = existsSync(join(dir, 'msvc-only'));
  for (const cc of msvcOnly ? [] : compilers) {
    for (const mode of modes) {
      it(`compiles warning-free with ${cc} ${mode.join(' ')}`, () => {
        const flags = [...mode, '-Wall', '-Wextra', '-Werror', '-c', '-o', join(objDir, `${name}.o`), '-I', dir, '-I', goldenDir];
        const plain = run(cc, [...flags, '-x', 'c', join(dir, 'input.c')]);
        expect(plain.stderr).toBe('');
        const instrumented = run(cc, [...flags, '-x', 'c', outputPath]);
        expect(instrumented.stderr).toBe('');
        expect(instrumented.status).toBe(0);
      });
    }
  }
});
