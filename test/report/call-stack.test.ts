// Call stacks in the run format (format 2 beside 1, corrupt fields) and in every format that shows a violation's detail.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSource } from '../../src/cli/report.js';
import type { ViolationRecord } from '../../src/model/index.js';
import { loadData, parseRunFile, parseRunRecord } from '../../src/report/load.js';
import type { CallFrame, Report } from '../../src/report/merge.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderSarif } from '../../src/report/sarif.js';
import { symbolizeReport } from '../../src/report/symbolize.js';
import { renderText } from '../../src/report/text.js';
import { HOSTILE_FN, fixtureReport, makeFixture } from './fixtures.js';
import type { Fixture } from './fixtures.js';
import { haveMultitool, haveSarifSchema, multitoolValidate, reportSchemaValidator, sarifSchemaErrors, testOutput } from './tools.js';

const HEADER = (version: number) => JSON.stringify({ format: 'spincheck-run', version, pid: 7, startedAt: 1 });
const RECORD: ViolationRecord = {
  t: 'violation', kind: 'double-acquire', tu: 'tu1', site: 3, acquireTu: 'tu1', acquireSite: 1, byIoManager: false, thread: 1,
  stack: [['tu1', 0]], modules: ['/opt/app/harness', '/lib/libc.so.6'], frames: [[0, 4660], [0, 4800], [1, 160330]],
};

