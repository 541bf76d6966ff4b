// End-to-end: hand-instrumented fixtures built with real compilers and the runtime, run as real processes and threads.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CountersRecord, RunHeader, RunRecord, ViolationCountRecord, ViolationRecord } from '../../src/model/format.js';
import { RUN_VERSION } from '../../src/model/format.js';
import { FIXTURES, RUNTIME_DIR, requireTool, run, tempDir } from './tools.js';

// Site indices of fixtures/driver.c (the enum there); the trailer gives line 1000 + index.
const S = {
  CLEAN_ENTRY: 0, CLEAN_ACQ: 2, CLEAN_RET: 4, DOUBLE_ACQ2: 13, FREE_ENTRY: 17, FREE_REL: 19, LEAK_RET: 24,
  CLEAK_ENTRY: 26, CLEAK_FALL: 28, CGOOD_ENTRY: 29, CWRONG_ENTRY: 33, CWRONG_REL: 35, MISM_ACQ: 39, MISM_REL: 40,
  INNER_FALL: 50, RETREL_RET: 59, LOOP_ENTRY: 61, LOOP_ACQ: 63, LOOP_REL: 64, LOOP_FALL: 65, PLAIN_ACQ: 70,
  PLAIN_REL_THREAD: 71, REG_MAJOR: 77,
} as const;

const SOURCES = ['driver.c', 'helper.c', 'wdm_mock.c'].map((f) => path.join(FIXTURES, f));
const CFLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-D_DEFAULT_SOURCE', '-O1', '-g'];

function build(cc: string, out: string, extra: string[] = []): string {
  const r = run(cc, [...CFLAGS, ...extra, `-I${RUNTIME_DIR}`, `-I${FIXTURES}`, ...SOURCES,
    path.join(RUNTIME_DIR, 'spincheck_runtime.c'), '-o', out, '-pthread']);
  if (r.status !== 0) throw new Error(`${cc} failed:\n${r.stderr}`);
  return out;
}

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  files: string[];
  records: Array<RunHeader | RunRecord>;
  dataDir: string;
}

function readRuns(dataDir: string): { files: string[]; records: Array<RunHeader | RunRecord> } {
  const dir = path.join(dataDir, 'runs');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : [];
  const records = files.flatMap((f) =>
    readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunHeader | RunRecord),
  );
  return { files, records };
}

function scenario(bin: string, args: string[], options = '', env: NodeJS.ProcessEnv = {}): Outcome {
  const dataDir = tempDir('data');
  const r = run(bin, args, { SPINCHECK_DIR: dataDir, SPINCHECK_OPTIONS: options, ...env });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, dataDir, ...readRuns(dataDir) };
}

const violations = (o: { records: Array<RunHeader | RunRecord> }) =>
  o.records.filter((r): r is ViolationRecord => 't' in r && r.t === 'violation');
const counts = (o: { records: Array<RunHeader | RunRecord> }) =>
  o.records.filter((r): r is ViolationCountRecord => 't' in r && r.t === 'violation-count');
/** A unit's counters over the run files read (each starts with its header): the last record of each file
 *  holds that process's totals; the files' totals add up. */
function hits(o: { records: Array<RunHeader | RunRecord> }, tu: string, field: 'hits' | 'held' = 'hits'): number[] {
  const perFile: number[][] = [];
  for (const r of o.records) {
    if (!('t' in r)) perFile.push([]);
    else if (r.t === 'counters' && r.tu === tu) perFile[perFile.length - 1] = (r as CountersRecord)[field];
  }
  const sum: number[] = [];
  for (const last of perFile) last.forEach((v, i) => (sum[i] = (sum[i] ?? 0) + v));
  return sum;
}

const hasGcc = requireTool('gcc');
const hasClang = requireTool('clang');
let gccBin = '';

beforeAll(() => {
  if (hasGcc) gccBin = build('gcc', path.join(tempDir('bin'), 'driver-gcc'));
}, 120_000);

