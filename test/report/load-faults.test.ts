// Bad data files: each is named in one problem line, the rest is still reported, nothing throws.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_FORMAT, SITES_FORMAT } from '../../src/model/index.js';
import { loadData } from '../../src/report/load.js';
import { mergeData } from '../../src/report/merge.js';

const db = {
  format: SITES_FORMAT,
  version: 1,
  tu: 'aaaa000011112222',
  source: 'drv.c',
  sourceAbs: '/nonexistent/drv.c',
  sourceHash: '0'.repeat(40),
  instrumented: true,
  sites: [
    { index: 0, kind: 'acquire', line: 3, column: 5, function: 'F' },
    { index: 1, kind: 'release', line: 4, column: 5, function: 'F' },
  ],
  routines: [],
  unchecked: [],
  diagnostics: [],
};
const header = JSON.stringify({ format: RUN_FORMAT, version: 1, pid: 7, startedAt: 1 });
const counters = JSON.stringify({ t: 'counters', tu: db.tu, source: 'drv.c', hits: [3, 2], held: [0, 0] });
const violation = JSON.stringify({
  t: 'violation', kind: 'release-not-held', tu: db.tu, site: 1, acquireTu: null, acquireSite: null,
  byIoManager: false, thread: 1, stack: [],
});
const goodRun = `${header}\n${violation}\n${counters}\n`;

function dataDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'spincheck-load-'));
  mkdirSync(join(dir, 'sites'));
  mkdirSync(join(dir, 'runs'));
  writeFileSync(join(dir, 'sites', `${db.tu}.json`), JSON.stringify(db));
  writeFileSync(join(dir, 'runs', 'run-good.jsonl'), goodRun);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const load = (dir: string) => loadData({ sites: [dir], runs: [dir] });

const BAD: Record<string, [string, string, RegExp]> = {
  'empty run file': ['runs/run-empty.jsonl', '', /run-empty\.jsonl: empty file/],
  'truncated JSON site database': ['sites/trunc.json', JSON.stringify(db).slice(0, 40), /trunc\.json: not valid JSON/],
  'foreign format': ['sites/foreign.json', '{"format":"gcov","version":1}', /foreign\.json: not a spincheck site database/],
  'newer format version': ['runs/run-new.jsonl', `${JSON.stringify({ format: RUN_FORMAT, version: 99, pid: 1 })}\n`, /run-new\.jsonl: format version 99 is newer/],
  'huge numbers': ['runs/run-huge.jsonl', `${header}\n${JSON.stringify({ t: 'counters', tu: db.tu, source: 'x', hits: [1e308, 1], held: [0, 0] })}\n`, /run-huge\.jsonl: line 2: hits\[0\] is not a count/],
  'negative count': ['runs/run-neg.jsonl', `${header}\n${JSON.stringify({ t: 'counters', tu: db.tu, source: 'x', hits: [-1, 1], held: [0, 0] })}\n`, /run-neg\.jsonl: line 2: hits\[0\] is not a count/],
  'deep nesting': ['runs/run-deep.jsonl', `${header}\n${'['.repeat(200000)}${']'.repeat(200000)}\n`, /run-deep\.jsonl: /],
  'unknown violation kind': ['runs/run-kind.jsonl', `${header}\n${violation.replace('release-not-held', 'rm -rf')}\n`, /run-kind\.jsonl: line 2: kind is not known/],
  'binary garbage': ['runs/run-bin.jsonl', '\u0000\u0001\u00ff{{{{', /run-bin\.jsonl: /],
  'site index out of order': ['sites/order.json', JSON.stringify({ ...db, tu: 'bbbb', sites: [{ ...db.sites[1], index: 5 }] }), /order\.json: sites\[0\]\.index is 5/],
};

describe('bad data files', () => {
  it.each(Object.entries(BAD))('%s: one problem line naming the file, the good data still merged', (_name, [file, text, message]) => {
    const dir = dataDir({ [file]: text });
    const data = load(dir);
    expect(data.problems).toHaveLength(1);
    expect(data.problems[0]).toMatch(message);
    expect(data.problems[0]).not.toMatch(/\n|    at /);
    const report = mergeData(data, { root: '/work' });
    expect(report.violations.map((v) => v.kind)).toEqual(['release-not-held']);
    expect(report.files[0]?.sites.map((s) => s.hits)).toEqual([3, 2]);
  });

  it('a torn last line (the process died mid-write) is named, the lines before it are kept', () => {
    const dir = dataDir({ 'runs/run-torn.jsonl': `${header}\n${violation.replace('release-not-held', 'double-acquire')}\n{"t":"coun` });
    const data = load(dir);
    expect(data.problems).toEqual([expect.stringMatching(/run-torn\.jsonl: last line is truncated/)]);
    expect(mergeData(data, { root: '/work' }).violations.map((v) => v.kind).sort()).toEqual(['double-acquire', 'release-not-held']);
  });

  it('counters that do not fit their site database are named and not merged', () => {
    const dir = dataDir({ 'runs/run-mismatch.jsonl': `${header}\n${JSON.stringify({ t: 'counters', tu: db.tu, source: 'drv.c', hits: [1], held: [0] })}\n` });
    const report = mergeData(load(dir), { root: dir });
    expect(report.problems).toEqual([expect.stringMatching(/run-mismatch\.jsonl: counters for \S*drv\.c do not match its site database/)]);
    expect(report.files[0]?.sites.map((s) => s.hits)).toEqual([3, 2]);
  });

  it('hostile paths inside data files are only displayed, never used to read or write', () => {
    const hostile = { ...db, tu: 'cccc', source: '../../../../etc/passwd', sourceAbs: '/etc/passwd' };
    const dir = dataDir({ 'sites/hostile.json': JSON.stringify(hostile) });
    const before = readdirSync(dir, { recursive: true }).sort();
    const report = mergeData(load(dir), { root: dir });
    expect(report.files.map((f) => f.file)).toContain('/etc/passwd');
    expect(readdirSync(dir, { recursive: true }).sort()).toEqual(before);
  });
});

describe('fuzzed data files', () => {
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  }
  it('never throws on 400 random mutations of valid files, and names each broken file at most once', () => {
    const random = rng(12345);
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-fuzz-'));
    for (let i = 0; i < 400; i++) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'sites'), { recursive: true });
      mkdirSync(join(dir, 'runs'));
      const sources = [JSON.stringify(db), goodRun];
      const pick = Math.floor(random() * 2);
      let text = sources[pick] as string;
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * text.length);
        const op = random();
        if (op < 0.3) text = text.slice(0, at);
        else if (op < 0.6) text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 256)) + text.slice(at + 1);
        else if (op < 0.8) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 8));
        else text = text.slice(0, at) + '9'.repeat(1 + Math.floor(random() * 30)) + text.slice(at);
      }
      writeFileSync(join(dir, 'sites', 'x.json'), pick === 0 ? text : JSON.stringify(db));
      writeFileSync(join(dir, 'runs', 'run-x.jsonl'), pick === 1 ? text : goodRun);
      const data = load(dir);
      expect(data.problems.length).toBeLessThanOrEqual(2);
      for (const p of data.problems) expect(p).toMatch(/^\/.*(x\.json|run-x\.jsonl): .+/);
      expect(() => mergeData(data, { root: '/work' })).not.toThrow();
    }
  });
});
