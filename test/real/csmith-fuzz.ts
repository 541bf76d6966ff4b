// Semantic-preservation fuzzing with csmith: a random program, decorated with every kind of hook site, built
// plainly and through spincheck-cc (every function a routine, strict) with gcc and clang at -O0 and -O2; both
// runs must print the same checksum and exit the same way. Used by csmith.test.ts and scripts/fuzz.mjs.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CSMITH_INCLUDE = '/usr/include/csmith';
/** Small programs: a handful of functions keeps compile and run time low while every construct still appears. */
export const CSMITH_ARGS = ['--max-funcs', '5', '--max-block-depth', '3'];
export const CONFIGS: ReadonlyArray<{ cc: string; opt: string }> = [
  { cc: 'gcc', opt: '-O0' },
  { cc: 'gcc', opt: '-O2' },
  { cc: 'clang', opt: '-O0' },
  { cc: 'clang', opt: '-O2' },
];
/** A plain run longer than this gives no verdict (csmith programs may loop for a very long time). */
const RUN_TIMEOUT_MS = 3_000;

/**
 * Mocks of the lock API and the registration calls, inserted after csmith.h: every value they see is folded
 * into checksums the program prints, so a hook that changed an argument or evaluated it twice shows up.
 */
const FUZZ_HEADER = `
/* spincheck fuzz: mock WDM API (definitions of the API names are never instrumented) */
typedef unsigned char KIRQL;
typedef void (*fuzz_fn)(void);
static uint32_t fuzz_lock_log = 1;
static uint32_t fuzz_reg_log = 1;
static KIRQL fuzz_irql[4] = {1, 2, 3, 4};
static KIRQL fuzz_next_irql = 7;
static void IoAcquireCancelSpinLock(KIRQL *Irql) { *Irql = fuzz_next_irql++; fuzz_lock_log = fuzz_lock_log * 31u + *Irql; }
static void IoReleaseCancelSpinLock(KIRQL Irql) { fuzz_lock_log = fuzz_lock_log * 37u + Irql; }
static fuzz_fn fuzz_set_cancel(void *irp, fuzz_fn f) { (void)irp; fuzz_reg_log = fuzz_reg_log * 41u + (f != 0); return 0; }
#define IoSetCancelRoutine(irp, f) fuzz_set_cancel((irp), (fuzz_fn)(f))
#define IoStartPacket(dev, irp, key, f) ((void)(dev), (void)(key), fuzz_set_cancel((irp), (fuzz_fn)(f)))
struct fuzz_driver { void *MajorFunction[8]; };
static struct fuzz_driver fuzz_drv;
static struct fuzz_driver *fuzz_drvp = &fuzz_drv;
`;

export interface Decorated {
  code: string;
  functions: number;
}

/**
 * Adds hook sites to a csmith program: an acquire and a release (with a side effect in its argument) at the
 * start of every function; in main, every function registered through IoSetCancelRoutine, IoStartPacket and a
 * MajorFunction store; the mocks' checksums printed with the program's own.
 */
export function decorate(source: string): Decorated {
  const lines = source.split('\n');
  const out: string[] = [];
  const funcs = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    out.push(line);
    if (/^#include "csmith\.h"/.test(line)) out.push(FUZZ_HEADER);
    const def = /^(?:static\s+)?[^;=()]*\b(func_(\d+)|main)\s*\([^;]*\)\s*$/.exec(line);
    if (def && lines[i + 1]?.trim() === '{') {
      out.push(lines[++i] as string);
      const n = def[2] ? Number(def[2]) : 0;
      if (def[2]) funcs.add(n);
      out.push(`    IoAcquireCancelSpinLock(&fuzz_irql[${n} & 3]); IoReleaseCancelSpinLock(fuzz_irql[(${n} + 1) & 3]++);`);
    }
    if (/^\s*func_1\(\);\s*$/.test(line)) {
      out.pop();
      [...funcs].forEach((n, k) => {
        out.push(`    IoSetCancelRoutine(0, func_${n}); IoStartPacket(0, 0, 0, func_${n}); fuzz_drvp->MajorFunction[${k & 7}] = func_${n};`);
      });
      out.push(line);
    }
    if (/^\s*platform_main_end\(/.test(line)) {
      out.pop();
      out.push('    transparent_crc(fuzz_lock_log, "fuzz_lock_log", print_hash_value);');
      out.push('    transparent_crc(fuzz_reg_log, "fuzz_reg_log", print_hash_value);');
      out.push(line);
    }
  }
  return { code: out.join('\n'), functions: funcs.size };
}

export interface Ran {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a program asynchronously (so several can run at once), with a time limit. */
export function runAsync(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (timer) clearTimeout(timer);
      resolveRun({ status, signal, stdout, stderr, timedOut });
    });
  });
}

