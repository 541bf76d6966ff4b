// JUnit XML: well-formed, a testcase per routine, a failing testcase per violation, file/line on each.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit, xml } from '../../src/report/junit.js';
import type { Report } from '../../src/report/merge.js';
import { HOSTILE_DIR, HOSTILE_FN, fixtureReport, makeFixture } from './fixtures.js';

interface Case {
  '@_name': string;
  '@_classname': string;
  '@_file': string;
  '@_line': string;
  '@_time': string;
  failure?: { '@_message': string; '@_type': string; '#text': string };
  skipped?: { '@_message': string };
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  testcase: Case[];
  'system-err'?: string;
}

function parse(text: string) {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`not well-formed: ${JSON.stringify(valid.err)}`);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(text) as {
    testsuites: { '@_tests': string; '@_failures': string; '@_skipped': string; testsuite: Suite[] };
  };
  return doc.testsuites;
}

describe('junit', () => {
  const fx = makeFixture();
  const report = fixtureReport(fx);
  const root = parse(renderJunit(report));
  const all = root.testsuite.flatMap((s) => s.testcase ?? []);

  it('is well-formed with the totals on the root', () => {
    expect(Number(root['@_tests'])).toBe(all.length);
    expect(Number(root['@_failures'])).toBe(6);
    expect(all.filter((c) => c.failure).length).toBe(6);
    for (const s of root.testsuite) expect(Number(s['@_tests'])).toBe((s.testcase ?? []).length);
  });

  it('routines without violations pass; each violation is a failing testcase at its line', () => {
    const drv = root.testsuite.find((s) => s['@_name'] === `${HOSTILE_DIR}/drv.c`);
    const names = (drv?.testcase ?? []).map((c) => c['@_name']);
    expect(names).toEqual([
      `Dispatch: dispatch-exit-held at line ${fx.line('drv', 'return STATUS_PENDING')}`,
      `${HOSTILE_FN}: release-not-held at line ${fx.line('drv', 'IoReleaseCancelSpinLock(irp', 1)}`,
    ]);
    const queue = root.testsuite.find((s) => s['@_name'] === 'queue.c');
    const helper = queue?.testcase.find((c) => c['@_name'].startsWith('QHelper: double-acquire'));
    expect(helper?.['@_file']).toBe('queue.c');
    expect(helper?.['@_line']).toBe(String(fx.line('queue', 'IoAcquireCancelSpinLock(&b)')));
    expect(helper?.failure?.['@_type']).toBe('CancelSpinLock/double-acquire');
    expect(helper?.failure?.['#text']).toMatch(/^queue\.c:\d+:5: error: \[CancelSpinLock\/double-acquire\]/);
    expect(helper?.failure?.['#text']).toContain('routine stack (innermost first):');
    for (const c of all) expect(c['@_time']).toBe('0');
  });

  it('a routine that never ran is skipped, not passed', () => {
    const r: Report = structuredClone(report);
    const q = r.files.find((f) => f.file === 'queue.c');
    r.violations = [];
    if (q?.routines[0]) q.routines[0].entries = 0;
    const cases = parse(renderJunit(r)).testsuite.flatMap((s) => s.testcase ?? []);
    expect(cases.find((c) => c['@_name'] === 'QCancel')?.skipped?.['@_message']).toMatch(/never ran/);
    expect(cases.filter((c) => c.failure)).toEqual([]);
  });

  it('data problems are on the first suite\'s system-err; files with nothing to test get no suite', () => {
    expect(root.testsuite[0]?.['system-err']).toMatch(/run-103-foreign\.jsonl: format version 99/);
    expect(root.testsuite.map((s) => s['@_name'])).not.toContain('plain.c');
    const empty = parse(renderJunit({ ...report, files: [], violations: [] }));
    expect(empty.testsuite.map((s) => [s['@_name'], s['@_tests']])).toEqual([['spincheck', '0']]);
    expect(empty.testsuite[0]?.['system-err']).toMatch(/format version 99/);
  });

  it('hostile names and characters XML cannot carry stay well-formed and read back', () => {
    const r: Report = structuredClone(report);
    const q = r.files.find((f) => f.file === 'queue.c');
    const evil = 'x"/><testcase name="forged"/><!-- \u0001\uffff\ud800 ]]> &amp;';
    if (q?.routines[0]) q.routines[0].name = evil;
    r.violations = r.violations.filter((v) => v.location.function !== 'QCancel');
    const cases = parse(renderJunit(r)).testsuite.flatMap((s) => s.testcase ?? []);
    expect(cases.some((c) => c['@_name'] === 'forged')).toBe(false);
    const back = cases.find((c) => c['@_name'].startsWith('x"/>'));
    expect(back?.['@_name']).toBe('x"/><testcase name="forged"/><!-- \ufffd\ufffd\ufffd ]]> &amp;');
    expect(xml('a&b<c>"\'\n')).toBe('a&amp;b&lt;c&gt;&quot;&apos;&#10;');
  });
});
