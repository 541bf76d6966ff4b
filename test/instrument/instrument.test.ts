// Instrumenter behaviour beyond the golden cases: roles, safety rules, strict mode, realistic WDM drivers.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InstrumentError, instrument, mentionsRelevantName } from '../../src/instrument/index.js';
import type { Site } from '../../src/model/index.js';
import { haveTool, run } from '../helpers/tools.js';

const here = dirname(fileURLToPath(import.meta.url));
const opts = { tuId: 't', sourceName: 'x.c' };
const kinds = (sites: Site[]) => {
  const k: Record<string, number> = {};
  for (const s of sites) k[s.kind] = (k[s.kind] ?? 0) + 1;
  return k;
};

describe('pre-scan', () => {
  it('skips files that mention nothing relevant', () => {
    expect(mentionsRelevantName('int main(void) { return 0; }')).toBe(false);
    const r = instrument('int main(void) { return 0; }\n', opts);
    expect(r.changed).toBe(false);
    expect(r.uninstrumentedReason).toBeUndefined();
  });
  it('scans for configured names and the all-functions mode', () => {
    expect(mentionsRelevantName('int f(void);', { dispatch: ['f'] })).toBe(true);
    expect(mentionsRelevantName('int f(void);', { allFunctions: true })).toBe(true);
    expect(mentionsRelevantName('PIRP p;')).toBe(true);
  });
});

