// SARIF: valid for the OASIS schema and the SARIF Multitool, with the locations, flows and fingerprints code scanning uses.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSource } from '../../src/cli/report.js';
import type { Report, ViolationSummary } from '../../src/report/merge.js';
import { MAX_RESULTS, RULE_URL, renderSarif, sarifLog, sarifText } from '../../src/report/sarif.js';
import { HOSTILE_DIR, HOSTILE_FN, fixtureReport, makeFixture } from './fixtures.js';
import type { Fixture } from './fixtures.js';
import { haveMultitool, haveSarifSchema, multitoolValidate, sarifSchemaErrors } from './tools.js';

let fx: Fixture;
let report: Report;
let log: Sarif.Log;
let run: Sarif.Run;
const options = () => ({ sourceRoot: fx.root, toolVersion: '1.2.3', sourceText: readSource });
const result = (kind: string) => {
  const r = run.results?.find((x) => x.ruleId === `CancelSpinLock/${kind}`);
  if (!r) throw new Error(`no ${kind} result`);
  return r;
};
const uriOf = (l: Sarif.Location | undefined) => l?.physicalLocation?.artifactLocation?.uri;
const lineOfLoc = (l: Sarif.Location | undefined) => l?.physicalLocation?.region?.startLine;

beforeAll(() => {
  fx = makeFixture();
  report = fixtureReport(fx);
  log = JSON.parse(renderSarif(report, options())) as Sarif.Log;
  run = log.runs[0] as Sarif.Run;
});

