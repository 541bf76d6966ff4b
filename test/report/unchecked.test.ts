// A report over instrumented files that no process checked (no run data, or run data without a single hook) must
// never look clean: every format says so, `--fail-on unchecked` and `--strict` fail on it; `--fail-on` is a list.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/report.js';
import { UsageError } from '../../src/cli/args.js';
import { captureIo, makeFixture } from './fixtures.js';

/** The fixture with no run data at all (the tests never ran, or the runtime was not linked). */
function noRuns() {
  const fx = makeFixture();
  rmSync(join(fx.data, 'runs'), { recursive: true });
  return fx;
}

/** The fixture whose processes wrote run data without a single hook of an instrumented file (hooks lost). */
function zeroHooks() {
  const fx = makeFixture();
  const runs = join(fx.data, 'runs');
  for (const f of readdirSync(runs)) rmSync(join(runs, f));
  for (const pid of [7, 8]) writeFileSync(join(runs, `run-${pid}-x.jsonl`), `${JSON.stringify({ format: 'spincheck-run', version: 1, pid, startedAt: 1 })}\n`);
  return fx;
}

const report = (fx: { data: string; root: string }, ...args: string[]) => {
  const io = captureIo([fx.data, ...args], fx.root);
  const status = reportCommand(io);
  return { status, out: io.out.join(''), err: io.err.join('') };
};

describe('a report that checked nothing', () => {
  it('no run data: the text report warns, exit 0; --strict and --fail-on unchecked exit 1', () => {
    const fx = noRuns();
    const plain = report(fx);
    expect(plain.status).toBe(0);
    expect(plain.out).toMatch(/^spincheck: warning: nothing was checked: 3 instrumented files compiled, but no run data was found: .*spincheck-cc/m);
    expect(plain.out).toMatch(/^SUMMARY: spincheck: 0 violations; .* \(nothing checked\)$/m);
    expect(report(fx, '--strict').status).toBe(1);
    expect(report(fx, '--fail-on', 'unchecked').status).toBe(1);
    expect(report(fx, '--fail-on', 'violations,unchecked').status).toBe(1);
    expect(report(fx, '--fail-on', 'violations').status).toBe(0);
    expect(report(fx, '--fail-on', 'none').status).toBe(0);
  });

  it('run data from processes that ran no hook: the same, naming the processes', () => {
    const fx = zeroHooks();
    const plain = report(fx);
    expect(plain.status).toBe(0);
    expect(plain.out).toContain('nothing was checked: 2 processes wrote run data, but none ran a hook in the 3 instrumented files');
    expect(report(fx, '--strict').status).toBe(1);
  });

  it('every format carries it', () => {
    const fx = noRuns();
    const json = JSON.parse(report(fx, '--format', 'json').out) as { unchecked: string | null };
    expect(json.unchecked).toMatch(/no run data was found/);
    const sarif = report(fx, '--format', 'sarif');
    expect(sarif.err).toMatch(/^spincheck: warning: nothing was checked: /m);
    const log = JSON.parse(sarif.out) as Sarif.Log;
    const notes = log.runs[0]?.invocations?.[0]?.toolExecutionNotifications ?? [];
    expect(notes.filter((n) => n.level === 'error').map((n) => n.message.text)).toEqual([expect.stringMatching(/^Nothing was checked: /)]);
    expect(report(fx, '--format', 'junit').out).toMatch(/<failure message="nothing was checked" type="spincheck\/unchecked">/);
    expect(report(fx, '--format', 'html').out).toContain('<strong>Nothing was checked</strong>');
  });

  it('a run that ran hooks is not unchecked, even with files that never ran', () => {
    const fx = makeFixture();
    const r = report(fx, '--format', 'json', '--fail-on', 'unchecked');
    expect((JSON.parse(r.out) as { unchecked: string | null }).unchecked).toBeNull();
    expect(r.status).toBe(0);
  });

  it('--fail-on names what it accepts', () => {
    const fx = noRuns();
    expect(() => report(fx, '--fail-on', 'violations,bogus')).toThrow(new UsageError("--fail-on takes none or a comma-separated list of violations, findings, unchecked, static (got 'bogus')"));
  });

  it('--format is checked before the data directory', () => {
    const fx = noRuns();
    expect(() => report({ data: join(fx.root, 'missing'), root: fx.root }, '--format', 'nonsense')).toThrow(/^unknown format 'nonsense'/);
  });
});
