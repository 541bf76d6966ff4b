// Mutation test of the path check over the real-code driver corpus: each mutant deletes one release call, or turns
// the statement before one into a `return`; the analysis must find (nearly) every mutant, and nothing on the originals.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseSource } from '../../src/analysis/index.js';
import { blankAnnotations } from '../../src/instrument/annotations.js';
import { cParser } from '../../src/instrument/parse.js';
import type { SyntaxNode } from '../../src/instrument/parse.js';
import { LOCK_FORM_BY_NAME } from '../../src/model/lock-api.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CORPUS = ['test/real/drivers', 'test/instrument/drivers'].flatMap((d) =>
  readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.c')).sort().map((f) => join(d, f)));

export interface Mutant {
  file: string;
  how: string;
  text: string;
}

const lockOp = (call: SyntaxNode) => LOCK_FORM_BY_NAME.get(call.childForFieldName('function')?.text ?? '')?.op;
const hasLockCall = (n: SyntaxNode) => n.descendantsOfType('call_expression').some((c) => lockOp(c) !== undefined);
const line = (n: SyntaxNode) => n.startPosition.row + 1;

function enclosingFunction(n: SyntaxNode): SyntaxNode | null {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

/** The mutants of one file: per release call, its statement deleted; and the statement before it made a `return`. */
export function mutants(file: string, text: string): Mutant[] {
  const root = cParser().parse(blankAnnotations(text).text).rootNode;
  const out: Mutant[] = [];
  const replace = (n: SyntaxNode, by: string) => text.slice(0, n.startIndex) + by + text.slice(n.endIndex);
  for (const call of root.descendantsOfType('call_expression')) {
    if (lockOp(call) !== 'release') continue;
    const statement = call.parent;
    const fn = enclosingFunction(call);
    if (statement?.type !== 'expression_statement' || !fn) continue;
    out.push({ file, how: `delete the release at line ${line(call)}`, text: replace(statement, ';') });
    let before = statement.previousNamedSibling;
    while (before?.type === 'comment') before = before.previousNamedSibling;
    if (before?.type !== 'expression_statement' || hasLockCall(before) || statement.parent?.type !== 'compound_statement') continue;
    const value = /^(void|VOID)$/.test(fn.childForFieldName('type')?.text ?? '') ? '' : ' 0';
    out.push({ file, how: `return at line ${line(before)}, before the release at line ${line(call)}`, text: replace(before, `return${value};`) });
  }
  return out;
}

const findings = (text: string) => analyseSource(text).findings.map((f) => `${f.kind} ${f.function}:${f.line} ${f.lock}`);

describe('path check on mutants of the real driver corpus', () => {
  const sources = CORPUS.map((file) => ({ file, text: readFileSync(join(ROOT, file), 'latin1') }));

  it('finds at most one finding per 2,000 lines in the unmutated files (each explained in docs/real-code.md)', () => {
    const lines = sources.reduce((n, s) => n + s.text.split('\n').length, 0);
    const all = sources.flatMap((s) => findings(s.text).map((f) => `${s.file}: ${f}`));
    expect(all.length).toBeLessThanOrEqual(Math.floor(lines / 2000));
    expect(all).toEqual([]);
  });

  it('finds at least 90% of the mutants', () => {
    const all = sources.flatMap((s) => mutants(s.file, s.text).map((m) => ({ ...m, before: findings(s.text) })));
    const missed = all.filter((m) => {
      const base = new Set(m.before);
      return !findings(m.text).some((f) => !base.has(f));
    }).map((m) => `${m.file}: ${m.how}`);
    const rate = (all.length - missed.length) / all.length;
    if (process.env.SHOW_MISSED) console.log(`${all.length} mutants, ${missed.length} missed:\n${missed.join('\n')}`);
    expect(all.length).toBeGreaterThanOrEqual(40);
    expect(rate, `missed:\n${missed.join('\n')}`).toBeGreaterThanOrEqual(0.9);
  });
});
