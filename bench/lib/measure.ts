// Timing and memory measurement: processes timed side by side in alternating order, medians with min/max.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
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

/** A unique scratch path inside `dir`. */
export function scratchName(dir: string, stem: string): string {
  return join(dir, `${stem}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
}
