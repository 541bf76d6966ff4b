// The WDM sample driver (examples/wdm-driver) on the kernel model, for one Windows target: compiled unchanged
// against mingw-w64's DDK headers through spincheck-cc and linked with templates/kernel-model and its harness
// into Windows programs; then, where Wine can run the target, run by `spincheck run`: a clean run with exact
// site coverage, and five seeded bugs giving exactly their violation each.
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { LOCK_FORMS } from '../../src/model/lock-api.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string) => join(root, 'dist', 'bin', `${name}.js`);

export interface KmTarget {
  /** The mingw-w64 compiler driver; its binutils share the prefix. */
  cc: string;
  /** The PE header's machine field of the programs built. */
  machine: number;
  /** The import a driver's KeAcquireSpinLock compiles to with this target's DDK headers. */
  spinLockImport: string;
}

export const X86_64: KmTarget = { cc: 'x86_64-w64-mingw32-gcc', machine: 0x8664, spinLockImport: '__imp_KeAcquireSpinLockRaiseToDpc' };
// x86: the DDK routes KeAcquireSpinLock to the HAL's fastcall KfAcquireSpinLock; import names are decorated.
export const I686: KmTarget = { cc: 'i686-w64-mingw32-gcc', machine: 0x14c, spinLockImport: '__imp_@KfAcquireSpinLock@4' };

interface Site { kind: string; via?: string; line: number; function: string; hits: number }
interface JsonReport {
  violations: Array<{ kind: string; location: { file: string; line: number; function: string }; acquire: { file: string; line: number } | null; count: number; irqlAcquired?: number; irqlReleased?: number }>;
  files: Array<{ file: string; noRunData: boolean; sites: Site[]; routines: Array<{ name: string; role: string; entries: number }> }>;
}
interface SiteDatabase { source: string; instrumented: boolean; sites: Array<{ kind: string; line: number }> }

/** 1-based line of the n-th (0-based) line of `file` containing `text`. */
function lineOf(file: string, text: string, nth = 0): number {
  const hits = readFileSync(file, 'utf8').split('\n').flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  const line = hits[nth];
  if (line === undefined) throw new Error(`'${text}' not found (${nth}) in ${file}`);
  return line;
}

/** The line of every call of `call` in `file`, once per call (a line may hold two). */
function callLines(file: string, call: string): number[] {
  return readFileSync(file, 'utf8').split('\n').flatMap((l, i) => Array<number>(l.split(call).length - 1).fill(i + 1));
}

/** The lock forms whose calls are sites of `kind`: every form of lock-api.ts, the cancel lock's and every spin lock's. */
function hookedForms(kind: 'acquire' | 'release'): string[] {
  const ops = kind === 'acquire' ? ['acquire', 'try-acquire'] : ['release'];
  return LOCK_FORMS.filter((f) => ops.includes(f.op)).map((f) => f.name);
}

/** The lines of every call of any of `names` in `file`, in order, once per call. */
function formCallLines(file: string, names: string[]): number[] {
  return names.flatMap((name) => callLines(file, ` ${name}(`).concat(callLines(file, `(${name}(`))).sort((a, b) => a - b);
}

/** The PE header's machine field of a Windows program. */
export function peMachine(file: string): number {
  const b = readFileSync(file);
  const pe = b.readUInt32LE(0x3c);
  expect(b.toString('latin1', pe, pe + 4)).toBe('PE\0\0');
  return b.readUInt16LE(pe + 4);
}

/**
 * Builds examples/wdm-driver for `target` and checks the build; with `runs`, also runs the programs under Wine
 * and checks coverage and the seeded bugs' violations.
 */
