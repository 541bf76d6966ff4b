// Every format from real data: the example driver built with make through spincheck-cc, its seeded-bug harness run,
// then `spincheck report` writing all formats, each read back by the consumer it is made for.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type * as Sarif from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { queueDriverSeeds, type Seed } from '../helpers/queue-driver-seeds.js';
import { lineOf } from './fixtures.js';
import { haveChromium, haveMultitool, haveSarifSchema, launchChromium, multitoolValidate, repoRoot, reportSchemaValidator, sarifSchemaErrors, testOutput } from './tools.js';

const bin = (name: string) => join(repoRoot, 'dist', 'bin', `${name}.js`);
const ready = haveTool('make') && haveTool('gcc');

describe.runIf(ready)('all formats from the example queue driver', () => {
  let dir: string;
  let drv: string;
  let out: string;
  let status: number | null;
  let seeds: Seed[];
  const env = () => ({ ...process.env, SPINCHECK_OPTIONS: '' });
  const read = (f: string) => readFileSync(join(out, f), 'utf8');
  const line = (file: string, text: string, nth = 0) => lineOf(readFileSync(join(drv, file), 'utf8'), text, nth);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spincheck-formats-'));
    drv = join(dir, 'drv');
    cpSync(join(repoRoot, 'examples', 'queue-driver'), drv, {
      recursive: true,
      filter: (src) => !/\.(o|d)$|harness(-buggy)?$|\.spincheck/.test(src),
    });
    seeds = queueDriverSeeds(drv);
    const data = join(dir, 'data');
    const make = run('make', ['-C', drv, `CC=${bin('spincheck-cc')}`, `KIT=${join(repoRoot, 'templates', 'harness-kit')}`], { env: { ...env(), SPINCHECK_DIR: data } });
    expect(make.status).toBe(0);
    const harness = run(process.execPath, [bin('spincheck'), 'run', '--data-dir', data, '--fail-on', 'none', '--', './harness-buggy'], { cwd: drv, env: env() });
    expect(harness.status).toBe(66);
    out = join(dir, 'out');
    const formats = ['text', 'json', 'sarif', 'lcov', 'html', 'junit'].flatMap((f) => ['--format', f]);
    const report = run(process.execPath, [bin('spincheck'), 'report', data, ...formats, '--output', out, '--source-root', drv], { cwd: dir, env: env() });
    status = report.status;
  });

  it('exits 1 on the seeded violations', () => {
    expect(status).toBe(1);
    expect(read('spincheck.txt')).toMatch(/^driver\.c:\d+:5: error: \[CancelSpinLock\/dispatch-exit-held\]/m);
  });

  it('json: valid against docs/report-schema.json', () => {
    const validate = reportSchemaValidator();
    const json = JSON.parse(read('spincheck.json')) as { violations: unknown[] };
    expect(validate(json) ? [] : validate.errors).toEqual([]);
    expect(json.violations.length).toBe(seeds.length);
  });

  it('sarif: schema-valid, one result per seeded bug at its line relative to the source root', () => {
    const log = JSON.parse(read('spincheck.sarif')) as Sarif.Log;
    if (haveSarifSchema()) expect(sarifSchemaErrors(log)).toEqual([]);
    const results = log.runs[0]?.results ?? [];
    const got = results.map((r) => [r.ruleId, r.locations?.[0]?.physicalLocation?.artifactLocation?.uri, r.locations?.[0]?.physicalLocation?.region?.startLine]);
    expect(got).toEqual([
      ...seeds.map((s) => [s.rule, s.file, s.line]),
      // The path check's finding on the path the harness never runs (the other static findings were confirmed).
      ['CancelSpinLock/static-exit-held', 'flush.c', line('flush.c', 'return STATUS_INVALID_DEVICE_REQUEST;')],
    ]);
    const flush = results[results.length - 1];
    expect(flush?.level).toBe('warning');
    expect(flush?.codeFlows?.[0]?.threadFlows[0]?.locations?.map((l) => l.location?.physicalLocation?.region?.startLine))
      .toEqual([line('flush.c', 'IoAcquireCancelSpinLock(&irql);'), line('flush.c', 'if (ext->CurrentIrp != NULL)'), line('flush.c', 'return STATUS_INVALID_DEVICE_REQUEST;')]);
    const flow = results[0]?.codeFlows?.[0]?.threadFlows[0]?.locations ?? [];
    expect(flow.map((l) => [l.location?.physicalLocation?.artifactLocation?.uri, l.location?.physicalLocation?.region?.startLine]))
      .toEqual([['queue.c', line('queue.c', 'IoAcquireCancelSpinLock(&irql);', 0)], ['driver.c', line('driver.c', 'return QdQueueRead(')]]);
  });

  it.runIf(haveMultitool())('sarif: the SARIF Multitool finds no error and no warning', () => {
    const v = multitoolValidate(join(out, 'spincheck.sarif'));
    expect(v.results.filter((r) => r.level !== 'note')).toEqual([]);
    expect(v.status).toBe(0);
  });

  it.runIf(haveTool('genhtml'))('lcov: genhtml renders it without a warning', () => {
    const r = run('genhtml', ['--branch-coverage', '--output-directory', join(dir, 'genhtml'), join(out, 'lcov.info')], { cwd: drv });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/functions\.+: \d+\.\d% \(\d+ of \d+ functions\)/);
  });

  it('junit: well-formed, one failure per seeded bug on its line', () => {
    const text = read('spincheck-junit.xml');
    expect(XMLValidator.validate(text)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(text) as {
      testsuites: { '@_failures': string; testsuite: Array<{ testcase: Array<{ '@_file': string; '@_line': string; failure?: unknown }> }> };
    };
    expect(doc.testsuites['@_failures']).toBe(String(seeds.length));
    const failed = doc.testsuites.testsuite.flatMap((s) => s.testcase).filter((c) => c.failure).map((c) => `${c['@_file']}:${c['@_line']}`);
    expect(failed).toEqual(seeds.map((s) => `${s.file}:${s.line}`));
  });

  it('docs/reports.md shows the seeded violations as this report does (its examples come from real output)', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'reports.md'), 'utf8');
    const sample = /\*\*text\*\* \(`spincheck report \.spincheck`\):\n\n```text\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';
    const errors = (text: string) => text.split('\n').filter((l) => l.includes(': error: ')).map((l) => l.replace(/\S*(wdm_user\.c)/g, '$1'));
    expect(errors(sample).length).toBe(seeds.length);
    expect(errors(sample)).toEqual(errors(read('spincheck.txt')));
  });

  describe.runIf(haveChromium())('html in headless chromium', () => {
    let browser: Awaited<ReturnType<typeof launchChromium>>;
    afterAll(async () => {
      await browser?.close();
    });

    it('shows the seeded violations with their paths and the annotated sources; screenshot saved', async () => {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`file://${join(out, 'spincheck.html')}`);
      expect(await page.locator('article.violation').count()).toBe(seeds.length);
      const first = await page.locator('article.violation').first().innerText();
      expect(first).toContain(`Lock acquired queue.c:${line('queue.c', 'IoAcquireCancelSpinLock(&irql);', 0)}:5 in QdQueueRead`);
      expect(first).toContain(`Returned holding the lock driver.c:${line('driver.c', 'return QdQueueRead(')}:5 in QdRead`);
      const queueSection = page.locator('section.file').filter({ has: page.locator('h3', { hasText: /^queue\.c$/ }) });
      expect(await queueSection.locator('table.src tr').count()).toBeGreaterThan(50);
      testOutput('report-html-queue-driver.png', await page.screenshot({ fullPage: true }));
      await page.setViewportSize({ width: 1280, height: 1000 });
      testOutput('report-html-queue-driver-top.png', await page.screenshot());
    });
  });
});
