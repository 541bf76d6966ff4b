// The C headers mirror the one format definition (src/model): kinds, texts, run format/version, role and site codes.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PER_LOCK_KINDS, ROLE_CODE, SITE_KINDS, VIOLATION_KINDS, VIOLATION_TEXT } from '../../src/model/kinds.js';
import { RUN_FORMAT, RUN_VERSION, RUNS_DIR } from '../../src/model/format.js';
import { RUNTIME_DIR } from './tools.js';

const formatH = readFileSync(path.join(RUNTIME_DIR, 'spincheck_format.h'), 'utf8');
const preludeH = readFileSync(path.join(RUNTIME_DIR, 'spincheck_prelude.h'), 'utf8');

function define(src: string, name: string): string {
  const m = new RegExp(`#define ${name} (.+)`).exec(src);
  if (!m) throw new Error(`${name} not defined`);
  return m[1]!.trim();
}

function stringArray(name: string): string[] {
  const m = new RegExp(`${name}\\[SPINCHECK_V_COUNT\\] = \\{([^}]*)\\}`).exec(formatH);
  if (!m) throw new Error(`${name} not found`);
  return [...m[1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]!);
}

describe('spincheck_format.h agrees with src/model', () => {
  it('run format, version and directory', () => {
    expect(define(formatH, 'SPINCHECK_RUN_FORMAT')).toBe(JSON.stringify(RUN_FORMAT));
    expect(Number(define(formatH, 'SPINCHECK_RUN_VERSION'))).toBe(RUN_VERSION);
    expect(define(formatH, 'SPINCHECK_RUNS_DIR')).toBe(JSON.stringify(RUNS_DIR));
  });

  it('violation kinds, their order and texts', () => {
    expect(stringArray('spincheck__kind_names')).toEqual([...VIOLATION_KINDS]);
    expect(stringArray('spincheck__kind_text')).toEqual(VIOLATION_KINDS.map((k) => VIOLATION_TEXT[k]));
    expect(Number(define(formatH, 'SPINCHECK_V_COUNT'))).toBe(VIOLATION_KINDS.length);
    VIOLATION_KINDS.forEach((k, i) => {
      expect(Number(define(formatH, `SPINCHECK_V_${k.toUpperCase().replace(/-/g, '_')}`))).toBe(i);
    });
  });

  it('the kinds recorded per lock', () => {
    const perLock = [...define(formatH, 'SPINCHECK_PER_LOCK\\(kind\\)').matchAll(/SPINCHECK_V_(\w+)/g)].map((m) => m[1]!.toLowerCase().replace(/_/g, '-'));
    expect(perLock).toEqual([...PER_LOCK_KINDS]);
  });

  it('site kind codes (1-based, SITE_KINDS order) and role codes', () => {
    const names = ['ACQUIRE', 'RELEASE', 'ENTRY', 'EXIT', 'REGISTRATION'];
    expect(names.length).toBe(SITE_KINDS.length);
    names.forEach((n, i) => expect(Number(define(formatH, `SPINCHECK_SITE_${n}`))).toBe(i + 1));
    expect(Number(define(preludeH, 'SPINCHECK_ROLE_DISPATCH'))).toBe(ROLE_CODE.dispatch);
    expect(Number(define(preludeH, 'SPINCHECK_ROLE_CANCEL'))).toBe(ROLE_CODE.cancel);
    expect(Number(define(preludeH, 'SPINCHECK_ROLE_CANDIDATE'))).toBe(ROLE_CODE.candidate);
  });
});
