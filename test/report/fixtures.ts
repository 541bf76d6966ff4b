// A data directory written by hand: two C sources (one in a directory with a hostile name, one with a hostile routine
// name), every violation kind, two processes, an uninstrumented unit, a file outside the root, and bad run files.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliEnv } from '../../src/cli/report.js';
import type { Site, SiteDatabase } from '../../src/model/index.js';
import { sha1, tuId } from '../../src/model/tu-id.js';
import { loadData } from '../../src/report/load.js';
import { mergeData } from '../../src/report/merge.js';
import type { Report } from '../../src/report/merge.js';

/** A name that breaks every careless renderer: HTML, XML, Markdown, SARIF placeholders and links, shell. */
export const HOSTILE_DIR = `odd <b>dir</b> & 'q' "qq" {0} [x](1) $(id)`;
export const HOSTILE_FN = 'Cancel<img src=x onerror="document.title=1">';
export const SCRIPT_COMMENT = `/* </script><script>document.title='pwned'</script><img src=x onerror="document.title='pwned'"> & "quotes" */`;

export const DRV_C = `${SCRIPT_COMMENT}
#include "wdm.h"

NTSTATUS Dispatch(PDEVICE_OBJECT d, PIRP irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    if (irp->Flags)
        return STATUS_PENDING;
    IoReleaseCancelSpinLock(irql);
    return STATUS_SUCCESS;
}

VOID Cancel(PDEVICE_OBJECT d, PIRP irp)
{
    IoReleaseCancelSpinLock(irp->CancelIrql);
    IoReleaseCancelSpinLock(irp->CancelIrql);
}
`;

export const QUEUE_C = `// queue helpers {braces} [brackets](0) <tags>
VOID QCancel(PDEVICE_OBJECT d, PIRP irp)
{
    RemoveEntryList(&irp->Tail.Overlay.ListEntry);
    if (irp->Cancel)
        return;
    IoReleaseCancelSpinLock(irp->CancelIrql);
}

VOID QHelper(PIRP irp)
{
    KIRQL a, b;
    IoAcquireCancelSpinLock(&a);
    IoAcquireCancelSpinLock(&b);
    IoReleaseCancelSpinLock(b);
}
VOID QWorker(KIRQL irql)
{
    IoReleaseCancelSpinLock(irql);
}
`;

type S = Omit<Site, 'index'>;
const site = (kind: Site['kind'], line: number, column: number, fn: string | null, extra: Partial<Site> = {}): S => ({ kind, line, column, function: fn, ...extra });

/** A site database of `abs` (content `text`), as the instrumenter writes it. */
export function db(abs: string, text: string, sites: S[], routines: SiteDatabase['routines'], extra: Partial<SiteDatabase> = {}): SiteDatabase {
  return {
    format: 'spincheck-sites',
    version: 1,
    tu: tuId(abs, Buffer.from(text)),
    source: abs,
    sourceAbs: abs,
    sourceHash: sha1(text),
    instrumented: true,
    sites: sites.map((s, index) => ({ index, ...s })),
    routines,
    unchecked: [],
    diagnostics: [],
    ...extra,
  };
}

export interface Fixture {
  /** The working directory / source root of the project. */
  root: string;
  data: string;
  drvPath: string;
  queuePath: string;
  /** A source outside the root (shown with an absolute path). */
  outsidePath: string;
  line: (file: 'drv' | 'queue', text: string, nth?: number) => number;
}

/** 1-based line of the nth line of a source that contains `text` (a lone brace must be the whole line). */
export function lineOf(source: string, text: string, nth = 0): number {
  const match = (l: string) => (text === '{' || text === '}' ? l.trim() === text : l.includes(text));
  const hits = source.split('\n').flatMap((l, i) => (match(l) ? [i + 1] : []));
  const n = hits[nth];
  if (n === undefined) throw new Error(`'${text}' not in source`);
  return n;
}