describe('sarif', () => {
  const schema = haveSarifSchema();

  it.runIf(schema)('is valid against the OASIS SARIF 2.1.0 schema', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  it.runIf(schema)('the schema check can fail (a result without a message is rejected)', () => {
    const broken = structuredClone(log) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    delete broken.runs[0]?.results[0]?.message;
    expect(sarifSchemaErrors(broken).length).toBeGreaterThan(0);
  });

  it('has a rule for each kind (each lock rule of the spin-lock alternation kinds), with descriptions, help and the CancelSpinLock link', () => {
    const rules = run.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual([
      'CancelSpinLock/double-acquire', 'CancelSpinLock/release-not-held', 'CancelSpinLock/release-other-thread',
      'CancelSpinLock/dispatch-exit-held', 'CancelSpinLock/cancel-exit-held', 'CancelSpinLock/irql-mismatch',
      'CancelSpinLock/spin-lock-exit-held',
      'SpinLock/spin-lock-double-acquire', 'SpinLockDpc/spin-lock-double-acquire', 'QueuedSpinLock/spin-lock-double-acquire',
      'SpinLock/spin-lock-release-not-held', 'SpinLockDpc/spin-lock-release-not-held', 'QueuedSpinLock/spin-lock-release-not-held',
      'SpinLock/spin-lock-release-other-thread', 'SpinLockDpc/spin-lock-release-other-thread',
      'QueuedSpinLock/spin-lock-release-other-thread',
    ]);
    for (const r of rules) {
      expect(r.shortDescription?.text).toMatch(/\.$/);
      expect(r.fullDescription?.text.length).toBeGreaterThan(80);
      expect(r.help?.text).toContain(RULE_URL);
      expect(r.help?.markdown).toContain(`](${RULE_URL})`);
      expect(r.helpUri).toBe(RULE_URL);
      expect(r.defaultConfiguration?.level).toBe('error');
    }
    expect(run.tool.driver.name).toBe('spincheck');
    expect(run.tool.driver.version).toBe('1.2.3');
  });

  it('one error result per distinct violation, at the line where it happened, relative to the source root', () => {
    expect(run.results?.length).toBe(6);
    for (const r of run.results ?? []) {
      expect(r.level).toBe('error');
      expect(run.tool.driver.rules?.[r.ruleIndex as number]?.id).toBe(r.ruleId);
    }
    const exit = result('dispatch-exit-held');
    const loc = exit.locations?.[0]?.physicalLocation;
    expect(loc?.artifactLocation?.uriBaseId).toBe('SRCROOT');
    expect(loc?.artifactLocation?.uri).toBe(`${HOSTILE_DIR.split('/').map(encodeURIComponent).join('/')}/drv.c`);
    expect(decodeURIComponent(loc?.artifactLocation?.uri ?? '')).toBe(`${HOSTILE_DIR}/drv.c`);
    expect(loc?.region?.startLine).toBe(fx.line('drv', 'return STATUS_PENDING'));
    expect(loc?.region?.startColumn).toBe(9);
    expect(loc?.region?.snippet?.text).toBe('        return STATUS_PENDING;');
    expect(exit.occurrenceCount).toBe(3);
    expect(run.originalUriBaseIds?.SRCROOT?.uri).toBe(pathToFileURL(`${fx.root}/`).href);
    const q = result('double-acquire');
    expect(uriOf(q.locations?.[0])).toBe('queue.c');
    expect(lineOfLoc(q.locations?.[0])).toBe(fx.line('queue', 'IoAcquireCancelSpinLock(&b)'));
  });

  it('a source outside the root gets an absolute file: URI without a base', () => {
    const r = result('release-other-thread');
    const acquire = r.codeFlows?.[0]?.threadFlows[0]?.locations[0]?.location?.physicalLocation?.artifactLocation;
    expect(acquire?.uri).toBe(pathToFileURL(fx.outsidePath).href);
    expect(acquire?.uriBaseId).toBeUndefined();
  });

  it('code flows go from the acquire site to the violation, with the routine stack', () => {
    const flow = result('dispatch-exit-held').codeFlows?.[0]?.threadFlows[0]?.locations ?? [];
    expect(flow.map((l) => l.kinds)).toEqual([['acquire', 'lock'], ['exit', 'function']]);
    expect(flow.map((l) => lineOfLoc(l.location))).toEqual([fx.line('drv', 'IoAcquire'), fx.line('drv', 'return STATUS_PENDING')]);
    expect(flow[1]?.stack?.frames.map((f) => f.location?.logicalLocations?.[0]?.name)).toEqual(['Dispatch']);
    const io = result('cancel-exit-held');
    expect(io.message.text).toContain('The I/O manager acquired the lock');
    expect(io.codeFlows?.[0]?.threadFlows[0]?.locations[0]?.kinds).toEqual(['acquire', 'enter']);
    const stacked = result('irql-mismatch');
    expect(stacked.stacks?.[0]?.frames.map((f) => lineOfLoc(f.location))).toEqual([fx.line('drv', '{', 0)]);
    // Nobody held the lock: no flow, still the stack.
    const free = result('release-not-held');
    expect(free.codeFlows).toBeUndefined();
    expect(free.stacks?.[0]?.frames.length).toBe(1);
  });

  it('embedded links point at related locations; hostile names cannot form links or placeholders', () => {
    const exit = result('dispatch-exit-held');
    const text = exit.message.text ?? '';
    expect(text).toMatch(/drv\.c:7:5\]\(1\) in 'Dispatch'\./);
    expect(exit.relatedLocations?.[0]?.id).toBe(1);
    expect(text).toContain('{{0}} \\[x\\](1)');
    // The only unescaped `](` is the one link we made.
    expect(text.match(/(?<!\\)\]\(/g)?.length).toBe(1);
    const named = result('release-not-held').message.text ?? '';
    expect(named).toContain(`'${HOSTILE_FN}'`);
    expect(sarifText('a{b}[c](0)')).toBe('a{{b}}\\[c\\](0)');
  });

  it('partial fingerprints are unique and survive code moving down the file', () => {
    const prints = (run.results ?? []).map((r) => r.partialFingerprints?.['spincheckViolation/v1']);
    expect(new Set(prints).size).toBe(6);
    const moved: Report = {
      ...report,
      violations: report.violations.map((v) => ({ ...v, location: { ...v.location, line: v.location.line + 7 } })),
    };
    const again = sarifLog(moved, options()).runs[0]?.results?.map((r) => r.partialFingerprints?.['spincheckViolation/v1']);
    expect(again).toEqual(prints);
  });

  it('data problems become tool notifications', () => {
    const notes = run.invocations?.[0]?.toolExecutionNotifications ?? [];
    expect(notes.map((n) => n.message.text).join('\n')).toMatch(/run-103-foreign\.jsonl: format version 99 is newer/);
    expect(run.invocations?.[0]?.executionSuccessful).toBe(true);
  });

  it('keeps to GitHub\'s limit of 25,000 results per run and says what it left out', () => {
    const v = report.violations[0] as ViolationSummary;
    const many: Report = {
      ...report,
      violations: Array.from({ length: MAX_RESULTS + 2 }, (_, i) => ({ ...v, location: { ...v.location, line: i + 1 } })),
    };
    const big = sarifLog(many, options()).runs[0];
    expect(big?.results?.length).toBe(MAX_RESULTS);
    expect(big?.invocations?.[0]?.toolExecutionNotifications?.at(-1)?.message.text).toMatch(/^2 result\(s\) left out/);
  });
});

describe.runIf(haveMultitool())('sarif: the SARIF Multitool', () => {
  it('validates the log with zero errors and zero warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-sarif-'));
    const file = join(dir, 'report.sarif');
    writeFileSync(file, renderSarif(report, options()));
    const v = multitoolValidate(file);
    expect(v.status).toBe(0);
    expect(v.results.filter((r) => r.level === 'error')).toEqual([]);
    expect(v.results.filter((r) => r.level === 'warning')).toEqual([]);
  });

  it('the Multitool check can fail (a result pointing at a rule index that does not exist)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-sarif-'));
    const file = join(dir, 'broken.sarif');
    const broken = structuredClone(log);
    (broken.runs[0]?.results?.[0] as Sarif.Result).ruleIndex = 42;
    writeFileSync(file, JSON.stringify(broken));
    const v = multitoolValidate(file);
    expect(v.results.filter((r) => r.level === 'error').map((r) => r.ruleId)).toContain('SARIF1009');
  });
});
