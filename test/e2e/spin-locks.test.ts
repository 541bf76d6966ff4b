// Every spin lock: a driver written against the DDK's macro shapes (amd64: KeAcquireSpinLock over
// KeAcquireSpinLockRaiseToDpc; x86: over KfAcquireSpinLock; ExAcquireSpinLock over KeAcquireSpinLock), instrumented,
// built with gcc and clang (run on a mock kernel, in both shapes) and mingw-w64 (against its own ddk/wdm.h: x86_64 run
// under Wine on the kernel model, i686 built); each kind reported at its file:line exactly once, correct code clean.
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { instrument } from '../../src/instrument/index.js';
import type { RunRecord, Site, ViolationCountRecord, ViolationRecord } from '../../src/model/index.js';
import { haveTool, run } from '../helpers/tools.js';

const here = join(dirname(fileURLToPath(import.meta.url)), 'spin');
const runtimeDir = join(here, '..', '..', '..', 'src', 'runtime-c');
const KM = join(here, '..', '..', '..', 'templates', 'kernel-model');
const source = readFileSync(join(here, 'spin_driver.c'), 'utf8');
const lines = source.split('\n');
const lineOf = (marker: string) => {
  const i = lines.findIndex((l) => l.includes(`/* ${marker} */`));
  if (i < 0) throw new Error(`marker ${marker} missing`);
  return i + 1;
};
const result = instrument(source, { tuId: 'spin', sourceName: 'spin_driver.c' });
const work = mkdtempSync(join(tmpdir(), 'spincheck-spin-'));
writeFileSync(join(work, 'spin_driver.c'), result.code);
const siteLine = (i: number | null) => (i === null ? null : (result.sites[i] as Site).line);

