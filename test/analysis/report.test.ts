// Static findings through the real build and report: spincheck-cc writes them into the site databases, `spincheck
// report` shows them in every format beside the run's, confirmed or marked with whether the tests ran the exit.
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SiteDatabase } from '../../src/model/index.js';
import { haveTool, run } from '../helpers/tools.js';

const repo = join(import.meta.dirname, '..', '..');
const bin = (name: string) => join(repo, 'dist', 'bin', name);
const CASES = join(import.meta.dirname, 'cases');

describe.runIf(haveTool('gcc'))('static findings in the report', () => {
  let dir: string;
  let data: string;
  const report = (...args: string[]) => run(process.execPath, [bin('spincheck.js'), 'report', data, '--source-root', dir, ...args], { cwd: dir });
  const json = (...args: string[]) => JSON.parse(report('--format', 'json', ...args).stdout.split('\nspincheck: CancelSpinLock report')[0] as string);
  const databases = () => readdirSync(join(data, 'sites')).map((f) => JSON.parse(readFileSync(join(data, 'sites', f), 'utf8')) as SiteDatabase);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spincheck-static-'));
    data = join(dir, 'data');
    for (const f of ['prelude.h', 'cancel-routines.c', 'not-analysed.c', 'cross-file']) cpSync(join(CASES, f), join(dir, f), { recursive: true });
    for (const f of ['cancel-routines.c', 'not-analysed.c', 'cross-file/dispatch.c', 'cross-file/helpers.c']) {
      const r = run(bin('spincheck-cc'), ['gcc', '-w', '-c', f, '-o', `${f.replace(/\W/g, '_')}.o`], { cwd: dir, env: { ...process.env, SPINCHECK_DIR: data } });
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it('writes the analysis into the site database of each compile', () => {
    const db = databases().find((d) => d.source === 'cancel-routines.c');
    expect(db?.analysis?.findings.map((f) => [f.kind, f.function, f.line])).toEqual([['exit-held', 'CancelForgets', 31]]);
    const helpers = databases().find((d) => d.source === 'cross-file/helpers.c');
    expect(helpers?.analysis?.summaries.map((s) => s.name).sort()).toEqual(['CompleteLocked', 'UnlockDpc']);
  });

  it('works with build data alone: warnings with their path, cross-file summaries applied, exit 0 unless --fail-on static', () => {
    const text = report();
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('cancel-routines.c:31:9: warning: [CancelSpinLock/static-exit-held] cancel routine CancelForgets can return holding the cancel spin lock; no run data for this exit');
    expect(text.stdout).toContain('cancel-routines.c:30:9: note: `ext->Current != irp` is true');
    expect(text.stdout).toContain('cross-file/dispatch.c:27:5: warning: [CancelSpinLock/static-exit-held] dispatch routine StartOther');
    // UnlockDpc (helpers.c) releases the device lock StartDpc took: its summary explains the path.
    expect(text.stdout).not.toContain('StartDpc can return');
    expect(text.stdout).toContain('spincheck: note: 2 function(s) using a lock not analysed by the path check (JumpsAway: longjmp');
    expect(report('--fail-on', 'static').status).toBe(1);
    expect(report('--fail-on', 'violations,static').status).toBe(1);
    expect(report('--fail-on', 'none').status).toBe(0);
  });

  it('SARIF: a warning per finding with its path as a thread flow, under a declared rule', () => {
    const out = join(dir, 'r.sarif');
    expect(report('--format', 'sarif', '--output', out).status).toBe(0);
    const log = JSON.parse(readFileSync(out, 'utf8')) as Sarif.Log;
    const results = log.runs[0]?.results ?? [];
    const rules = log.runs[0]?.tool.driver.rules ?? [];
    const forgets = results.find((r) => r.message.text?.includes('CancelForgets'));
    expect(forgets?.level).toBe('warning');
    expect(rules[forgets?.ruleIndex ?? -1]?.id).toBe(forgets?.ruleId);
    const flow = forgets?.codeFlows?.[0]?.threadFlows[0]?.locations ?? [];
    expect(flow.map((l) => [l.location?.physicalLocation?.region?.startLine, l.kinds?.[0]])).toEqual([[27, 'entry'], [30, 'branch'], [31, 'exit']]);
    const notes = (log.runs[0]?.invocations?.[0]?.toolExecutionNotifications ?? []).map((n) => [n.level, n.message.text]);
    expect(notes).toContainEqual(['note', 'Path check: JumpsAway (not-analysed.c:10) not analysed: longjmp (a non-local jump) (line 15).']);
  });

  it('JUnit and HTML carry the findings: a skipped case, the path over the source', () => {
    const out = join(dir, 'out');
    expect(report('--format', 'junit', '--format', 'html', '--output', out).status).toBe(0);
    expect(readFileSync(join(out, 'spincheck-junit.xml'), 'utf8')).toMatch(/<testcase name="CancelForgets: static exit-held at line 31"[^>]*><skipped message="\[CancelSpinLock\/static-exit-held\]/);
    const html = readFileSync(join(out, 'spincheck.html'), 'utf8');
    expect(html).toContain('Path check: warnings (2)');
    expect(html).toContain('path 1, step 2: &#96;ext-&#62;Current != irp&#96; is true');
  });

  it('marks a finding whose exit the tests ran, and shows one the run confirmed once, as confirmed', () => {
    const db = databases().find((d) => d.source === 'cancel-routines.c') as SiteDatabase;
    const exit = db.sites.find((s) => s.kind === 'routine-exit' && s.line === 31) as SiteDatabase['sites'][number];
    const hits = db.sites.map((s) => (s.index === exit.index ? 1 : 0));
    const runs = join(data, 'runs');
    mkdirSync(runs, { recursive: true });
    const header = { format: 'spincheck-run', version: 1, pid: 1, startedAt: 1 };
    const counters = { t: 'counters', tu: db.tu, source: db.source, hits, held: db.sites.map(() => 0) };
    writeFileSync(join(runs, 'a.jsonl'), `${[header, counters].map((r) => JSON.stringify(r)).join('\n')}\n`);
    const ran = json().static.findings.find((f: { location: { function: string } }) => f.location.function === 'CancelForgets');
    expect([ran.executed, ran.confirmed]).toEqual([true, false]);
    expect(report().stdout).toContain('the tests ran this exit, but not on this path');

    const violation = { t: 'violation', kind: 'cancel-exit-held', tu: db.tu, site: exit.index, acquireTu: null, acquireSite: null, byIoManager: true, thread: 1, stack: [] };
    writeFileSync(join(runs, 'b.jsonl'), `${[header, violation].map((r) => JSON.stringify(r)).join('\n')}\n`);
    const text = report('--fail-on', 'static');
    expect(text.stdout).toContain('cancel-routines.c:31:9: note: [CancelSpinLock/static-exit-held] the path check found the violation above too');
    expect(text.stdout).not.toContain('CancelForgets can return holding');
    // StartOther is still open, so --fail-on static fails; the confirmed one counts as a violation.
    expect(text.status).toBe(1);
    expect(report('--fail-on', 'violations').status).toBe(1);
  });

  it('reads site databases written before the analysis (no analysis field) and shows no path-check lines', () => {
    const old = join(dir, 'old');
    mkdirSync(join(old, 'sites'), { recursive: true });
    for (const db of databases()) {
      const { analysis: _drop, ...rest } = db;
      writeFileSync(join(old, 'sites', `${db.tu}.json`), JSON.stringify(rest));
    }
    const r = run(process.execPath, [bin('spincheck.js'), 'report', old, '--format', 'json', '--fail-on', 'static'], { cwd: dir });
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout.split('\nspincheck: CancelSpinLock report')[0] as string);
    expect(parsed.static).toEqual({ units: 0, analysed: 0, findings: [], notAnalysed: [] });
  });
});