describe('what is never rewritten', () => {
  it('leaves strings, comments and declarations alone', () => {
    const src = [
      'void IoAcquireCancelSpinLock(unsigned char *p);',
      'const char *s = "IoAcquireCancelSpinLock(&x)";',
      '/* IoReleaseCancelSpinLock(x); */',
      'void f(void) { unsigned char i; IoAcquireCancelSpinLock(&i); }',
      '',
    ].join('\n');
    const r = instrument(src, opts);
    expect(r.sites.map((s) => [s.kind, s.line])).toEqual([['acquire', 4]]);
    expect(r.code).toContain('const char *s = "IoAcquireCancelSpinLock(&x)";');
    expect(r.code).toContain('/* IoReleaseCancelSpinLock(x); */');
    expect(r.code).toContain('void IoAcquireCancelSpinLock(unsigned char *p);');
  });

  it('lists calls it cannot hook safely and keeps the rest', () => {
    const src = 'void f(void) { unsigned char i; IoAcquireCancelSpinLock(&i, 2); IoReleaseCancelSpinLock(i); }\n';
    const r = instrument(src, opts);
    expect(kinds(r.sites)).toEqual({ release: 1 });
    expect(r.unchecked).toEqual([{ line: 1, column: 33, name: 'IoAcquireCancelSpinLock', reason: 'called with 2 arguments' }]);
  });

  it('returns a file unchanged, with a reason, when no call can be hooked', () => {
    const src = 'void f(void) { unsigned char i; IoAcquireCancelSpinLock(&i; }\n';
    const r = instrument(src, opts);
    expect(r.changed).toBe(false);
    expect(r.code).toBe(src);
    expect(r.uninstrumentedReason).toBe('no call site could be instrumented safely');
    expect(r.unchecked[0]?.reason).toBe('parse error around the call');
  });

  it('fails in strict mode instead of skipping', () => {
    const src = 'void f(void) { unsigned char i; IoAcquireCancelSpinLock(&i; }\n';
    expect(() => instrument(src, { ...opts, strict: true })).toThrow(InstrumentError);
    expect(() => instrument(src, { ...opts, strict: true })).toThrow(/x\.c:1:33: cannot instrument IoAcquireCancelSpinLock/);
  });

  it('hooks a routine whose body has a parse error elsewhere, without its fall-off hook (gnu)', () => {
    const src = 'DRIVER_CANCEL C;\nVOID C(PDEVICE_OBJECT d, PIRP Irp)\n{\n  IoReleaseCancelSpinLock(Irp->CancelIrql);\n  @@ garbage @@;\n}\n';
    const r = instrument(src, opts);
    expect(r.routines.map((x) => x.name)).toEqual(['C']);
    expect(r.sites.filter((s) => s.kind === 'routine-exit').map((s) => s.via)).toEqual(['other']);
    expect(r.code).not.toMatch(/SPINCHECK_END\(\d/);
    const msvc = instrument(src, { ...opts, dialect: 'msvc' });
    expect(msvc.routines).toEqual([]);
    expect(msvc.diagnostics[0]).toMatch(/C: not instrumented/);
  });
});

describe('roles', () => {
  it('recognises routine-shaped definitions as run-time candidates only', () => {
    const src = [
      'NTSTATUS A(PDEVICE_OBJECT d, PIRP i) { return 0; }',
      'VOID B(DEVICE_OBJECT *d, struct _IRP *i) { }',
      'int C(PDEVICE_OBJECT d, PIRP i) { return 0; }',
      'NTSTATUS D(PDEVICE_OBJECT d) { return 0; }',
      '',
    ].join('\n');
    const r = instrument(src, opts);
    expect(r.routines.map((x) => [x.name, x.role, x.roleSource])).toEqual([
      ['A', 'candidate', 'shape'],
      ['B', 'candidate', 'shape'],
    ]);
    expect(r.code).toContain('SPINCHECK_BEGIN(3, 4, 3, B, (int)(i)->CancelIrql)');
  });

  it('takes names and patterns from the configuration first', () => {
    const src = 'DRIVER_CANCEL MyDispatchX;\nint MyDispatchX(int a) { return a; }\nint other(void) { return 1; }\n';
    const r = instrument(src, { ...opts, roles: { dispatch: ['MyDispatch*'] } });
    expect(r.routines.map((x) => [x.name, x.role, x.roleSource])).toEqual([['MyDispatchX', 'dispatch', 'config']]);
    const all = instrument(src, { ...opts, roles: { allFunctions: true } });
    expect(all.routines.map((x) => [x.name, x.roleSource])).toEqual([
      ['MyDispatchX', 'role-type'],
      ['other', 'all-functions'],
    ]);
  });

  it('reads role declarations from quoted project headers, recursively', () => {
    const headers: Record<string, string> = {
      'a.h': '#include "b.h"\nDRIVER_DISPATCH FromA;\n',
      'b.h': '_Function_class_(DRIVER_CANCEL) VOID FromB(PDEVICE_OBJECT d, PIRP i);\n',
    };
    const src = '#include "a.h"\n#include <sys.h>\nint FromA(PIRP x) { return !x; }\nint FromB(PIRP x) { return !x; }\n';
    const seen: string[] = [];
    const r = instrument(src, {
      ...opts,
      resolveInclude: (spec) => (seen.push(spec), headers[spec] ? { path: spec, text: headers[spec] as string } : undefined),
    });
    expect(seen).toEqual(['a.h', 'b.h']);
    expect(r.routines.map((x) => [x.name, x.role, x.roleSource])).toEqual([
      ['FromA', 'dispatch', 'role-type-header'],
      ['FromB', 'cancel', 'role-type-header'],
    ]);
  });
});

describe('placement', () => {
  it('puts the prelude after a leading precompiled-header include and restores line numbers', () => {
    const src = '#include "pch.h"\n\nvoid f(void) { unsigned char i; IoAcquireCancelSpinLock(&i); }\n';
    const r = instrument(src, opts);
    const lines = r.code.split('\n');
    expect(lines[0]).toBe('#include "pch.h"');
    const lineDirective = lines.findIndex((l) => l.startsWith('#line '));
    expect(lines[lineDirective]).toBe('#line 2');
    expect(lines[lineDirective + 2]).toMatch(/^void f\(void\)/);
  });
});

const drivers = ['serial_queue.c', 'kbd_class.c', 'usb_queue.c'];
const expected: Record<string, { kinds: Record<string, number>; routines: string[] }> = {
  'serial_queue.c': {
    kinds: { acquire: 2, release: 5, 'routine-entry': 4, 'routine-exit': 10, registration: 2 },
    routines: ['SerialCancelQueued:cancel', 'SerialCancelCurrentRead:cancel', 'SerialRead:dispatch', 'SerialCleanup:dispatch'],
  },
  'kbd_class.c': {
    kinds: { acquire: 3, release: 5, 'routine-entry': 3, 'routine-exit': 7, registration: 3 },
    routines: ['KbdCancel:cancel', 'KbdDispatchRead:dispatch', 'KbdDispatchCleanup:dispatch'],
  },
  'usb_queue.c': {
    kinds: { acquire: 4, release: 6, 'routine-entry': 3, 'routine-exit': 7, registration: 1 },
    routines: ['UsbDispatchScsi:candidate', 'UsbCancelPending:cancel', 'UsbFlushQueue:candidate'],
  },
};
const mingw = haveTool('x86_64-w64-mingw32-gcc');
const ddk = ['-I/usr/share/mingw-w64/include/ddk', '-Wall', '-Wextra', '-Werror', '-O1', '-c'];

describe.each(drivers)('realistic WDM driver %s', (name) => {
  const source = readFileSync(join(here, 'drivers', name), 'latin1');
  const r = instrument(source, { tuId: 'drv', sourceName: name });

  it('finds every site and role', () => {
    expect(kinds(r.sites)).toEqual(expected[name]?.kinds);
    expect(r.routines.map((x) => `${x.name}:${x.role}`)).toEqual(expected[name]?.routines);
    expect(r.unchecked).toEqual([]);
  });

  it.runIf(mingw)('compiles instrumented against mingw-w64 DDK headers, hooks in the object', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-drv-'));
    writeFileSync(join(dir, name), r.code, 'latin1');
    const plain = run('x86_64-w64-mingw32-gcc', [...ddk, join(here, 'drivers', name), '-o', join(dir, 'plain.o')]);
    expect(plain.stderr).toBe('');
    const inst = run('x86_64-w64-mingw32-gcc', [...ddk, join(dir, name), '-o', join(dir, 'inst.o')]);
    expect(inst.stderr).toBe('');
    const nm = run('x86_64-w64-mingw32-nm', ['-u', join(dir, 'inst.o')]).stdout;
    for (const hook of ['spincheck_acquire_pre', 'spincheck_acquire_post', 'spincheck_release_pre', 'spincheck_enter', 'spincheck_leave', 'spincheck_register']) {
      expect(nm).toContain(hook);
    }
  });
});

