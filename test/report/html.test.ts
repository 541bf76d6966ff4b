// HTML: loaded in headless chromium, checked for what a person sees; hostile source and names render as text.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSource } from '../../src/cli/report.js';
import { esc, renderHtml } from '../../src/report/html.js';
import type { Report } from '../../src/report/merge.js';
import { HOSTILE_DIR, HOSTILE_FN, SCRIPT_COMMENT, fixtureReport, makeFixture } from './fixtures.js';
import { haveChromium, launchChromium, testOutput } from './tools.js';

describe('html (no browser)', () => {
  it('escapes every character that could open markup or end an attribute', () => {
    expect(esc(`<img src=x onerror="a('b')">&\``)).toBe('&#60;img src=x onerror=&#34;a(&#39;b&#39;)&#34;&#62;&#38;&#96;');
  });

  it('has no script, no external resource, and a policy that forbids both', () => {
    const fx = makeFixture();
    const html = renderHtml(fixtureReport(fx), { toolVersion: '1', sourceText: readSource });
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|src=["']?https?:/i);
    expect(html).not.toContain(SCRIPT_COMMENT);
    expect(html).toContain(esc(SCRIPT_COMMENT));
  });
});

describe.runIf(haveChromium())('html in headless chromium', () => {
  let browser: Browser;
  let page: Page;
  let report: Report;
  const fx = makeFixture();
  const requests: string[] = [];

  beforeAll(async () => {
    report = fixtureReport(fx);
    const file = join(fx.root, 'report.html');
    writeFileSync(file, renderHtml(report, { toolVersion: '9.9.9', sourceText: readSource }));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      requests.push(`dialog:${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`file://${file}`);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads nothing but itself and runs no script', async () => {
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    expect(await page.title()).toBe('spincheck: 6 violations, sites hit 18/18');
    expect(await page.locator('img, script, iframe').count()).toBe(0);
  });

  it('the summary shows the violation count and coverage with bars', async () => {
    const cards = page.locator('.card');
    await expect.poll(() => cards.count()).toBe(4);
    expect(await cards.nth(0).innerText()).toMatch(/VIOLATIONS\s+6/);
    expect(await cards.nth(1).innerText()).toMatch(/SITES HIT\s+100%\s+18\/18/);
    const width = await page.locator('.card .bar > span').first().evaluate((e) => (e as unknown as { style: { width: string } }).style.width);
    expect(width).toBe('100%');
  });

  it('each violation shows the path from the acquire to where it happened, with the source lines', async () => {
    const cards = page.locator('article.violation');
    expect(await cards.count()).toBe(6);
    const first = await cards.nth(0).innerText();
    expect(first).toContain('dispatch-exit-held');
    expect(first).toContain('dispatch routine returned holding the cancel spin lock');
    const steps = await cards.nth(0).locator('ol.path > li').allInnerTexts();
    expect(steps.map((s) => s.split(/\s+/).slice(0, 2).join(' '))).toEqual(['Lock acquired', 'Routine stack', 'Returned holding']);
    expect(steps[0]).toContain(`${HOSTILE_DIR}/drv.c:${fx.line('drv', 'IoAcquire')}:5`);
    expect(steps[0]).toContain('IoAcquireCancelSpinLock(&irql);');
    expect(steps[2]).toContain('return STATUS_PENDING;');
    // The link jumps to the line in the annotated source.
    const href = await cards.nth(0).locator('ol.path > li.end a').getAttribute('href');
    expect(await page.locator(href as string).innerText()).toContain('return STATUS_PENDING;');
  });

  it('annotated source shows hit counts at sites and the hostile comment as plain text', async () => {
    const section = page.locator('section.file').filter({ has: page.locator('h3', { hasText: `${HOSTILE_DIR}/drv.c` }) });
    const row = (n: number) => section.locator('table.src tr[id$="-L' + n + '"]');
    expect(await row(1).locator('td.code').innerText()).toBe(SCRIPT_COMMENT);
    expect(await row(fx.line('drv', 'IoAcquire')).locator('td.cnt').innerText()).toBe('6×');
    expect(await row(fx.line('drv', 'return STATUS_PENDING')).getAttribute('class')).toBe('viol hit');
    expect(await row(fx.line('drv', 'return STATUS_PENDING')).locator('td.cnt').innerText()).toBe('3×');
    expect(await row(fx.line('drv', 'KIRQL irql')).locator('td.cnt').innerText()).toBe('');
    expect(await page.title()).not.toContain('pwned');
  });

  it('a hostile routine name is shown as text in tables and violations', async () => {
    expect(await page.getByText(HOSTILE_FN, { exact: true }).count()).toBeGreaterThanOrEqual(2);
  });

  it('a source outside the root is not read; its sites are listed instead', async () => {
    const section = page.locator('section.file').filter({ has: page.locator('h3', { hasText: fx.outsidePath }) });
    expect(await section.innerText()).toContain('Source not shown');
    expect(await section.locator('table.src').count()).toBe(0);
  });

  it('data problems are shown', async () => {
    expect(await page.locator('.problems').innerText()).toMatch(/run-103-foreign\.jsonl: format version 99 is newer/);
  });

  it('saves a screenshot for people to look at', async () => {
    const shot = await page.screenshot({ fullPage: true });
    testOutput('report-html-fixture.png', shot);
    expect(shot.length).toBeGreaterThan(10_000);
  });
});