describe.skipIf(!hasGcc)('runtime end to end (gcc)', () => {
  const cases: Array<[string, ViolationRecord['kind'], string, number, string, number, boolean]> = [
    ['double-acquire', 'double-acquire', 'driver-tu', S.DOUBLE_ACQ2, 'DispatchDouble', 3, false],
    ['release-not-held', 'release-not-held', 'driver-tu', S.FREE_REL, 'DispatchReleaseFree', 1, false],
    ['release-other-thread', 'release-other-thread', 'driver-tu', S.PLAIN_REL_THREAD, 'UnlockFromThread', 1, false],
    ['dispatch-exit-held', 'dispatch-exit-held', 'driver-tu', S.LEAK_RET, 'DispatchLeak', 1, false],
    ['cancel-exit-held', 'cancel-exit-held', 'driver-tu', S.CLEAK_FALL, 'CancelLeak', 1, true],
    ['irql-mismatch', 'irql-mismatch', 'driver-tu', S.MISM_REL, 'DispatchIrqlMismatch', 1, false],
    ['irql-mismatch-io', 'irql-mismatch', 'driver-tu', S.CWRONG_REL, 'CancelWrongIrql', 1, true],
    ['candidate', 'cancel-exit-held', 'helper-tu', 4, 'CandidateCancel', 1, true],
  ];
  it.each(cases)('scenario %s: one %s record at %s:%i, reported once, exit 66', (name, kind, tu, site, fn, count, byIo) => {
    const o = scenario(gccBin, [name]);
    expect(o.status).toBe(66);
    expect(o.files).toHaveLength(1);
    const [header] = o.records as RunHeader[];
    expect(header).toMatchObject({ format: 'spincheck-run', version: RUN_VERSION });
    const v = violations(o);
    expect(v).toHaveLength(1);
    // The call stack (format 2): frames in the test program, which the report symbolizes.
    expect(v[0]!.modules?.[0]).toBe(realpathSync(gccBin));
    expect(v[0]!.frames?.filter(([m]) => m === 0).length).toBeGreaterThan(2);
    expect(v[0]).toMatchObject({ kind, tu, site, byIoManager: byIo, thread: name === 'release-other-thread' ? 2 : 1 });
    expect(counts(o)).toEqual([{ t: 'violation-count', kind, tu, site, count }]);
    const file = tu === 'driver-tu' ? 'fixtures/driver.c' : 'fixtures/helper.c';
    const line = tu === 'driver-tu' ? 1000 + site : 23;
    expect(o.stderr).toMatch(new RegExp(`==${header!.pid}==ERROR: spincheck: ${kind}: `));
    expect(o.stderr).toContain(`SUMMARY: spincheck: ${kind} ${file}:${line} in ${fn}\n`);
    expect(o.stderr.match(/==ERROR/g)).toHaveLength(1);
  });

  it('clean driver: split acquire/release, cancel releasing first or called with the lock held, return that releases', () => {
    const o = scenario(gccBin, ['clean']);
    expect(o.stderr).toBe('');
    expect(o.status).toBe(0);
    expect(violations(o)).toEqual([]);
    const h = hits(o, 'driver-tu');
    expect(h[S.CLEAN_ENTRY]).toBe(2);
    expect(h[S.REG_MAJOR]).toBe(1);
    expect(h[S.CGOOD_ENTRY]).toBe(2);
    expect(h[S.RETREL_RET]).toBe(1);
    expect(hits(o, 'driver-tu', 'held')[S.RETREL_RET]).toBe(0);
    expect(hits(o, 'driver-tu', 'held')[S.INNER_FALL]).toBe(1);
    expect(hits(o, 'helper-tu')).toEqual([1, 1, 0, 0, 0]);
  });

  it('nested dispatch: leaving a lock to the caller is fine, strict_nesting=1 reports it', () => {
    expect(violations(scenario(gccBin, ['nested']))).toEqual([]);
    const o = scenario(gccBin, ['nested'], 'strict_nesting=1');
    expect(violations(o).map((v) => [v.kind, v.site])).toEqual([
      ['dispatch-exit-held', S.INNER_FALL],
      ['release-not-held', 53],
    ]);
  });

  it('4 threads on a blocking mutex mock: exact counts, no violations', () => {
    const o = scenario(gccBin, ['threads', '20000']);
    expect(o.status).toBe(0);
    expect(o.stdout).toBe('loop_counter=80000\n');
    expect(violations(o)).toEqual([]);
    const h = hits(o, 'driver-tu');
    for (const s of [S.LOOP_ENTRY, S.LOOP_ACQ, S.LOOP_REL, S.LOOP_FALL]) expect(h[s]).toBe(80000);
  });

  it('8 processes x 4 threads: one file each, exact merged counts', async () => {
    const dataDir = tempDir('merge');
    const env = { ...process.env, SPINCHECK_DIR: dataDir, SPINCHECK_OPTIONS: '' };
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () => new Promise<number | null>((resolve) => {
        const p = spawn(gccBin, ['threads', '5000'], { env, stdio: 'ignore' });
        p.on('exit', (code) => resolve(code));
      })),
    );
    expect(statuses).toEqual(new Array(8).fill(0));
    const o = readRuns(dataDir);
    expect(o.files).toHaveLength(8);
    const pids = o.records.filter((r): r is RunHeader => 'format' in r).map((r) => r.pid);
    expect(new Set(pids).size).toBe(8);
    const h = hits(o, 'driver-tu');
    for (const s of [S.LOOP_ENTRY, S.LOOP_ACQ, S.LOOP_REL, S.LOOP_FALL]) expect(h[s]).toBe(8 * 4 * 5000);
  });

  it('fork: the child writes its own file with its own counters and violations', () => {
    const o = scenario(gccBin, ['fork']);
    expect(o.status).toBe(0);
    const m = /child=(\d+) status=(\d+)/.exec(o.stdout);
    expect(m?.[2]).toBe('66');
    expect(o.files).toHaveLength(2);
    const child = o.files.find((f) => f.startsWith(`run-${m![1]}-`))!;
    const parent = o.files.find((f) => f !== child)!;
    const per = (f: string) => ({
      records: readFileSync(path.join(o.dataDir, 'runs', f), 'utf8').split('\n').filter(Boolean)
        .map((l) => JSON.parse(l) as RunRecord),
    });
    expect(hits(per(parent), 'driver-tu')[S.CLEAN_ENTRY]).toBe(3);
    expect(hits(per(child), 'driver-tu')[S.CLEAN_ENTRY]).toBe(1);
    expect(violations(per(parent))).toEqual([]);
    expect(violations(per(child)).map((v) => v.kind)).toEqual(['release-not-held']);
  });

  it('a crash right after a violation keeps the violation', () => {
    const o = scenario(gccBin, ['segv']);
    expect(o.signal).toBe('SIGSEGV');
    expect(violations(o).map((v) => v.kind)).toEqual(['release-not-held']);
  });

  it('halt_on_error=1 stops at the first violation with exitcode', () => {
    const o = scenario(gccBin, ['halt'], 'halt_on_error=1');
    expect(o.status).toBe(66);
    expect(violations(o).map((v) => v.kind)).toEqual(['release-not-held']);
    expect(counts(o)).toHaveLength(1);
    expect(o.stderr).toContain('spincheck: halt_on_error=1: stopping the process\n');
  });

  it('suppressions silence a violation and its exit status', () => {
    const dir = tempDir('supp');
    const file = path.join(dir, 'spincheck.supp');
    writeFileSync(file, '# known bug\nrelease-not-held:DispatchRelease*\n');
    const o = scenario(gccBin, ['release-not-held'], `suppressions=${file}`);
    expect(o.status).toBe(0);
    expect(o.stderr).toBe('');
    expect(violations(o)).toEqual([]);
  });

  it('an unwritable data directory: one warning, the program keeps its own exit status', () => {
    const dir = tempDir('unwritable');
    const blocker = path.join(dir, 'file');
    writeFileSync(blocker, 'not a directory');
    const clean = scenario(gccBin, ['clean'], `data_dir=${blocker}/sub`);
    expect(clean.status).toBe(0);
    expect(clean.stderr).toMatch(/^spincheck: cannot write run data under .*; continuing without run data\n$/);
    const bad = scenario(gccBin, ['release-not-held'], `data_dir=${blocker}/sub`);
    expect(bad.status).toBe(66);
    expect(bad.stderr.match(/cannot write run data/g)).toHaveLength(1);
    expect(bad.stderr).toContain('ERROR: spincheck: release-not-held');
  });

  it('malformed options warn and are ignored', () => {
    const o = scenario(gccBin, ['clean'], `bogus=1:halt_on_error:exitcode=abc:verbosity='1`);
    expect(o.status).toBe(0);
    const lines = o.stderr.trimEnd().split('\n');
    expect(lines.every((l) => l.startsWith('spincheck: '))).toBe(true);
    expect(lines.filter((l) => l.includes('syntax error'))).toHaveLength(1);
    expect(o.stderr).toContain(`unknown option 'bogus'`);
  });

  it('exit status: a non-zero status is kept, exitcode=0 keeps 0', () => {
    expect(scenario(gccBin, ['exit3']).status).toBe(3);
    expect(scenario(gccBin, ['release-not-held'], 'exitcode=0').status).toBe(0);
    expect(scenario(gccBin, ['release-not-held'], 'exitcode=7').status).toBe(7);
  });

  it('log_path=P writes reports to P.<pid> instead of stderr', () => {
    const dir = tempDir('log');
    const o = scenario(gccBin, ['release-not-held'], `log_path=${dir}/sc`);
    expect(o.stderr).toBe('');
    const pid = (o.records[0] as RunHeader).pid;
    expect(readFileSync(path.join(dir, `sc.${pid}`), 'utf8')).toContain('ERROR: spincheck: release-not-held');
  });

  it('spincheck_dump: counters and violation counts are totals so far (the last record wins)', () => {
    const o = scenario(gccBin, ['dump']);
    const recs = o.records.filter((r) => 't' in r && r.t === 'counters' && r.tu === 'driver-tu');
    expect(recs).toHaveLength(2);
    expect(hits(o, 'driver-tu')[S.CLEAN_ENTRY]).toBe(3);
    expect(hits(o, 'driver-tu')[S.FREE_REL]).toBe(2);
    expect(counts(o).map((c) => c.count)).toEqual([1, 2]);
    expect(violations(o)).toHaveLength(1);
  });

  it('data directory: build-time default, SPINCHECK_DIR, then data_dir= override', () => {
    const built = tempDir('built');
    const bin = build('gcc', path.join(tempDir('bin'), 'driver-dir'), [`-DSPINCHECK_FIXTURE_DIR="${built}"`]);
    expect(run(bin, ['clean']).status).toBe(0);
    expect(readRuns(built).files).toHaveLength(1);
    const env = tempDir('env');
    expect(run(bin, ['clean'], { SPINCHECK_DIR: env }).status).toBe(0);
    expect(readRuns(env).files).toHaveLength(1);
    const opt = tempDir('opt');
    expect(run(bin, ['clean'], { SPINCHECK_DIR: env, SPINCHECK_OPTIONS: `data_dir=${opt}` }).status).toBe(0);
    expect(readRuns(opt).files).toHaveLength(1);
    expect(readRuns(env).files).toHaveLength(1);
  });
});

