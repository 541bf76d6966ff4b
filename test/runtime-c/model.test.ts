// The C state machine (as a Node addon) against the TypeScript reference model, on generated sequences and named cases.
import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { VIOLATION_KINDS, type ViolationKind } from '../../src/model/kinds.js';
import type { ViolationRecord } from '../../src/model/format.js';
import {
  Model, ROLE_CANCEL, ROLE_CANDIDATE, ROLE_DISPATCH, SPIN_FORM_POST_KEY, SPIN_NO_IRQL, SPIN_SHARED, SPIN_TRY, SPIN_VALUE_IRQL,
  SPIN_VALUE_TRY,
  type Event, type ModelViolation,
} from './model.js';
import { loadAddon, tempDir, type Addon } from './tools.js';
import { prng } from '../helpers/prng.js';

let addon: Addon | null = null;
beforeAll(() => {
  addon = loadAddon();
}, 180_000);

/** A random but well-formed event sequence: a thread inside a real acquire call only returns from it. */
function generate(seed: number, length: number, nthreads: number): Event[] {
  const r = prng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pending = new Map<number, { tu: number; site: number }>();
  const spinPending = new Map<number, { tu: number; site: number; flags: number; form: number; what: number; lock: number }>();
  const depth = new Map<number, number>();
  const events: Event[] = [];
  while (events.length < length) {
    const t = 1 + int(nthreads);
    const p = pending.get(t);
    if (p) {
      events.push({ op: 'acqPost', t, tu: p.tu, site: p.site, stored: int(3) });
      pending.delete(t);
      continue;
    }
    const sp = spinPending.get(t);
    if (sp) {
      events.push({ op: 'sPost', t, tu: sp.tu, site: sp.site, what: sp.what, value: int(3), form: sp.form, lock: sp.lock, flags: sp.flags });
      spinPending.delete(t);
      continue;
    }
    const tu = int(2);
    const site = int(64);
    const d = depth.get(t) ?? 0;
    if (r() < 0.35) {
      const lock = int(4);
      const y = int(100);
      if (y < 45) {
        const flags = (r() < 0.2 ? SPIN_SHARED : 0) | (r() < 0.2 ? SPIN_TRY : 0);
        const what = flags & SPIN_TRY ? SPIN_VALUE_TRY : [0, SPIN_VALUE_IRQL, SPIN_NO_IRQL][int(3)]!;
        // The instrumenter's post-key form is for void acquires only.
        const form = int(what === SPIN_VALUE_IRQL || what === SPIN_VALUE_TRY ? SPIN_FORM_POST_KEY : 3);
        events.push({ op: 'sPre', t, tu, site, lock, flags, form, what });
        spinPending.set(t, { tu, site, flags, form, what, lock });
      } else if (y < 92) {
        events.push({ op: 'sRel', t, tu, site, lock, irql: r() < 0.3 ? -1 : int(3), irqlFirst: r() < 0.5 });
      } else {
        events.push({ op: 'sInit', t, tu, lock });
      }
      continue;
    }
    const x = int(100);
    if (x < 22) {
      events.push({ op: 'acqPre', t, tu, site, ptr: r() < 0.85 });
      pending.set(t, { tu, site });
    } else if (x < 44) {
      events.push({ op: 'rel', t, tu, site, irql: int(3) });
    } else if (x < 66 && d < 10) {
      const role = [ROLE_DISPATCH, ROLE_CANCEL, ROLE_CANDIDATE][int(3)]!;
      events.push({ op: 'enter', t, tu, entry: site, other: int(64), role, fn: int(4), irql: int(4) - 1 });
      depth.set(t, d + 1);
    } else if (x < 88 && d > 0) {
      events.push({ op: 'leave', t });
      depth.set(t, d - 1);
    } else if (x < 94 && d > 0) {
      events.push({ op: 'ret', t, site });
    } else {
      events.push({ op: 'reg', t, tu, site, role: 1 + int(3), fn: int(4) });
    }
  }
  return events;
}