export interface SeedOutcome {
  seed: number;
  /** 'ok', 'skipped' (csmith or the plain program misbehaved: no verdict), or 'fail'. */
  verdict: 'ok' | 'skipped' | 'fail';
  detail: string;
  /** Configurations compared (compiler x optimisation). */
  compared: number;
  /** Plain compiles that succeeded, and instrumented compiles that succeeded among them. */
  plainCompiled: number;
  instrumentedCompiled: number;
}

export interface FuzzEnv {
  /** The spincheck-cc executable (dist/bin/spincheck-cc). */
  wrapper: string;
  /** Base environment for wrapper runs (no inherited SPINCHECK_*). */
  env: NodeJS.ProcessEnv;
  configs?: ReadonlyArray<{ cc: string; opt: string }>;
}

/** Generates (or reads) one program and checks every configuration. Never throws for a program's failure. */
export async function checkSeed(seed: number, dir: string, fx: FuzzEnv, given?: string): Promise<SeedOutcome> {
  mkdirSync(dir, { recursive: true });
  const outcome: SeedOutcome = { seed, verdict: 'ok', detail: '', compared: 0, plainCompiled: 0, instrumentedCompiled: 0 };
  const raw = join(dir, 'raw.c');
  if (given !== undefined) writeFileSync(raw, given);
  else {
    const gen = await runAsync('csmith', ['--seed', String(seed), ...CSMITH_ARGS, '-o', raw], { cwd: dir, timeoutMs: 60_000 });
    if (gen.status !== 0 || !existsSync(raw)) return { ...outcome, verdict: 'skipped', detail: `csmith failed: ${gen.stderr}` };
  }
  const decorated = decorate(readFileSync(raw, 'utf8'));
  const src = join(dir, 'prog.c');
  writeFileSync(src, decorated.code);
  const failures: string[] = [];
  for (const { cc, opt } of fx.configs ?? CONFIGS) {
    const tag = `${cc}${opt}`;
    const flags = [opt, '-w', `-I${CSMITH_INCLUDE}`, 'prog.c'];
    const plain = await runAsync(cc, [...flags, '-o', `plain${tag}`], { cwd: dir });
    if (plain.status !== 0) continue;
    outcome.plainCompiled++;
    const data = join(dir, `sc${tag}`);
    const env = { ...fx.env, SPINCHECK_ALL_FUNCTIONS: '1', SPINCHECK_STRICT: '1', SPINCHECK_DIR: data };
    const inst = await runAsync(fx.wrapper, [cc, ...flags, '-o', `inst${tag}`], { cwd: dir, env });
    if (inst.status !== 0) {
      failures.push(`${tag}: instrumented compile failed:\n${inst.stderr.slice(0, 4000)}`);
      continue;
    }
    outcome.instrumentedCompiled++;
    const nm = await runAsync('nm', ['-u', `inst${tag}`], { cwd: dir });
    const sym = await runAsync('nm', [`inst${tag}`], { cwd: dir });
    if (!/spincheck_enter/.test(nm.stdout + sym.stdout) || !/spincheck_release_pre/.test(nm.stdout + sym.stdout)) {
      failures.push(`${tag}: no hooks in the instrumented program`);
      continue;
    }
    const a = await runAsync(join(dir, `plain${tag}`), [], { cwd: dir, timeoutMs: RUN_TIMEOUT_MS });
    // csmith programs may loop or (rarely) crash: no verdict for this program.
    if (a.timedOut || a.signal) return { ...outcome, verdict: 'skipped', detail: `plain ${tag} run timed out or crashed` };
    // exitcode=0: violations (the decoration makes some on purpose) must not change the exit status.
    const runEnv = { ...fx.env, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: 'exitcode=0' };
    const b = await runAsync(join(dir, `inst${tag}`), [], { cwd: dir, timeoutMs: RUN_TIMEOUT_MS * 5, env: runEnv });
    outcome.compared++;
    if (b.timedOut) failures.push(`${tag}: instrumented run timed out (plain: ${a.stdout.trim()})`);
    else if (a.stdout !== b.stdout || a.status !== b.status || b.signal) {
      failures.push(`${tag}: plain printed ${JSON.stringify(a.stdout.trim())} (exit ${a.status}), instrumented ` +
        `${JSON.stringify(b.stdout.trim())} (exit ${b.status}${b.signal ? `, ${b.signal}` : ''})\n${b.stderr.slice(0, 2000)}`);
    }
  }
  if (failures.length > 0) return { ...outcome, verdict: 'fail', detail: failures.join('\n') };
  if (outcome.compared === 0) return { ...outcome, verdict: 'skipped', detail: 'no configuration compiled and terminated plainly' };
  return outcome;
}

/** Runs `tasks` with at most `limit` in flight; results in task order. */
export async function pool<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
