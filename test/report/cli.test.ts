// `spincheck report` with every format: files only inside --output, paths by --source-root, json valid for its schema.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/report.js';
import { FORMATS } from '../../src/report/formats.js';
import { HOSTILE_DIR, captureIo, makeFixture } from './fixtures.js';
import { reportSchemaValidator } from './tools.js';

/** Every file under a directory, relative to it. */
const tree = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();

const validateReport = reportSchemaValidator();

describe('spincheck report --format ... --output', () => {
  it('writes every format into the output directory and nothing anywhere else', () => {
    const fx = makeFixture();
    const base = dirname(fx.root);
    // A site database naming a source path that does not exist: it is never created.
    const dbFile = readdirSync(join(fx.data, 'sites')).map((f) => join(fx.data, 'sites', f)).find((f) => readFileSync(f, 'utf8').includes('queue.c')) as string;
    const bait = join(base, 'bait', 'written-by-report.c');
    writeFileSync(dbFile, readFileSync(dbFile, 'utf8').replaceAll(`"${fx.queuePath}"`, `"${bait}"`));
    expect(readFileSync(dbFile, 'utf8')).toContain(`"sourceAbs": "${bait}"`);
    const before = tree(base);
    const formats = Object.keys(FORMATS);
    const io = captureIo([fx.data, ...formats.flatMap((f) => ['--format', f]), '--output', 'out'], fx.root);
    expect(reportCommand(io)).toBe(1);
    const added = tree(base).filter((p) => !before.includes(p));
    expect(added).toEqual(['project/out', ...formats.map((f) => `project/out/${FORMATS[f]?.file}`).sort()].sort());
    expect(readFileSync(join(fx.root, 'out', 'spincheck.txt'), 'utf8')).toMatch(/SUMMARY: spincheck: 6 violations/);
    expect(readFileSync(join(fx.root, 'out', 'spincheck.sarif'), 'utf8')).toContain('"ruleId": "CancelSpinLock/dispatch-exit-held"');
  });

  it('an existing directory given to --output gets the format\'s file name', () => {
    const fx = makeFixture();
    mkdirSync(join(fx.root, 'reports'));
    const io = captureIo([fx.data, '--format', 'sarif', '--output', 'reports', '--fail-on', 'none'], fx.root);
    expect(reportCommand(io)).toBe(0);
    expect(tree(join(fx.root, 'reports'))).toEqual(['spincheck.sarif']);
  });

  it('--source-root decides the relative paths in every format', () => {
    const fx = makeFixture();
    const sub = join(fx.root, HOSTILE_DIR);
    const io = captureIo([fx.data, '--format', 'sarif', '--source-root', sub], fx.root);
    reportCommand(io);
    const log = JSON.parse(io.out.join('')) as Sarif.Log;
    const uris = (log.runs[0]?.artifacts ?? []).map((a) => a.location?.uri);
    expect(uris).toContain('drv.c');
    expect(uris).toContain(`file://${fx.queuePath.split('/').map(encodeURIComponent).join('/')}`);
    const text = captureIo([fx.data, '--source-root', sub], fx.root);
    reportCommand(text);
    expect(text.out.join('')).toMatch(/^drv\.c:\d+:9: error: \[CancelSpinLock\/dispatch-exit-held\]/m);
    expect(relative(sub, fx.queuePath)).toMatch(/^\.\./);
  });
});

describe('the text report\'s paths', () => {
  it('a source outside the root is shown relative to it, as the runtime spells it when built there', () => {
    const fx = makeFixture();
    const io = captureIo([fx.data], fx.root);
    reportCommand(io);
    const text = io.out.join('');
    expect(text).toMatch(/^\.\.\/elsewhere\/kit\.c +\d+\/\d+/m);
    expect(text).toContain('acquired at ../elsewhere/kit.c:3:5');
    expect(text).not.toContain(fx.outsidePath);
  });
});

describe('--format json and docs/report-schema.json', () => {
  const fx = makeFixture();
  const io = captureIo([fx.data, '--format', 'json'], fx.root);
  reportCommand(io);
  const json = JSON.parse(io.out.join('')) as Record<string, unknown>;

  it('the output is valid against the documented schema', () => {
    const ok = validateReport(json);
    expect(validateReport.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(json.format).toBe('spincheck-report');
  });

  it('the schema is strict: a missing or an undocumented field is rejected', () => {
    const missing = structuredClone(json) as { violations: Array<Record<string, unknown>> };
    delete missing.violations[0]?.acquire;
    expect(validateReport(missing)).toBe(false);
    const extra = structuredClone(json) as { files: Array<Record<string, unknown>> };
    (extra.files[0] as Record<string, unknown>).undocumented = 1;
    expect(validateReport(extra)).toBe(false);
  });
});