/** Run one event through the C runtime; returns the violations it reported (parsed JSON lines). */
function applyC(a: Addon, e: Event): ViolationRecord[] {
  switch (e.op) {
    case 'acqPre':
      a.acquirePre(e.t, e.tu, e.site, e.ptr);
      break;
    case 'acqPost':
      a.acquirePost(e.t, e.tu, e.site, e.stored);
      break;
    case 'rel':
      a.release(e.t, e.tu, e.site, e.irql);
      break;
    case 'enter':
      a.enter(e.t, e.tu, e.entry, e.other, e.role, e.fn, e.irql);
      break;
    case 'ret':
      a.setExit(e.t, e.site);
      break;
    case 'leave':
      a.leave(e.t);
      break;
    case 'reg':
      a.register(e.t, e.tu, e.site, e.role, e.fn);
      break;
    case 'sPre':
      a.spinPre(e.t, e.tu, e.site, e.lock, e.flags, e.form, e.what);
      break;
    case 'sPost':
      a.spinPost(e.t, e.tu, e.site, e.what, e.value, e.form, e.lock, e.flags);
      break;
    case 'sRel':
      a.spinRelease(e.t, e.tu, e.site, e.lock, e.irql, e.irqlFirst);
      break;
    case 'sInit':
      a.spinInit(e.t, e.tu, e.lock);
      break;
  }
  return a.take().map((c) => JSON.parse(c.json) as ViolationRecord);
}

function expected(v: ModelViolation): ViolationRecord {
  return { t: 'violation', ...v };
}

/** Compare C and model on one sequence; returns a description of the first disagreement, or null. */
function compare(a: Addon, events: Event[], strict: boolean, spinOn = true): string | null {
  a.reset(`${strict ? 'strict_nesting=1' : ''}${spinOn ? '' : ' check_spin_locks=0'}`);
  const m = new Model(strict, spinOn);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const got = applyC(a, e);
    const want = m.apply(e).map(expected);
    const gs = a.state();
    const ws = m.lock();
    if (JSON.stringify(got) !== JSON.stringify(want) || JSON.stringify(gs) !== JSON.stringify(ws)) {
      const seq = events.slice(0, i + 1).map((x, j) => `  ${j}: ${JSON.stringify(x)}`).join('\n');
      return (
        `disagreement at event ${i} (strict_nesting=${strict ? 1 : 0})\n${seq}\n` +
        `C violations:     ${JSON.stringify(got)}\nmodel violations: ${JSON.stringify(want)}\n` +
        `C lock:     ${JSON.stringify(gs)}\nmodel lock: ${JSON.stringify(ws)}`
      );
    }
  }
  for (let tu = 0; tu < 2; tu++) {
    const c = a.counters(tu);
    if (JSON.stringify(c.hits) !== JSON.stringify(m.hits[tu]) || JSON.stringify(c.held) !== JSON.stringify(m.held[tu]))
      return `counters of tu${tu} differ after ${events.length} events`;
  }
  return null;
}

describe('C runtime vs reference model', () => {
  it('agrees on 4000 generated sequences (1-3 threads, strict and not)', (ctx) => {
    if (!addon) return ctx.skip();
    let violations = 0;
    for (let seed = 1; seed <= 4000; seed++) {
      const events = generate(seed, 20 + (seed % 60), 1 + (seed % 3));
      const strict = seed % 2 === 0;
      const spinOn = seed % 7 !== 0;
      const diff = compare(addon, events, strict, spinOn);
      if (diff) expect.fail(`seed ${seed}: ${diff}`);
      const m = new Model(strict, spinOn);
      violations += events.reduce((n, e) => n + m.apply(e).length, 0);
    }
    // The generator must exercise the rule, not just clean paths.
    expect(violations).toBeGreaterThan(4000);
  });

  it('covers every violation kind in the generated sequences', (ctx) => {
    if (!addon) return ctx.skip();
    const seen = new Set<ViolationKind>();
    for (let seed = 1; seed <= 500; seed++) {
      const m = new Model(false);
      for (const e of generate(seed, 60, 2)) for (const v of m.apply(e)) seen.add(v.kind);
    }
    expect([...seen].sort()).toEqual([...VIOLATION_KINDS].sort());
  });
});