/** Writes the fixture project and its data directory under a new temporary directory. */
export function makeFixture(): Fixture {
  const base = mkdtempSync(join(tmpdir(), 'spincheck-report-'));
  const root = join(base, 'project');
  const data = join(root, '.spincheck');
  const drvDir = join(root, HOSTILE_DIR);
  mkdirSync(drvDir, { recursive: true });
  mkdirSync(join(base, 'elsewhere'));
  mkdirSync(join(data, 'sites'), { recursive: true });
  mkdirSync(join(data, 'runs'), { recursive: true });
  const drvPath = join(drvDir, 'drv.c');
  const queuePath = join(root, 'queue.c');
  const outsidePath = join(base, 'elsewhere', 'kit.c');
  const kit = 'void KitAcquire(void)\n{\n    IoAcquireCancelSpinLock(&g);\n}\n';
  writeFileSync(drvPath, DRV_C);
  writeFileSync(queuePath, QUEUE_C);
  writeFileSync(outsidePath, kit);
  writeFileSync(join(root, 'plain.c'), 'int plain;\n');

  const d = (t: string, n = 0) => lineOf(DRV_C, t, n);
  const q = (t: string, n = 0) => lineOf(QUEUE_C, t, n);
  const A = db(drvPath, DRV_C, [
    site('routine-entry', d('{', 0), 1, 'Dispatch', { role: 'dispatch', roleSource: 'role-type' }),
    site('acquire', d('IoAcquire'), 5, 'Dispatch'),
    site('routine-exit', d('return STATUS_PENDING'), 9, 'Dispatch', { role: 'dispatch', via: 'return' }),
    site('release', d('IoReleaseCancelSpinLock(irql)'), 5, 'Dispatch'),
    site('routine-exit', d('return STATUS_SUCCESS'), 5, 'Dispatch', { role: 'dispatch', via: 'return' }),
    site('routine-exit', d('}', 0), 1, 'Dispatch', { role: 'dispatch', via: 'other' }),
    site('routine-entry', d('{', 1), 1, HOSTILE_FN, { role: 'cancel', roleSource: 'set-cancel-routine' }),
    site('release', d('IoReleaseCancelSpinLock(irp', 0), 5, HOSTILE_FN),
    site('release', d('IoReleaseCancelSpinLock(irp', 1), 5, HOSTILE_FN),
    site('routine-exit', d('}', 1), 1, HOSTILE_FN, { role: 'cancel', via: 'fall-off' }),
  ], [
    { name: 'Dispatch', role: 'dispatch', roleSource: 'role-type', line: d('NTSTATUS Dispatch'), entrySite: 0 },
    { name: HOSTILE_FN, role: 'cancel', roleSource: 'set-cancel-routine', line: d('VOID Cancel'), entrySite: 6 },
  ]);
  const B = db(queuePath, QUEUE_C, [
    site('routine-entry', q('{', 0), 1, 'QCancel', { role: 'cancel', roleSource: 'role-type-header' }),
    site('routine-exit', q('return;'), 9, 'QCancel', { role: 'cancel', via: 'return' }),
    site('release', q('IoReleaseCancelSpinLock(irp'), 5, 'QCancel'),
    site('routine-exit', q('}', 0), 1, 'QCancel', { role: 'cancel', via: 'fall-off' }),
    site('acquire', q('IoAcquireCancelSpinLock(&a)'), 5, 'QHelper'),
    site('acquire', q('IoAcquireCancelSpinLock(&b)'), 5, 'QHelper'),
    site('release', q('IoReleaseCancelSpinLock(b)'), 5, 'QHelper'),
    site('release', q('IoReleaseCancelSpinLock(irql)'), 5, 'QWorker'),
  ], [{ name: 'QCancel', role: 'cancel', roleSource: 'role-type-header', line: q('VOID QCancel'), entrySite: 0 }]);
  const C = db(outsidePath, kit, [site('acquire', 3, 5, 'KitAcquire')], []);
  const U = db(join(root, 'plain.c'), 'int plain;\n', [], [], { instrumented: false, reason: 'no cancel spin lock calls' });
  for (const x of [A, B, C, U]) writeFileSync(join(data, 'sites', `${x.tu}.json`), JSON.stringify(x, null, 2));

  const header = (pid: number) => JSON.stringify({ format: 'spincheck-run', version: 1, pid, startedAt: 1 });
  const v = (kind: string, tu: string, s: number, acq: [string, number] | null, stack: Array<[string, number]>, extra: object = {}) =>
    JSON.stringify({ t: 'violation', kind, tu, site: s, acquireTu: acq?.[0] ?? null, acquireSite: acq?.[1] ?? null, byIoManager: false, thread: 1, stack, ...extra });
  const counters = (x: SiteDatabase, hits: number[], held: number[]) => JSON.stringify({ t: 'counters', tu: x.tu, source: x.source, hits, held });
  const run1 = [
    header(100),
    v('dispatch-exit-held', A.tu, 2, [A.tu, 1], [[A.tu, 0]]),
    v('release-not-held', A.tu, 8, null, [[A.tu, 6]]),
    v('cancel-exit-held', B.tu, 1, [B.tu, 0], [[B.tu, 0]], { byIoManager: true }),
    v('double-acquire', B.tu, 5, [B.tu, 4], [[A.tu, 0]]),
    v('irql-mismatch', B.tu, 6, [B.tu, 5], [[A.tu, 0]], { irqlAcquired: 2, irqlReleased: 0 }),
    v('release-other-thread', B.tu, 7, [C.tu, 0], [], { thread: 2 }),
    counters(A, [5, 5, 2, 3, 3, 0, 2, 2, 1, 2], [0, 0, 2, 0, 0, 0, 0, 0, 0, 0]),
    counters(B, [3, 1, 2, 2, 1, 1, 1, 1], [0, 1, 0, 0, 0, 0, 0, 0]),
    counters(C, [1], [0]),
    JSON.stringify({ t: 'violation-count', kind: 'dispatch-exit-held', tu: A.tu, site: 2, count: 2 }),
  ];
  const run2 = [header(101), v('dispatch-exit-held', A.tu, 2, [A.tu, 1], [[A.tu, 0]]), counters(A, [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0, 0, 0, 0])];
  writeFileSync(join(data, 'runs', 'run-100-a.jsonl'), `${run1.join('\n')}\n`);
  writeFileSync(join(data, 'runs', 'run-101-b.jsonl'), `${run2.join('\n')}\n`);
  writeFileSync(join(data, 'runs', 'run-102-torn.jsonl'), `${header(102)}\n{"t":"coun`);
  writeFileSync(join(data, 'runs', 'run-103-foreign.jsonl'), `${JSON.stringify({ format: 'spincheck-run', version: 99, pid: 1, startedAt: 1 })}\n`);
  return { root, data, drvPath, queuePath, outsidePath, line: (f, t, n) => lineOf(f === 'drv' ? DRV_C : QUEUE_C, t, n) };
}

/** The merged report of a fixture, with display paths relative to its root. */
export function fixtureReport(fx: Fixture): Report {
  return mergeData(loadData({ sites: [fx.data], runs: [fx.data] }), { root: fx.root });
}

/** A CliEnv that captures output. */
export function captureIo(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliEnv & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { argv, env, cwd, isTTY: false, stdout: (s) => out.push(s), stderr: (s) => err.push(s), out, err };
}