describe.skipIf(!hasClang)('runtime end to end (clang)', () => {
  it('the same fixtures built with clang report the same', () => {
    const bin = build('clang', path.join(tempDir('bin'), 'driver-clang'));
    expect(scenario(bin, ['clean']).status).toBe(0);
    const o = scenario(bin, ['double-acquire']);
    expect(o.status).toBe(66);
    expect(violations(o).map((v) => [v.kind, v.site])).toEqual([['double-acquire', S.DOUBLE_ACQ2]]);
  });
});

describe('the runtime compiles warning-free on every supported compiler', () => {
  const rt = path.join(RUNTIME_DIR, 'spincheck_runtime.c');
  const strict = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-O2', '-c', rt];
  it.each([['gcc'], ['clang'], ['x86_64-w64-mingw32-gcc']])('%s -std=c99 -Wall -Wextra -Werror -pedantic', (cc) => {
    if (!requireTool(cc)) return;
    const r = run(cc, [...strict, '-o', path.join(tempDir('obj'), 'rt.o')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the state-machine build of the addon tests (SPINCHECK_TEST_HOOKS) too', () => {
    if (!requireTool('gcc')) return;
    const r = run('gcc', [...strict, '-DSPINCHECK_TEST_HOOKS', '-o', path.join(tempDir('obj'), 'rt-test.o')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('clang-cl /W4 /WX (clang --driver-mode=cl, mingw-w64 headers as the SDK)', () => {
    if (!requireTool('clang') || !requireTool('x86_64-w64-mingw32-gcc')) return;
    const inc = '/usr/x86_64-w64-mingw32/include';
    const r = run('clang', ['--driver-mode=cl', '--target=x86_64-pc-windows-msvc', '/c', '/W4', '/WX', '-imsvc', inc,
      '-D__GNUC__=4', '-D__GNUC_MINOR__=8', `/Tc${rt}`, `/Fo${path.join(tempDir('obj'), 'rt.obj')}`]);
    expect(r.stdout + r.stderr).not.toMatch(/warning|error/);
    expect(r.status).toBe(0);
  });
});
