// Timing and memory measurement: processes timed side by side in alternating order, medians with min/max.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median (mean of the middle two for an even count), min and max. */
export function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('no samples');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number, n: s.length };
}

export interface RunSpec {
  cmd: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Ran {
  ms: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (stdout/stderr captured) and returns its wall time; throws when it fails. */
export function timed(spec: RunSpec): Ran {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(spec.cmd, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw new Error(`${spec.cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${spec.cmd} ${spec.args.join(' ')} failed (status ${r.status}, signal ${r.signal}):\n${r.stderr}${r.stdout}`.slice(0, 4000));
  }
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs each variant once per round, the order rotating from round to round (A B C, B C A, C A B...), so drift and
 * background load fall on every variant alike. `prepare` runs untimed before each measurement.
 */
export function alternate<K extends string>(
  rounds: number,
  variants: Record<K, () => number>,
  prepare?: (k: K) => void,
): Record<K, number[]> {
  const keys = Object.keys(variants) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(r + j) % keys.length] as K;
      prepare?.(k);
      out[k].push(variants[k]());
    }
  }
  return out;
}

/** Element-wise f(a[i], b[i]...) over per-round samples (ratios of the same round). */
export function perRound(samples: number[][], f: (...xs: number[]) => number): number[] {
  const n = Math.min(...samples.map((s) => s.length));
  return Array.from({ length: n }, (_, i) => f(...samples.map((s) => s[i] as number)));
}

/**
 * Node options that make a Node process append its own peak RSS (KiB, getrusage RUSAGE_SELF: its children, such as
 * the compiler it starts, are not counted) to the file named by BENCH_RSS_OUT when it exits.
 */
export function rssProbeArgs(probe: string): string[] {
  return ['--require', probe];
}

/** Reads and clears the peak RSS values (KiB) the probe wrote. */
export function takeRss(file: string): number[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  rmSync(file, { force: true });
  return text.split('\n').filter(Boolean).map(Number);
}

export interface CpuRan extends Ran {
  /** User + system CPU seconds of the command and every descendant it waited for (GNU time). */
  cpu: number;
}

/** GNU time, when installed: it reports the CPU time of a command and all its waited-for descendants. */
export const GNU_TIME = '/usr/bin/time';

/** Like timed(), under GNU time: wall time plus the CPU time of the whole process tree. */
export function timedCpu(spec: RunSpec, scratch: string): CpuRan {
  const out = `${scratch}.time`;
  const r = timed({ ...spec, cmd: GNU_TIME, args: ['-f', '%U %S', '-o', out, spec.cmd, ...spec.args] });
  const [user, sys] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  rmSync(out, { force: true });
  return { ...r, cpu: (user ?? Number.NaN) + (sys ?? Number.NaN) };
}

/**
 * Instructions executed by one process (not its children), counted by valgrind's callgrind: a figure that does
 * not drift with the load of a shared machine. Null when valgrind is missing or fails.
 */
export function instructions(spec: RunSpec, scratch: string): number | null {
  const r = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${scratch}.cg`, '--smc-check=all-non-file', spec.cmd, ...spec.args], {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  rmSync(`${scratch}.cg`, { force: true });
  const m = /Collected\s*:\s*(\d+)/.exec(r.stderr ?? '');
  return r.status === 0 && m?.[1] ? Number(m[1]) : null;
}

/** A unique scratch path inside `dir`. */
export function scratchName(dir: string, stem: string): string {
  return join(dir, `${stem}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
}

/** User + system CPU seconds a running process has used so far (/proc; 0 when it is gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Live processes whose parent is `pid` (from /proc: the warm server's instrumenting workers). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // ppid is field 4 of stat(5), the second after the command's closing parenthesis.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds of a process and of its live children (the server and its workers, which it has not waited for). */
export function processTreeCpuSeconds(pid: number): number {
  return childPids(pid).reduce((sum, child) => sum + processCpuSeconds(child), processCpuSeconds(pid));
}

/** Peak resident set of a running process in MB (VmHWM), or null when it is gone. */
export function processPeakRssMb(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}
