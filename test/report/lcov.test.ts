// LCOV: sites as DA, routines as FN/FNDA, released/held at each exit as a BRDA pair; read by the real lcov and genhtml.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/merge.js';
import { renderLcov } from '../../src/report/lcov.js';
import { haveTool, run } from '../helpers/tools.js';
import { HOSTILE_DIR, HOSTILE_FN, fixtureReport, makeFixture } from './fixtures.js';

/** Parses a tracefile into records keyed by SF, each a list of [tag, value]. */
function parse(text: string): Map<string, Array<[string, string]>> {
  const records = new Map<string, Array<[string, string]>>();
  let current: Array<[string, string]> | null = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line === 'end_of_record') {
      current = null;
      continue;
    }
    const colon = line.indexOf(':');
    const [tag, value] = [line.slice(0, colon), line.slice(colon + 1)];
    if (tag === 'SF') records.set(value, (current = []));
    else if (tag !== 'TN') current?.push([tag, value]);
  }
  return records;
}

const values = (r: Array<[string, string]> | undefined, tag: string) => (r ?? []).filter(([t]) => t === tag).map(([, v]) => v);

describe('lcov', () => {
  const fx = makeFixture();
  const report = fixtureReport(fx);
  const text = renderLcov(report);
  const records = parse(text);
  const drv = records.get(`${HOSTILE_DIR}/drv.c`);

  it('writes one record per instrumented file, with relative paths', () => {
    expect([...records.keys()].sort()).toEqual([fx.outsidePath, `${HOSTILE_DIR}/drv.c`, 'queue.c'].sort());
    expect(text.split('\n').filter((l) => l === 'end_of_record').length).toBe(3);
  });

  it('routines are FN/FNDA with entry counts summed over processes', () => {
    expect(values(drv, 'FN')).toEqual([`${fx.line('drv', 'NTSTATUS Dispatch')},Dispatch`, `${fx.line('drv', 'VOID Cancel')},${HOSTILE_FN}`]);
    expect(values(drv, 'FNDA')).toEqual(['6,Dispatch', `2,${HOSTILE_FN}`]);
    expect([values(drv, 'FNF'), values(drv, 'FNH')]).toEqual([['2'], ['2']]);
  });

  it('sites are DA lines (the most-run site of a line); the untaken catch-all exit is not a line', () => {
    const da = new Map(values(drv, 'DA').map((v) => v.split(',').map(Number) as [number, number]));
    expect(da.get(fx.line('drv', 'IoAcquire'))).toBe(6);
    expect(da.get(fx.line('drv', 'return STATUS_PENDING'))).toBe(3);
    expect(da.get(fx.line('drv', 'IoReleaseCancelSpinLock(irp', 1))).toBe(1);
    expect(da.has(fx.line('drv', '}', 0))).toBe(false);
    expect(values(drv, 'LF')).toEqual([String(da.size)]);
    const lines = [...da.keys()];
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('each routine exit is a released/held branch pair with integer ids', () => {
    const brda = values(drv, 'BRDA').map((v) => v.split(','));
    for (const [, block, branch] of brda) {
      expect(block).toMatch(/^\d+$/);
      expect(branch).toMatch(/^[01]$/);
    }
    const pending = String(fx.line('drv', 'return STATUS_PENDING'));
    expect(brda.filter(([line]) => line === pending).map(([, , b, taken]) => [b, taken])).toEqual([['0', '0'], ['1', '3']]);
    expect(values(drv, 'BRF')).toEqual([String(brda.length)]);
    expect(values(drv, 'BRH')).toEqual([String(brda.filter(([, , , t]) => t !== '-' && t !== '0').length)]);
  });

  it('an exit never reached has both branches as "-"', () => {
    const r: Report = structuredClone(report);
    const f = r.files.find((x) => x.file === 'queue.c');
    for (const s of f?.sites ?? []) if (s.kind === 'routine-exit') Object.assign(s, { hits: 0, held: 0 });
    const brda = values(parse(renderLcov(r)).get('queue.c'), 'BRDA');
    expect(brda.length).toBeGreaterThan(0);
    expect(brda.every((b) => b.endsWith(',-'))).toBe(true);
  });

  it('hostile names cannot add records or split fields', () => {
    const r: Report = structuredClone(report);
    const f = r.files.find((x) => x.file === 'queue.c');
    if (f?.routines[0]) f.routines[0].name = 'a,b\nend_of_record\nSF:/etc/passwd';
    if (f) f.file = 'q\nSF:/etc/shadow';
    const out = renderLcov(r);
    expect(out).not.toMatch(/^SF:\/etc/m);
    expect(out.split('\n').filter((l) => l === 'end_of_record').length).toBe(3);
    expect(out).toContain('FNDA:3,a?b?end_of_record?SF:/etc/passwd');
  });
});

describe.runIf(haveTool('genhtml'))('lcov: the real lcov 1.x tools', () => {
  const fx = makeFixture();
  const info = join(fx.root, 'lcov.info');
  writeFileSync(info, renderLcov(fixtureReport(fx)));

  it('lcov --summary reads the counts back', () => {
    const r = run('lcov', ['--summary', info, '--rc', 'lcov_branch_coverage=1'], { cwd: fx.root });
    const out = r.stdout + r.stderr;
    expect(r.status).toBe(0);
    expect(out).toMatch(/lines\.+: 100\.0% \(18 of 18 lines\)/);
    expect(out).toMatch(/functions\.+: 100\.0% \(3 of 3 functions\)/);
    expect(out).toMatch(/branches\.+: 50\.0% \(5 of 10 branches\)/);
  });

  it('genhtml renders it without warnings, finding every source', () => {
    const out = join(fx.root, 'genhtml');
    const r = run('genhtml', ['--branch-coverage', '--output-directory', out, info], { cwd: fx.root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Overall coverage rate:\s+lines\.+: 100\.0% \(18 of 18 lines\)\s+functions\.+: 100\.0% \(3 of 3 functions\)\s+branches\.+: 50\.0% \(5 of 10 branches\)/);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    // The annotated source page for queue.c shows the source and the held branch.
    const pages = readdirSync(out, { recursive: true }).map(String).filter((p) => p.endsWith('queue.c.gcov.html'));
    expect(pages.length).toBe(1);
    const page = readFileSync(join(out, pages[0] as string), 'utf8');
    expect(page).toContain('IoAcquireCancelSpinLock(&amp;b);');
  });
});
