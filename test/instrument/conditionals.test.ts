// Preprocessor conditionals: branch identity of two points and the one-branch parsing view.
import { describe, expect, it } from 'vitest';
import { alternateBranches, conditionals, firstBranchView, sameBranch } from '../../src/instrument/conditionals.js';

const text = [
  'a0',
  '#if DBG',
  'a1 {',
  '#else',
  'a2 {',
  '#endif',
  'a3 }',
  '#ifdef X \\',
  '  && Y',
  'a4',
  '#elif Z',
  '#if W',
  'a5',
  '#endif',
  'a6',
  '#endif',
  'a7',
].join('\n');
const at = (s: string) => text.indexOf(s);

describe('conditionals', () => {
  it('finds the directives, continuation lines included', () => {
    expect(conditionals(text).map((d) => [d.kind, text.slice(d.start, d.end)])).toEqual([
      ['if', '#if DBG'],
      ['else', '#else'],
      ['endif', '#endif'],
      ['if', '#ifdef X \\\n  && Y'],
      ['else', '#elif Z'],
      ['if', '#if W'],
      ['endif', '#endif'],
      ['endif', '#endif'],
    ]);
  });

  it('knows when two points share a branch', () => {
    const dirs = conditionals(text);
    expect(sameBranch(dirs, at('a0'), at('a3'))).toBe(true);
    expect(sameBranch(dirs, at('a0'), at('a7'))).toBe(true);
    expect(sameBranch(dirs, at('a1'), at('a3'))).toBe(false);
    expect(sameBranch(dirs, at('a1'), at('a2'))).toBe(false);
    expect(sameBranch(dirs, at('a5'), at('a5') + 2)).toBe(true);
    expect(sameBranch(dirs, at('a5'), at('a6'))).toBe(false);
    expect(sameBranch(dirs, at('a4'), at('a6'))).toBe(false);
  });

  it('lists the #else/#elif branch contents', () => {
    const ranges = alternateBranches(text, conditionals(text)).map(([a, b]) => text.slice(a, b).trim());
    expect(ranges).toEqual(['a2 {', '', 'a5', 'a6']);
  });

  it('keeps the first branch of each conditional, blanks the rest, keeps every offset and line', () => {
    const view = firstBranchView(text, conditionals(text));
    expect(view.length).toBe(text.length);
    expect(view.split('\n').length).toBe(text.split('\n').length);
    expect(view.replace(/\s+/g, ' ').trim()).toBe('a0 a1 { a3 } a4 a7');
  });
});
