// The analysis corpus: functions with known answers (test/analysis/cases), each finding at its line with its path.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseSource, applySummaries } from '../../src/analysis/index.js';

const CASES = join(import.meta.dirname, 'cases');

interface Expected {
  findings: Array<{ file: string; kind: string; function: string; lock: string; at: string; path: string[] }>;
  notAnalysed: Array<{ file: string; function: string }>;
}

/** Analyses a group of files as one build: each alone, then the cross-file summaries applied. */
function analyseGroup(files: string[]): Expected {
  const results = files.map((f) => ({ f, a: analyseSource(readFileSync(join(CASES, f), 'latin1'), { sourceName: f }) }));
  const summaries = results.flatMap((r) => r.a.summaries);
  return {
    findings: results.flatMap(({ f, a }) =>
      applySummaries(a.findings, summaries).map((x) => ({
        file: f,
        kind: x.kind,
        function: x.function,
        lock: x.lock,
        at: `${x.line}:${x.column}`,
        path: x.path.map((s) => `${s.line}:${s.column} ${s.what}`),
      })),
    ),
    notAnalysed: results.flatMap(({ f, a }) => a.notAnalysed.map((n) => ({ file: f, function: n.function }))),
  };
}

const groups = readdirSync(CASES)
  .filter((n) => n.endsWith('.c') || statSync(join(CASES, n)).isDirectory())
  .map((n) => (n.endsWith('.c') ? { name: n.slice(0, -2), files: [n] } : { name: n, files: readdirSync(join(CASES, n)).filter((f) => f.endsWith('.c')).map((f) => `${n}/${f}`) }));

describe('analysis corpus', () => {
  it.each(groups)('$name', ({ name, files }) => {
    const expectedFile = join(CASES, `${name}.expected.json`);
    const actual = analyseGroup(files);
    if (process.env.UPDATE_GOLDEN || !existsSync(expectedFile)) writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected);
  });

  it('decides #if groups by the macros the command defines or undefines', () => {
    const text = readFileSync(join(CASES, 'preprocessor.c'), 'latin1');
    expect(analyseSource(text, { macros: [['SEEDED', null]] }).findings).toEqual([]);
    expect(analyseSource(text, { macros: [['SEEDED', '1']] }).findings.map((f) => [f.function, f.line, f.path.map((s) => s.what)])).toEqual([
      ['Seeded', 28, ['release', 'release']],
    ]);
    expect(analyseSource(text).findings[0]?.path[1]?.text).toBe('`#ifdef SEEDED` assumed taken (a macro the analysis does not know)');
  });

  it('reports the cross-file finding when the helper file is not part of the build, unless the helper is handed the saved IRQL', () => {
    const alone = analyseGroup(['cross-file/dispatch.c']);
    expect(alone.findings.map((f) => f.function)).toEqual(['StartOther', 'StartDpc']);
  });
});