/** The harness built with `cc`; `flags` go to every unit (the runtime's among them). */
function build(cc: string, flags: string[] = [], name = cc): string {
  const out = join(work, `harness-${name}`);
  const r = run(cc, ['-std=gnu99', '-Wall', '-Wextra', '-Werror', '-O1', ...flags, `-I${here}`, `-I${join(here, '..', '..', 'golden')}`, `-I${runtimeDir}`, join(work, 'spin_driver.c'),
    join(here, 'harness.c'), join(runtimeDir, 'spincheck_runtime.c'), '-o', out, '-pthread']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return out;
}

const FLAGS = ['-std=gnu99', '-Wall', '-Wextra', '-Werror', '-O1', `-I${here}`];

/** The harness for Windows on the kernel model (real locks, the DDK's IRQL), run by Wine. */
function buildKernelModel(cc: string): string[] {
  const ddk = ['-I/usr/share/mingw-w64/include/ddk', `-I${KM}`, '-include', join(KM, 'kmodel_port.h')];
  const objects = ['km_io', 'km_ke', 'km_ex'].map((f) => {
    const o = join(work, `${f}.o`);
    const r = run(cc, [...ddk, '-O1', '-Wall', '-Wextra', '-Werror', '-c', join(KM, `${f}.c`), '-o', o]);
    expect(r.stderr).toBe('');
    return o;
  });
  const out = join(work, 'harness.exe');
  const r = run(cc, [...FLAGS, join(work, 'spin_driver.c'), join(here, 'harness.c'), join(runtimeDir, 'spincheck_runtime.c'), join(KM, 'km_port_win32.c'),
    ...objects, '-o', out, '-static', '-pthread']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return ['wine', out];
}

/** A run of the harness `cmd` (its path, or a command that runs it) on `scenario`. */
function records(cmd: string | string[], scenario: string, options = ''): { status: number | null; stderr: string; records: RunRecord[] } {
  const dir = mkdtempSync(join(work, 'data-'));
  const [exe, ...args] = (typeof cmd === 'string' ? [cmd] : cmd) as [string, ...string[]];
  const r = run(exe, [...args, scenario], { env: { ...process.env, SPINCHECK_DIR: dir, SPINCHECK_OPTIONS: options, WINEDEBUG: '-all', KMODEL_VERBOSE: '' } });
  const runs = join(dir, 'runs');
  const files = existsSync(runs) ? readdirSync(runs) : [];
  const recs = files.flatMap((f) => readFileSync(join(runs, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunRecord))
    .filter((x) => 't' in x);
  return { status: r.status, stderr: r.stderr, records: recs };
}
const violations = (recs: RunRecord[]) => recs.filter((r): r is ViolationRecord => r.t === 'violation');

/** A scenario that must run clean (no violation, exit 0): its counters' hits. */
function cleanHits(cmd: string | string[], scenario: string): number[] {
  const r = records(cmd, scenario);
  expect(violations(r.records)).toEqual([]);
  expect(r.status).toBe(0);
  const counters = r.records.find((x) => x.t === 'counters');
  return counters && counters.t === 'counters' ? counters.hits : [];
}

type Expected = [kind: ViolationRecord['kind'], bug: string, acquire: string | null, lock: string | null];
const cases: Array<[scenario: string, expected: Expected[]]> = [
  ['leak', [['spin-lock-exit-held', 'BUG-spin-lock-exit-held', 'ACQ-spin-lock-exit-held', '&ext->QueueLock']]],
  // Two locks held at one exit: a record each, naming its own acquire and lock.
  ['leak-two', [
    ['spin-lock-exit-held', 'BUG-leak-two', 'ACQ-leak-two-data', '&ext->DataLock'],
    ['spin-lock-exit-held', 'BUG-leak-two', 'ACQ-leak-two-queue', '&ext->QueueLock'],
  ]],
  ['macro-leak', [['spin-lock-exit-held', 'BUG-macro-exit-held', 'ACQ-macro-exit-held', '&(e)->DataLock']]],
  ['double', [['spin-lock-double-acquire', 'BUG-spin-lock-double-acquire', 'ACQ-spin-lock-double-acquire', '&ext->DataLock']]],
  // A nested in-stack acquire: its handle's release is the inner one, whichever order the releases come in.
  ['in-stack-double', [['spin-lock-double-acquire', 'BUG-in-stack-double', 'ACQ-in-stack-double', '&ext->QueueLock']]],
  ['in-stack-mixed', [['spin-lock-double-acquire', 'BUG-in-stack-mixed', 'ACQ-in-stack-mixed', '&ext->DataLock']]],
  ['free', [['spin-lock-release-not-held', 'BUG-spin-lock-release-not-held', null, '&ext->StatsLock']]],
  ['other-thread', [['spin-lock-release-other-thread', 'BUG-spin-lock-release-other-thread', 'ACQ-spin-lock-release-other-thread', '&ext->DataLock']]],
  ['mismatch', [['irql-mismatch', 'BUG-irql-mismatch', 'ACQ-irql-mismatch', '&ext->StatsLock']]],
];

/** A violation as `kind line acquire-line lock`, the lock the one its report names (the acquire's for an exit). */
function shown(v: ViolationRecord): string {
  const lockSite = v.kind === 'spin-lock-exit-held' ? v.acquireSite : v.site;
  return [v.kind, siteLine(v.site), siteLine(v.acquireSite), lockSite === null ? null : result.sites[lockSite]?.lock].join(' ');
}
const expectedShown = (e: Expected) => [e[0], lineOf(e[1]), e[2] && lineOf(e[2]), e[3]].join(' ');

describe('spin-lock instrumentation of the DDK shapes', () => {
  it('hooks every lock call and nothing is left unchecked', () => {
    expect(result.unchecked).toEqual([]);
    const lockSites = result.sites.filter((s) => s.api);
    expect(lockSites.length).toBe(source.match(/\b(Ke|Ex)(Acquire|Release|TryToAcquire)\w*SpinLock\w*\s*\(/g)?.length);
    expect(result.sites.find((s) => s.line === lineOf('ACQ-spin-lock-exit-held') && s.api)?.lock).toBe('&ext->QueueLock');
  });

  // x86_64: KeAcquireSpinLock is KeAcquireSpinLockRaiseToDpc; i686: the HAL's fastcall KfAcquireSpinLock.
  it.each([['x86_64', 'KeAcquireSpinLockRaiseToDpc'], ['i686', '@KfAcquireSpinLock@4']])('compiles with -Werror against mingw-w64 ddk/wdm.h for %s, its macros included', (arch, acquire) => {
    const cc = `${arch}-w64-mingw32-gcc`;
    if (!haveTool(cc)) return;
    const flags = ['-Wall', '-Wextra', '-Werror', '-O1', '-c', `-I${here}`];
    const plain = run(cc, [...flags, join(here, 'spin_driver.c'), '-o', join(work, `plain-${arch}.o`)]);
    expect(plain.stderr).toBe('');
    const inst = run(cc, [...flags, join(work, 'spin_driver.c'), '-o', join(work, `inst-${arch}.o`)]);
    expect(inst.stderr).toBe('');
    expect(inst.status).toBe(0);
    const nm = run(`${arch}-w64-mingw32-nm`, ['-u', join(work, `inst-${arch}.o`)]).stdout;
    expect(nm).toContain(`__imp_${acquire}\n`);
    for (const hook of ['spincheck_spin_acquire_pre', 'spincheck_spin_irql_out', 'spincheck_spin_acquire_post', 'spincheck_spin_acquire_value',
      'spincheck_spin_release_pre', 'spincheck_spin_release_irql', 'spincheck_spin_release_handle', 'spincheck_spin_handle', 'spincheck_spin_init']) {
      expect(nm).toContain(hook);
    }
  });
});

/** Every bug of `cases` in one process (the harness's "all"): each once, counted three times, and nothing else. */
function expectAll(cmd: string | string[]): void {
  const r = records(cmd, 'all');
  const everything = cases.flatMap(([, expected]) => expected);
  expect(violations(r.records).map(shown).sort()).toEqual(everything.map(expectedShown).sort());
  const count = r.records.filter((x): x is ViolationCountRecord => x.t === 'violation-count');
  expect(count.map((x) => `${x.kind} ${siteLine(x.site)} ${x.count}`).sort()).toEqual(everything.map((e) => `${e[0]} ${lineOf(e[1])} 3`).sort());
  expect(r.status).toBe(66);
}

describe.runIf(haveTool('x86_64-w64-mingw32-gcc') && haveTool('wine'))('spin locks at run time (x86_64-w64-mingw32-gcc, kernel model, Wine)', () => {
  const cmd = buildKernelModel('x86_64-w64-mingw32-gcc');

  it('every bug in one process, each reported once', () => {
    expectAll(cmd);
  });

  it('correct code is clean, and the kernel model sees no error in it', () => {
    const r = records(cmd, 'clean');
    expect(violations(r.records)).toEqual([]);
    expect(r.stderr).not.toContain('kmodel: error');
    expect(r.status).toBe(0);
  });
});

for (const cc of ['gcc', 'clang']) {
  describe.runIf(haveTool(cc))(`spin locks at run time (${cc})`, () => {
    const bin = build(cc);

    it('every bug in one process, each reported once; the x86 shape (KfAcquireSpinLock) alike', () => {
      expectAll(bin);
      expectAll(build(cc, ['-DSPIN_X86'], `${cc}-x86`));
    });

    it.each(cases)('%s: each bug reported once at its line, naming its lock', (scenario, expected) => {
      const r = records(bin, scenario);
      const v = violations(r.records);
      expect(v.map(shown).sort()).toEqual(expected.map(expectedShown).sort());
      // The scenario runs three times: one record each, counted three times.
      const count = r.records.filter((x): x is ViolationCountRecord => x.t === 'violation-count');
      expect(count.map((x) => [x.kind, siteLine(x.site), x.count])).toEqual(expected.map((e) => [e[0], lineOf(e[1]), 3]));
      expect(r.status).toBe(66);
    });

    it('correct code (nested locks, any release order, the cancel lock inside a device lock, in-stack, try, reinit) is clean', () => {
      const hit = cleanHits(bin, 'clean');
      const cleanSites = result.sites.filter((s) => s.function === 'SpinClean' && s.api);
      for (const s of cleanSites) expect(hit[s.index], `${s.api} at line ${s.line}`).toBeGreaterThan(0);
    });

    // Four locks taken by the driver from inside another acquire's real call (a kernel model's window calling the
    // driver) fill the fast path's held set between that acquire's hooks: the acquire is recorded by the full code,
    // and everything stays clean and counted.
    it('locks taken inside a real acquire call are checked and the acquire still recorded', () => {
      const hit = cleanHits(bin, 'inside');
      const insideSites = result.sites.filter((s) => (s.function === 'SpinInside' || s.function === 'SpinInsideTake') && s.api);
      expect(insideSites).toHaveLength(10);
      for (const s of insideSites) expect(hit[s.index], `${s.api} at line ${s.line}`).toBe(3);
    });

    it('check_spin_locks=0 turns the new checks off; suppressions cover the new kinds', () => {
      for (const [scenario, expected] of cases) {
        const off = violations(records(bin, scenario, 'check_spin_locks=0').records);
        expect(off.filter((x) => expected.some((e) => e[0] === x.kind))).toEqual([]);
      }
      const supp = join(work, 'supp.txt');
      writeFileSync(supp, 'spin-lock-exit-held:SpinLeak\n');
      expect(violations(records(bin, 'leak', `suppressions=${supp}`).records)).toEqual([]);
      expect(violations(records(bin, 'macro-leak', `suppressions=${supp}`).records).length).toBe(1);
      // Each kind by its name and a function, file or stack pattern; what is suppressed does not fail the run.
      const every = join(work, 'supp-every.txt');
      writeFileSync(every, ['spin-lock-double-acquire:SpinInStack*', 'spin-lock-release-not-held:spin_driver.c', 'spin-lock-release-other-thread:SpinDrop', 'irql-mismatch:SpinMismatch', 'spin-lock-exit-held:SpinLeakTwo'].join('\n'));
      for (const scenario of ['in-stack-double', 'in-stack-mixed', 'free', 'other-thread', 'mismatch', 'leak-two']) {
        const r = records(bin, scenario, `suppressions=${every}`);
        expect(violations(r.records), scenario).toEqual([]);
        expect(r.status, scenario).toBe(0);
      }
      expect(violations(records(bin, 'double', `suppressions=${every}`).records).map((v) => v.kind)).toEqual(['spin-lock-double-acquire']);
    });
  });
}

// The hooks' fast paths (inline in the instrumented code on ELF, and first in the runtime's entry points) against the
// full code alone (SPINCHECK_NO_FAST_PATHS): every scenario, the clean one's nesting, release orders, in-stack and
// try forms included, leaves the same records: violations, their counts, every site's counters. Only the machine
// call stack differs (two binaries: other code addresses, another executable's name).
describe.runIf(haveTool('gcc'))('spin-lock fast paths', () => {
  const withoutMachineStack = (recs: RunRecord[]) =>
    recs.map((r) => (r.t === 'violation' ? { ...r, frames: r.frames !== undefined, modules: r.modules !== undefined } : r));
  it('record exactly what the full code records, scenario by scenario', () => {
    const fast = build('gcc', [], 'gcc-fast');
    const full = build('gcc', ['-DSPINCHECK_NO_FAST_PATHS'], 'gcc-full');
    for (const scenario of [...cases.map((c) => c[0]), 'clean']) {
      const a = records(fast, scenario);
      const b = records(full, scenario);
      expect(a.records.length, scenario).toBeGreaterThan(0);
      expect(withoutMachineStack(a.records), scenario).toEqual(withoutMachineStack(b.records));
      expect(a.status, scenario).toBe(b.status);
    }
  });
});