/** Small DSL over the addon for the named cases. */
function kinds(a: Addon): string[] {
  return a.take().map((c) => (JSON.parse(c.json) as ViolationRecord).kind);
}

describe('C runtime semantics (design.md §1)', () => {
  it('double acquire: reported in acquire_pre, nesting counted, no cascade on the releases', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    a.reset('');
    a.enter(1, 0, 0, 1, ROLE_DISPATCH, 0, -1);
    a.acquirePre(1, 0, 2, true);
    a.acquirePost(1, 0, 2, 0);
    a.acquirePre(1, 0, 3, true);
    const v = a.take().map((c) => JSON.parse(c.json) as ViolationRecord);
    expect(v).toEqual([
      {
        t: 'violation', kind: 'double-acquire', tu: 'tu0', site: 3, acquireTu: 'tu0', acquireSite: 2,
        byIoManager: false, thread: 1, stack: [['tu0', 0]],
      },
    ]);
    a.acquirePost(1, 0, 3, 2);
    expect(a.state().nesting).toBe(2);
    a.release(1, 0, 4, 2);
    a.release(1, 0, 5, 0);
    a.leave(1);
    expect(kinds(a)).toEqual([]);
    expect(a.state().owner).toBe(0);
  });

  it('release while free or by another thread; the owner keeps the lock', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    a.reset('');
    a.release(1, 0, 1, 0);
    expect(kinds(a)).toEqual(['release-not-held']);
    expect(a.state().owner).toBe(0);
    a.acquirePre(1, 0, 2, true);
    a.acquirePost(1, 0, 2, 0);
    a.release(2, 1, 3, 0);
    expect(kinds(a)).toEqual(['release-other-thread']);
    expect(a.state()).toMatchObject({ owner: 1, acquireTu: 'tu0', acquireSite: 2 });
    a.release(1, 0, 4, 0);
    expect(kinds(a)).toEqual([]);
  });

  it('cancel routine: implicit acquire by the I/O manager with Irp->CancelIrql, released first', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    a.reset('');
    a.enter(1, 1, 10, 11, ROLE_CANCEL, 1, 1);
    expect(a.state()).toMatchObject({ owner: 1, byIoManager: 1, irql: 1, acquireTu: 'tu1', acquireSite: 10 });
    a.release(1, 1, 12, 1);
    a.leave(1);
    expect(kinds(a)).toEqual([]);
    a.enter(1, 1, 10, 11, ROLE_CANCEL, 1, 0);
    a.release(1, 1, 12, 2);
    a.leave(1);
    const v = a.take().map((c) => JSON.parse(c.json) as ViolationRecord);
    expect(v).toMatchObject([{ kind: 'irql-mismatch', byIoManager: true, irqlAcquired: 0, irqlReleased: 2 }]);
  });

  it('cancel routine entered with the lock held by its caller changes nothing; leaking it is reported at any depth', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    a.reset('');
    a.enter(1, 0, 0, 1, ROLE_DISPATCH, 0, -1);
    a.acquirePre(1, 0, 2, true);
    a.acquirePost(1, 0, 2, 0);
    a.enter(1, 0, 5, 6, ROLE_CANCEL, 1, 0);
    expect(a.state()).toMatchObject({ owner: 1, byIoManager: 0, acquireSite: 2 });
    a.leave(1);
    const v = a.take().map((c) => JSON.parse(c.json) as ViolationRecord);
    expect(v).toEqual([
      {
        t: 'violation', kind: 'cancel-exit-held', tu: 'tu0', site: 6, acquireTu: 'tu0', acquireSite: 2,
        byIoManager: false, thread: 1, stack: [['tu0', 0], ['tu0', 5]],
      },
    ]);
    // Treated as released at that exit: the caller's exit is clean, no cascade.
    a.leave(1);
    expect(kinds(a)).toEqual([]);
  });

  it('dispatch: checked at the outermost frame only, unless strict_nesting', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    for (const strict of [false, true]) {
      a.reset(strict ? 'strict_nesting=1' : '');
      a.enter(1, 0, 0, 1, ROLE_DISPATCH, 0, -1);
      a.enter(1, 0, 3, 4, ROLE_DISPATCH, 1, -1);
      a.acquirePre(1, 0, 5, true);
      a.acquirePost(1, 0, 5, 0);
      a.setExit(1, 7);
      a.leave(1);
      expect(kinds(a)).toEqual(strict ? ['dispatch-exit-held'] : []);
      a.leave(1);
      expect(kinds(a)).toEqual(strict ? [] : ['dispatch-exit-held']);
    }
    // Held at entry of the nested frame: not a strict violation.
    a.reset('strict_nesting=1');
    a.enter(1, 0, 0, 1, ROLE_DISPATCH, 0, -1);
    a.acquirePre(1, 0, 5, true);
    a.acquirePost(1, 0, 5, 0);
    a.enter(1, 0, 3, 4, ROLE_DISPATCH, 1, -1);
    a.leave(1);
    expect(kinds(a)).toEqual([]);
  });

  it('candidates: checked and counted only when registered; the first registration decides the role', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    a.reset('');
    expect(a.enter(1, 0, 0, 1, ROLE_CANDIDATE, 3, 0)).toBe(0);
    expect(a.state().owner).toBe(0);
    a.leave(1);
    a.register(1, 0, 9, ROLE_CANCEL, 3);
    a.register(1, 0, 9, ROLE_DISPATCH, 3);
    expect(a.enter(1, 0, 0, 1, ROLE_CANDIDATE, 3, 0)).toBe(ROLE_CANCEL);
    a.leave(1);
    expect(kinds(a)).toEqual(['cancel-exit-held']);
    expect(a.counters(0).hits.slice(0, 2)).toEqual([1, 1]);
    expect(a.counters(0).held[1]).toBe(1);
  });

  it('no IRQL check on the release that ends a double acquire', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    a.reset('');
    a.acquirePre(1, 0, 1, true);
    a.acquirePost(1, 0, 1, 0);
    a.acquirePre(1, 0, 1, true);
    a.acquirePost(1, 0, 1, 2);
    a.release(1, 0, 2, 2);
    a.release(1, 0, 2, 2);
    expect(kinds(a)).toEqual(['double-acquire']);
  });

  it('writes the ViolationRecord fields of format.ts and a sanitizer-style block', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    a.reset('');
    a.enter(1, 0, 0, 1, ROLE_DISPATCH, 0, -1);
    a.acquirePre(1, 0, 2, true);
    a.acquirePost(1, 0, 2, 0);
    a.release(1, 0, 3, 1);
    const [c] = a.take();
    const rec = JSON.parse(c!.json) as Record<string, unknown>;
    expect(Object.keys(rec)).toEqual([
      't', 'kind', 'tu', 'site', 'acquireTu', 'acquireSite', 'byIoManager', 'thread', 'stack', 'irqlAcquired', 'irqlReleased',
    ]);
    expect(c!.json.endsWith('}\n')).toBe(true);
    expect(c!.json.indexOf('\n')).toBe(c!.json.length - 1);
    expect(c!.text).toMatch(/^=+\n==\d+==ERROR: spincheck: irql-mismatch: a spin-lock release restores/);
    expect(c!.text).toContain('    at src/a.c:4:1 in f0_3 (thread T1)\n');
    expect(c!.text).toContain('    lock acquired at src/a.c:3:1 in f0_2\n');
    expect(c!.text).toContain('    IRQL released 1, saved by the acquire 0\n');
    expect(c!.text).toContain('      #0 f0_0 (dispatch) src/a.c:1:1\n');
    expect(c!.text).toContain('SUMMARY: spincheck: irql-mismatch src/a.c:4 in f0_3\n');
    expect(c!.first).toBe(true);
    a.acquirePre(1, 0, 2, true);
    a.acquirePost(1, 0, 2, 0);
    a.release(1, 0, 3, 1);
    expect(a.take()).toMatchObject([{ first: false }]);
  });
});