describe('run format 2: the call stack', () => {
  it('round-trips: a record read back equals the record written', () => {
    expect(parseRunRecord(JSON.parse(JSON.stringify(RECORD)))).toEqual(RECORD);
    const file = parseRunFile(`${HEADER(2)}\n${JSON.stringify(RECORD)}\n`, 'run.jsonl');
    expect(file.header.version).toBe(2);
    expect(file.violations).toEqual([RECORD]);
  });

  it('reads format 1 files, which have no call stack', () => {
    const { modules: _m, frames: _f, ...old } = RECORD;
    const file = parseRunFile(`${HEADER(1)}\n${JSON.stringify(old)}\n`, 'run.jsonl');
    expect(file.violations).toEqual([old]);
  });

  const corrupt: Array<[string, Partial<Record<'modules' | 'frames', unknown>>, RegExp]> = [
    ['a frame naming a module that is not listed', { frames: [[0, 1], [2, 5]] }, /frames\[1\] names module 2 of 2/],
    ['a negative offset', { frames: [[0, -4]] }, /frames\[0\]\[1\] is not a count/],
    ['a frame that is not a pair', { frames: [[0, 1, 2]] }, /frames\[0\] is not a list/],
    ['frames without modules', { modules: undefined }, /modules is not a list/],
    ['a module that is not a string', { modules: [7] }, /modules\[0\] is not a string/],
  ];
  for (const [what, change, message] of corrupt) {
    it(`${what}: one problem line naming the file, the other files still load`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'spincheck-stack-corrupt-'));
      const runs = join(dir, 'runs');
      const bad = join(runs, 'run-1-bad.jsonl');
      mkdirSync(runs);
      writeFileSync(bad, `${HEADER(2)}\n${JSON.stringify({ ...RECORD, ...change })}\n`);
      writeFileSync(join(runs, 'run-2-good.jsonl'), `${HEADER(2)}\n${JSON.stringify(RECORD)}\n`);
      const data = loadData({ sites: [dir], runs: [dir] });
      expect(data.problems).toHaveLength(1);
      expect(data.problems[0]).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 2: `));
      expect(data.problems[0]).toMatch(message);
      expect(data.problems[0]).not.toContain('\n');
      expect(data.runs.map((r) => r.file)).toEqual([join(runs, 'run-2-good.jsonl')]);
    });
  }
});

let fx: Fixture;
let report: Report;
const FRAMES: CallFrame[] = [
  { module: '/opt/app/harness', offset: 0x1234, function: 'QHelper', file: 'queue.c', line: 12, inlined: true },
  { module: '/opt/app/harness', offset: 0x1234, function: HOSTILE_FN, file: 'queue.c', line: 20 },
  { module: '/opt/app/harness', offset: 0x2000, function: 'main' },
  { module: '/lib/libc <odd> & [x](1).so', offset: 0x27249 },
];

beforeAll(() => {
  fx = makeFixture();
  const merged = fixtureReport(fx);
  report = { ...merged, violations: merged.violations.map((v, i) => (i === 0 ? { ...v, callStack: FRAMES } : v)) };
});

describe('the call stack in every format that shows a violation', () => {
  it('text: indented `at function file:line` lines under the violation, innermost first', () => {
    const text = renderText(report, { color: false, root: fx.root });
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('    at '));
    expect(lines[at - 1]).toMatch(/: error: /);
    expect(lines.slice(at, at + 4)).toEqual([
      '    at QHelper queue.c:12 [inlined]',
      `    at ${HOSTILE_FN} queue.c:20`,
      '    at main (/opt/app/harness+0x2000)',
      '    at /lib/libc <odd> & [x](1).so+0x27249',
    ]);
    expect(lines.filter((l) => l.startsWith('    at '))).toHaveLength(4);
  });

  it('junit: the failure text holds the call stack', () => {
    const xml = renderJunit(report);
    expect(xml).toContain('  call stack (innermost first):\n    at QHelper queue.c:12 [inlined]\n');
    expect(xml).toContain('    at main (/opt/app/harness+0x2000)');
    expect(xml).not.toContain('<odd>');
  });

  it('html: a Call stack list under the violation, escaped, frames in the report linked to their line', () => {
    const html = renderHtml(report, { toolVersion: '1', sourceText: readSource });
    expect(html).toContain('<span class="step">Call stack</span>');
    expect(html).toMatch(/<code>QHelper<\/code> <a href="#f\d+-L12"><code>queue\.c:12<\/code><\/a> \[inlined\]/);
    expect(html).toContain('<code>/lib/libc &#60;odd&#62; &#38; [x](1).so+0x27249</code>');
    expect(html).not.toContain(HOSTILE_FN);
  });

  it('json: the callStack array, valid against docs/report-schema.json', () => {
    const json = JSON.parse(renderJson(report)) as { violations: Array<{ callStack?: CallFrame[] }> };
    expect(json.violations[0]?.callStack).toEqual(FRAMES);
    const validate = reportSchemaValidator();
    expect(validate(json)).toBe(true);
  });

  const sarif = () => JSON.parse(renderSarif(report, { sourceRoot: fx.root, toolVersion: '1.2.3', sourceText: readSource })) as Sarif.Log;

  it('sarif: the result\'s stacks hold the call stack after the routine stack (§3.27.30, §3.44), frames with module and location', () => {
    const result = sarif().runs[0]?.results?.[0] as Sarif.Result;
    const call = result.stacks?.at(-1) as Sarif.Stack;
    expect(call.message?.text).toMatch(/^Call stack/);
    expect(call.frames.map((f) => f.module)).toEqual(FRAMES.map((f) => f.module));
    expect(call.frames.map((f) => f.location?.physicalLocation?.region?.startLine)).toEqual([12, 20, undefined, undefined]);
    expect(call.frames[0]?.location?.physicalLocation?.artifactLocation?.uri).toBe('queue.c');
    expect(call.frames[2]?.location?.logicalLocations?.[0]?.name).toBe('main');
    expect(call.frames[3]?.location?.message?.text).toBe('/lib/libc <odd> & \\[x\\](1).so+0x27249');
  });

  it.runIf(haveSarifSchema())('sarif: valid against the OASIS schema', () => {
    expect(sarifSchemaErrors(sarif())).toEqual([]);
  });

  it.runIf(haveMultitool())('sarif: the SARIF Multitool finds no error', () => {
    const file = testOutput('call-stack.sarif', JSON.stringify(sarif()));
    const r = multitoolValidate(file);
    expect(r.results.filter((x) => x.level === 'error')).toEqual([]);
  });
});

describe('symbolization', () => {
  it('a module that cannot be read keeps module+offset and is named once in a note', () => {
    const bare = { ...report, violations: report.violations.map((v, i) => (i === 0 ? { ...v, callStack: [{ module: '/nonexistent/harness', offset: 16 }] } : v)) };
    const s = symbolizeReport(bare, { env: process.env, cwd: fx.root, root: fx.root });
    expect(s.violations[0]?.callStack).toEqual([{ module: '/nonexistent/harness', offset: 16 }]);
    expect(s.notes).toEqual(['call stacks: cannot read /nonexistent/harness; their frames are shown as module+offset']);
  });
});
