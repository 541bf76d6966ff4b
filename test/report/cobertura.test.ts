// Cobertura XML: the same line coverage as LCOV, routine exits as released/held branches, well-formed with hostile names.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderCobertura } from '../../src/report/cobertura.js';
import { renderLcov } from '../../src/report/lcov.js';
import { HOSTILE_DIR, HOSTILE_FN, fixtureReport, makeFixture } from './fixtures.js';

interface Line { number: string; hits: string; branch: string; 'condition-coverage'?: string }
interface Klass { filename: string; 'line-rate': string; lines: { line: Line[] | Line }; methods: { method?: Array<{ name: string }> | { name: string } } }

const list = <T>(x: T[] | T | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

describe('cobertura', () => {
  const fx = makeFixture();
  const report = fixtureReport(fx);
  const text = renderCobertura(report, '9.9.9', '/src/root');
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text) as {
    coverage: Record<string, string> & { packages: { package: { classes: { class: Klass[] | Klass } } } };
  };
  const classes = list(doc.coverage.packages.package.classes.class);

  it('is well-formed XML even with hostile file and routine names', () => {
    expect(XMLValidator.validate(text)).toBe(true);
    expect(classes.map((c) => c.filename)).toContain(`${HOSTILE_DIR}/drv.c`);
    const methods = classes.flatMap((c) => list(c.methods.method).map((m) => m.name));
    expect(methods).toContain(HOSTILE_FN);
  });

  it('has exactly the lines and hits the LCOV tracefile has', () => {
    const lcov = renderLcov(report);
    const fromLcov = new Map<string, string[]>();
    let file = '';
    for (const l of lcov.split('\n')) {
      if (l.startsWith('SF:')) fromLcov.set((file = l.slice(3)), []);
      if (l.startsWith('DA:')) fromLcov.get(file)?.push(l.slice(3));
    }
    for (const c of classes) {
      expect(list(c.lines.line).map((l) => `${l.number},${l.hits}`)).toEqual(fromLcov.get(c.filename));
    }
  });

  it('counts routine exits as two branches each, and the totals add up', () => {
    const lines = classes.flatMap((c) => list(c.lines.line));
    const branchLines = lines.filter((l) => l.branch === 'true');
    expect(branchLines.length).toBeGreaterThan(0);
    let covered = 0;
    let valid = 0;
    for (const l of branchLines) {
      const m = /^(\d+)% \((\d+)\/(\d+)\)$/.exec(l['condition-coverage'] ?? '');
      expect(m).not.toBeNull();
      covered += Number(m?.[2]);
      valid += Number(m?.[3]);
    }
    expect(Number(doc.coverage['branches-covered'])).toBe(covered);
    expect(Number(doc.coverage['branches-valid'])).toBe(valid);
    expect(Number(doc.coverage['lines-valid'])).toBe(lines.length);
    expect(Number(doc.coverage['lines-covered'])).toBe(lines.filter((l) => Number(l.hits) > 0).length);
    expect(Number(doc.coverage['line-rate'])).toBeCloseTo(lines.filter((l) => Number(l.hits) > 0).length / lines.length, 3);
  });
});