describe('options and suppressions (sanitizer grammar)', () => {
  it('parses separators, quotes and types', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    a.reset(`halt_on_error=1:exitcode=3,verbosity=2 strict_nesting=true log_path='/tmp/a b:c' data_dir="x,y"`);
    expect(a.options()).toEqual({
      haltOnError: 1, exitcode: 3, verbosity: 2, strictNesting: 1, logPath: '/tmp/a b:c', dataDir: 'x,y', suppressions: '',
    });
    expect(a.logs()).toBe('');
  });

  it('warns once per unknown option, reports one syntax error, keeps going', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    a.reset(`bogus=1:halt_on_error:exitcode=abc:=3:verbosity=1:data_dir='unterminated`);
    const log = a.logs();
    expect(log).toContain(`spincheck: SPINCHECK_OPTIONS: unknown option 'bogus' ignored\n`);
    expect(log.match(/syntax error/g)?.length).toBe(1);
    expect(log).toContain('exitcode=abc: expected an integer');
    for (const line of log.trimEnd().split('\n')) expect(line.startsWith('spincheck: ')).toBe(true);
    expect(a.options()).toMatchObject({ haltOnError: 0, exitcode: 66, verbosity: 1, dataDir: '' });
  });

  it('rejects integers out of their range (an exit status above 255 would wrap)', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    a.reset('exitcode=300:verbosity=-1:halt_on_error=2');
    const log = a.logs();
    expect(log).toContain('spincheck: SPINCHECK_OPTIONS: exitcode=300: expected an integer from 0 to 255; option ignored\n');
    expect(log).toContain('verbosity=-1: expected an integer from 0 to 2');
    expect(log).toContain('halt_on_error=2: expected an integer from 0 to 1');
    expect(a.options()).toMatchObject({ haltOnError: 0, exitcode: 66, verbosity: 0 });
  });

  it('matches kind:pattern lines against function, file and routine names', (ctx) => {
    const a = addon;
    if (!a) return ctx.skip();
    const dir = tempDir('supp');
    const file = path.join(dir, 'supp.txt');
    writeFileSync(file, '# comment\n\nrelease-not-held:f0_1*\ndouble-*:b.c\nirql-mismatch:f1_7\nnot-a-kind:x\nbroken line\n');
    a.reset(`suppressions=${file}`);
    const log = a.logs();
    expect(log).toContain(`unknown violation kind 'not-a-kind'`);
    expect(log).toContain(':7: expected kind:pattern');
    const kind = (k: ViolationKind) => VIOLATION_KINDS.indexOf(k);
    expect(a.suppressed(1, kind('release-not-held'), 0, 12)).toBe(true);
    expect(a.suppressed(1, kind('release-not-held'), 0, 2)).toBe(false);
    expect(a.suppressed(1, kind('double-acquire'), 1, 5)).toBe(true);
    expect(a.suppressed(1, kind('double-acquire'), 0, 5)).toBe(false);
    a.enter(1, 1, 7, 8, ROLE_DISPATCH, 0, -1);
    expect(a.suppressed(1, kind('irql-mismatch'), 0, 3)).toBe(true);
    a.release(1, 0, 15, 0);
    expect(a.take()).toMatchObject([{ suppressed: true }]);
  });
});
