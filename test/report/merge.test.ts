// The merged model: paths shown relative to the report root (or absolute outside it), counts summed, merge pure.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/report/load.js';
import { displayPath, mergeData } from '../../src/report/merge.js';
import { renderText } from '../../src/report/text.js';
import { HOSTILE_DIR, HOSTILE_FN, fixtureReport, makeFixture } from './fixtures.js';

describe('displayPath', () => {
  it('is relative below the root and absolute elsewhere', () => {
    expect(displayPath('/w/proj', '/w/proj/src/a.c')).toBe('src/a.c');
    expect(displayPath('/w/proj', '/w/proj/..hidden.c')).toBe('..hidden.c');
    expect(displayPath('/w/proj', '/w/other/a.c')).toBe('/w/other/a.c');
    expect(displayPath('/w/proj', '/w/proj-x/a.c')).toBe('/w/proj-x/a.c');
    expect(displayPath('/', '/a.c')).toBe('a.c');
  });
});

describe('mergeData', () => {
  const fx = makeFixture();
  const data = loadData({ sites: [fx.data], runs: [fx.data] });

  it('shows sources relative to the root, whatever the compile called them', () => {
    const r = mergeData(data, { root: fx.root });
    expect(r.files.map((f) => f.file).sort()).toEqual([fx.outsidePath, `${HOSTILE_DIR}/drv.c`, 'plain.c', 'queue.c'].sort());
    expect(r.files.find((f) => f.file === 'queue.c')?.sourceAbs).toBe(fx.queuePath);
    const v = r.violations.find((x) => x.kind === 'release-other-thread');
    expect(v?.location.file).toBe('queue.c');
    expect(v?.acquire?.file).toBe(fx.outsidePath);
    // Another root: the same data, other display paths.
    const below = mergeData(data, { root: join(fx.root, HOSTILE_DIR) });
    expect(below.files.map((f) => f.file)).toContain('drv.c');
    expect(below.files.map((f) => f.file)).toContain(fx.queuePath);
  });

  it('is pure: merging twice gives the same model and leaves the input alone', () => {
    const before = JSON.stringify(data);
    expect(mergeData(data, { root: fx.root })).toEqual(mergeData(data, { root: fx.root }));
    expect(JSON.stringify(data)).toBe(before);
  });

  it('adds counts across processes and reports bad files as problems', () => {
    const r = fixtureReport(fx);
    expect(r.processes).toBe(3); // two full runs and the torn one (its complete lines count)
    const exit = r.violations.find((v) => v.kind === 'dispatch-exit-held');
    expect([exit?.count, exit?.processes]).toEqual([3, 2]);
    expect(r.files.find((f) => f.file.endsWith('drv.c'))?.routines.map((x) => [x.name, x.entries, x.exitsHeld])).toEqual([
      ['Dispatch', 6, 3],
      [HOSTILE_FN, 2, 0],
    ]);
    expect(r.problems.some((p) => p.includes('run-102-torn.jsonl: last line is truncated'))).toBe(true);
    expect(r.problems.some((p) => p.includes('run-103-foreign.jsonl: format version 99'))).toBe(true);
  });
});

describe('text report', () => {
  it('shows relative paths and no control characters from data', () => {
    const fx = makeFixture();
    const r = fixtureReport(fx);
    const evil = { ...r, files: r.files.map((f) => ({ ...f, routines: f.routines.map((x) => ({ ...x, name: `${x.name}\u001b]0;owned\u0007\nSUMMARY: fake` })) })) };
    const text = renderText(evil, { color: false });
    expect(text).toMatch(/^queue\.c:\d+:5: error: \[CancelSpinLock\/double-acquire\]/m);
    expect(text).not.toMatch(/\u001b|\u0007/);
    expect(text.match(/^SUMMARY/gm)?.length).toBe(1);
    expect(text).toContain('QCancel?]0;owned??SUMMARY: fake');
  });
});