export function describeWdmDriver(target: KmTarget, runs: boolean): void {
  const nm = target.cc.replace(/gcc$/, 'nm');
  const ready = haveTool('make') && haveTool(target.cc) && haveTool(nm) && (!runs || haveTool('wine'));

  describe.runIf(ready)(`WDM sample driver on the kernel model (${target.cc})`, () => {
    let dir: string;
    let data: string;
    let make: ReturnType<typeof run>;
    // KMODEL_ISOLATE=0: the campaign in the harness's own process (a process per run costs 0.4 s under Wine; the
    // tone driver's tests cover isolation).
    const env = () => ({ ...process.env, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: '', KMODEL_VERBOSE: '', KMODEL_ISOLATE: '0' });

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'spincheck-km-'));
      cpSync(join(root, 'examples', 'wdm-driver'), join(dir, 'drv'), {
        recursive: true,
        filter: (src) => !/\.(o|exe)$|\/kmodel$|\/seed\d$|\.spincheck/.test(src),
      });
      data = join(dir, 'data');
      make = run('make', ['-j2', '-C', join(dir, 'drv'), `CC=${bin('spincheck-cc')} ${target.cc}`, `KM=${join(root, 'templates', 'kernel-model')}`], { env: env() });
    });

    it('builds and links: programs for the target, the driver instrumented, its lock calls resolved by the model', () => {
      expect(make.stderr).toBe('');
      expect(make.status).toBe(0);
      const drv = join(dir, 'drv');
      for (const name of ['harness', 'seed1', 'seed2', 'seed3', 'seed4', 'seed5']) expect(peMachine(join(drv, `${name}.exe`))).toBe(target.machine);
      // Every driver source, clean and seeded, has its lock calls as sites: the cancel lock's and the spin locks'.
      const dbs = readdirSync(join(data, 'sites')).map((f) => JSON.parse(readFileSync(join(data, 'sites', f), 'utf8')) as SiteDatabase);
      const sources = ['', ...[1, 2, 3, 4, 5].map((n) => `seed${n}/`)].flatMap((d) => ['driver.c', 'events.c', 'transfer.c'].map((f) => d + f));
      expect(dbs.map((d) => d.source).sort()).toEqual([...sources].sort());
      for (const db of dbs) {
        const src = join(drv, db.source);
        expect(db.instrumented).toBe(true);
        expect(db.sites.filter((s) => s.kind === 'acquire').map((s) => s.line)).toEqual(formCallLines(src, hookedForms('acquire')));
        expect(db.sites.filter((s) => s.kind === 'release').map((s) => s.line)).toEqual(formCallLines(src, hookedForms('release')));
      }
      // events.c takes an executive spin lock (its IO_CSQ lock callbacks, and the device lock around the statistics):
      // each KeAcquireSpinLock is a site (line 33 among them), its call is wrapped by the spin-lock hooks, and the real
      // call is still the DDK's name for it on this target, the one the model exports.
      const events = join(drv, 'events.c');
      const eventsDb = dbs.find((d) => d.source === 'events.c') as SiteDatabase;
      const spinAcquires = callLines(events, 'KeAcquireSpinLock(');
      expect(spinAcquires).toContain(lineOf(events, 'KeAcquireSpinLock(&WDS_EXT(Csq)->EventLock, Irql);'));
      for (const line of spinAcquires) expect(eventsDb.sites.some((s) => s.kind === 'acquire' && s.line === line), `events.c:${line}`).toBe(true);
      const undefinedInEvents = run(nm, ['-u', join(drv, 'events.o')]).stdout;
      expect(undefinedInEvents).toContain(` U ${target.spinLockImport}\n`);
      // (its lock calls' IRQL arguments are plain names: one hook takes both arguments)
      for (const hook of ['spincheck_spin_acquire_args', 'spincheck_spin_acquire_post', 'spincheck_spin_release_args', 'spincheck_spin_init']) {
        expect(undefinedInEvents).toMatch(new RegExp(` U _?${hook}\\n`));
      }
      expect(run(nm, [join(drv, 'harness.exe')]).stdout).toMatch(new RegExp(` [A-Za-z] ${target.spinLockImport.replace(/[@$]/g, '\\$&')}\\n`));
    });

    if (!runs) return;

    function runHarness(name: string, ...args: string[]) {
      const r = run(process.execPath, [bin('spincheck'), 'run', '--data-dir', data, '--format', 'json', '--', `./${name}.exe`, ...args], {
        cwd: join(dir, 'drv'),
        env: env(),
      });
      const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{\n'))) as JsonReport;
      const files = report.files.filter((f) => !f.noRunData);
      return { ...r, report, files };
    }

    /** The sites of the clean build's three sources, as `kind function hits`, in site order. */
    function siteHits(files: JsonReport['files']): string[] {
      return ['driver.c', 'events.c', 'transfer.c'].flatMap((name) => {
        const f = files.find((x) => x.file.endsWith(name) && !/seed\d/.test(x.file));
        if (!f) throw new Error(`no run data for ${name}`);
        return f.sites.filter((s) => s.via !== 'other').map((s) => `${name}:${s.line} ${s.kind} ${s.function} ${s.hits}`);
      });
    }

    it('a plain run: no violation; the cancel paths it never takes are the uncovered sites', () => {
      const r = runHarness('harness');
      expect(r.stderr).not.toContain('kmodel: error');
      expect(r.stdout).toContain('harness: scenario passed');
      expect(r.status).toBe(0);
      expect(r.report.violations).toEqual([]);
      const routines = Object.fromEntries(r.files.flatMap((f) => f.routines.map((x) => [x.name, `${x.role} ${x.entries}`])));
      expect(routines).toEqual({
        WdsCreateClose: 'dispatch 2',
        WdsReadWrite: 'dispatch 7',
        WdsDeviceControl: 'dispatch 5',
        WdsCleanup: 'dispatch 1',
        WdsCancelTransfer: 'cancel 2',
      });
      const unhit = siteHits(r.files).filter((s) => s.endsWith(' 0'));
      const t = join(dir, 'drv', 'transfer.c');
      expect(unhit).toEqual([
        // StartIo is not a dispatch or cancel routine: its entry and exits are never checked.
        `transfer.c:${lineOf(t, 'VOID NTAPI WdsStartIo(')} routine-entry WdsStartIo 0`,
        // Cancelled before StartIo could see it, in both ways: only cancellation injection reaches these.
        `transfer.c:${lineOf(t, 'IoReleaseCancelSpinLock(irql);', 0)} release WdsStartIo 0`,
        `transfer.c:${lineOf(t, 'IoReleaseCancelSpinLock(irql);', 1)} release WdsStartIo 0`,
        `transfer.c:${lineOf(t, 'return;', 0)} routine-exit WdsStartIo 0`,
        `transfer.c:${lineOf(t, 'KeSetTimer(') + 1} routine-exit WdsStartIo 0`,
        // The DPC finds the transfer cancelled under it.
        `transfer.c:${lineOf(t, 'IoReleaseCancelSpinLock(irql);', 3)} release WdsTransferDpc 0`,
      ]);
    });

    it('with cancellation injection: every acquire, release and checked exit runs, still no violation', () => {
      const r = runHarness('harness', '--inject');
      expect(r.stderr).not.toContain('kmodel: error');
      expect(r.stdout).toMatch(/harness: scenario passed\r?\nharness: \d+ injected cancellations\r?\nharness: 0 model error\(s\)/);
      expect(r.status).toBe(0);
      expect(r.report.violations).toEqual([]);
      const t = join(dir, 'drv', 'transfer.c');
      expect(siteHits(r.files).filter((s) => s.endsWith(' 0'))).toEqual([
        `transfer.c:${lineOf(t, 'VOID NTAPI WdsStartIo(')} routine-entry WdsStartIo 0`,
        `transfer.c:${lineOf(t, 'return;', 0)} routine-exit WdsStartIo 0`,
        `transfer.c:${lineOf(t, 'KeSetTimer(') + 1} routine-exit WdsStartIo 0`,
      ]);
    });

    /** `seedN/file:line` of the n-th line containing text in the seeded copy. */
    const at = (seed: number, file: string, text: string, nth = 0) => `seed${seed}/${file}:${lineOf(join(dir, 'drv', `seed${seed}`, file), text, nth)}`;

    const SEEDS: Array<[number, () => unknown[]]> = [
      [1, () => ['dispatch-exit-held', at(1, 'driver.c', 'return STATUS_SUCCESS;', 3), 'WdsCleanup', at(1, 'transfer.c', 'IoAcquireCancelSpinLock(&irql);', 2)]],
      // The exit is the routine's closing brace (it falls off the end); the acquire is the I/O manager's, at entry.
      [2, () => ['cancel-exit-held', at(2, 'transfer.c', 'WdsCompleteRequest(Irp, STATUS_CANCELLED, 0);').replace(/\d+$/, (l) => String(Number(l) + 1)), 'WdsCancelTransfer', at(2, 'transfer.c', 'VOID NTAPI WdsCancelTransfer(')]],
      [3, () => ['double-acquire', at(3, 'events.c', 'IoAcquireCancelSpinLock(&irql);', 0), 'WdsSnapshotStats', at(3, 'events.c', 'IoAcquireCancelSpinLock(&irql);', 1)]],
      [4, () => ['release-not-held', at(4, 'transfer.c', 'IoReleaseCancelSpinLock(irql); IoReleaseCancelSpinLock(irql);'), 'WdsCancelQueuedTransfers', null]],
      [5, () => ['irql-mismatch', at(5, 'transfer.c', 'IoReleaseCancelSpinLock(irp->CancelIrql);'), 'WdsTransferDpc', at(5, 'transfer.c', 'IoAcquireCancelSpinLock(&irql);', 1)]],
    ];

    it.each(SEEDS)('seeded bug %i gives exactly its violation', (seed, expected) => {
      const r = runHarness(`seed${seed}`, '--inject');
      expect(r.status).toBe(66);
      const got = r.report.violations.map((v) => [v.kind, `${v.location.file}:${v.location.line}`, v.location.function, v.acquire && `${v.acquire.file}:${v.acquire.line}`]);
      expect(got).toEqual([expected()]);
    });
  });
}