describe('spin-lock hooks: one hook for both arguments only where the copied one has no effect', () => {
  const body = (call: string) => instrument(`typedef unsigned long KSPIN_LOCK; typedef unsigned char KIRQL;
struct E { KSPIN_LOCK Lock; KIRQL Irql, IRQL; KIRQL Saved[2]; struct E *Next; int Index; } *e; KIRQL irql; int n;
KIRQL Pop(void);
void f(void) { ${call}; }
`, opts).code.split('void f(void)')[1] as string;
  it.each([
    // the lock's text copied too: the post hook takes the lock it names, the argument's hook only checks
    ['KeAcquireSpinLock(&e->Lock, &irql)', '(KeAcquireSpinLock(SPINCHECK_SACQP(0, 0, &e->Lock), &irql), SPINCHECK_SPOSTP(0, 0, &e->Lock, &irql))'],
    ['KeAcquireSpinLock(&e->Lock, &e->Saved[1])', '(KeAcquireSpinLock(SPINCHECK_SACQP(0, 0, &e->Lock), &e->Saved[1]), SPINCHECK_SPOSTP(0, 0, &e->Lock, &e->Saved[1]))'],
    ['ExAcquireSpinLockSharedAtDpcLevel(&e->Lock)', '(ExAcquireSpinLockSharedAtDpcLevel(SPINCHECK_SACQP(0, SPINCHECK_SPIN_SHARED, &e->Lock)), SPINCHECK_SPOSTP(0, SPINCHECK_SPIN_SHARED, &e->Lock, 0))'],
    ['KeAcquireSpinLock(&e[n].Lock, &irql)', '(KeAcquireSpinLock(SPINCHECK_SACQP(0, 0, &e[n].Lock), &irql), SPINCHECK_SPOSTP(0, 0, &e[n].Lock, &irql))'],
    // a lock text with an effect is evaluated once: the argument's hook records the acquire for the post hook
    ['KeAcquireSpinLock(&e[n++].Lock, &irql)', '(KeAcquireSpinLock(SPINCHECK_SACQI(0, 0, &e[n++].Lock, &irql), &irql), SPINCHECK_SPOSTI(0, &irql))'],
    // so is one that reads a pointer or index another thread may change while this one waits in the real acquire
    ['KeAcquireSpinLock(&e->Next->Lock, &irql)', '(KeAcquireSpinLock(SPINCHECK_SACQI(0, 0, &e->Next->Lock, &irql), &irql), SPINCHECK_SPOSTI(0, &irql))'],
    ['KeAcquireSpinLock(&e[e->Index].Lock, &irql)', '(KeAcquireSpinLock(SPINCHECK_SACQI(0, 0, &e[e->Index].Lock, &irql), &irql), SPINCHECK_SPOSTI(0, &irql))'],
    ['KeAcquireSpinLock(&(*e).Lock, &irql)', '(KeAcquireSpinLock(SPINCHECK_SACQI(0, 0, &(*e).Lock, &irql), &irql), SPINCHECK_SPOSTI(0, &irql))'],
    ['KeAcquireSpinLockAtDpcLevel(&e[n++].Lock)', '(KeAcquireSpinLockAtDpcLevel(SPINCHECK_SACQI(0, 0, &e[n++].Lock, 0)), SPINCHECK_SPOST(0))'],
    // an acquire that returns its IRQL keeps the value hook
    ['irql = KeAcquireSpinLockRaiseToDpc(&e->Lock)', 'SPINCHECK_SPOSTV(0, SPINCHECK_VALUE_IRQL, KeAcquireSpinLockRaiseToDpc(SPINCHECK_SACQI(0, 0, &e->Lock, 0)))'],
    ['KeReleaseSpinLock(&e->Lock, e->Irql)', 'KeReleaseSpinLock(SPINCHECK_SRELI(0, &e->Lock, e->Irql), e->Irql)'],
    ['KeReleaseSpinLock(&e->Lock, (KIRQL)irql)', 'KeReleaseSpinLock(SPINCHECK_SRELI(0, &e->Lock, (KIRQL)irql), (KIRQL)irql)'],
    ['KeReleaseSpinLock(&e->Lock, e->IRQL)', 'KeReleaseSpinLock(SPINCHECK_SRELI(0, &e->Lock, e->IRQL), e->IRQL)'],
    ['KeReleaseSpinLock(&e->Lock, ( KIRQL ) e . Saved[0])', 'SPINCHECK_SRELI(0, &e->Lock, ( KIRQL ) e . Saved[0])'],
    ['KeAcquireSpinLockAtDpcLevel(&e->Lock)', '(KeAcquireSpinLockAtDpcLevel(SPINCHECK_SACQP(0, 0, &e->Lock)), SPINCHECK_SPOSTP(0, 0, &e->Lock, 0))'],
    // the copy is the argument's own text, without the comment beside it
    ['KeReleaseSpinLock(&e->Lock, irql /* saved */)', 'KeReleaseSpinLock(SPINCHECK_SRELI(0, &e->Lock, irql), irql /* saved */)'],
  ])('%s: one hook', (call, hooked) => {
    expect(body(call)).toContain(hooked);
  });
  it.each([
    ['KeAcquireSpinLock(&e->Lock, &e->Saved[n++])', 'SPINCHECK_SIRQ(0, &e->Saved[n++])), SPINCHECK_SPOST(0))'],
    ['KeAcquireSpinLock(&e->Lock, &e->Saved[n = 1])', 'SPINCHECK_SIRQ(0, &e->Saved[n = 1])'],
    ['KeReleaseSpinLock(&e->Lock, Pop())', 'SPINCHECK_SRIRQ(0, Pop())'],
    ['KeReleaseSpinLock(&e->Lock, e->Saved[n--])', 'SPINCHECK_SRIRQ(0, e->Saved[n--])'],
    ['KeReleaseSpinLock(&e->Lock, e->Saved[\n    1])', 'SPINCHECK_SRIRQ(0, e->Saved[\n    1])'],
    // an upper-case name is by convention a macro, which may expand to a call
    ['KeReleaseSpinLock(&e->Lock, DISPATCH_LEVEL)', 'SPINCHECK_SRIRQ(0, DISPATCH_LEVEL)'],
    ['KeReleaseSpinLock(&e->Lock, (KIRQL)SAVED_IRQL)', 'SPINCHECK_SRIRQ(0, (KIRQL)SAVED_IRQL)'],
    ['KeAcquireSpinLock(&e->Lock, &e->Saved[LAST])', 'SPINCHECK_SIRQ(0, &e->Saved[LAST])'],
  ])('%s: two hooks, the argument evaluated once', (call, hooked) => {
    const code = body(call);
    expect(code).toContain(hooked);
    expect(code).not.toMatch(/SPINCHECK_S(ACQ|REL)I\(\d/);
  });
  it('keeps two hooks in a macro body, where a parameter may expand to a call', () => {
    const code = instrument(`#define UNLOCK(x) KeReleaseSpinLock(&(x)->Lock, (x)->Irql)
void f(void) { UNLOCK(e); }
`, opts).code;
    expect(code).toContain('KeReleaseSpinLock(SPINCHECK_SREL(0, 2, &(x)->Lock), SPINCHECK_SRIRQ(0, (x)->Irql))');
  });
});
