// Test helpers for the C runtime: finding tools, building the Node addon and C programs, running them (argument arrays only).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RUNTIME_DIR = path.join(ROOT, 'src', 'runtime-c');
export const FIXTURES = path.join(ROOT, 'test', 'runtime-c', 'fixtures');

/** Is a program on PATH (runs `prog --version`)? */
export function hasTool(prog: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(prog, args, { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * A tool a test needs: in CI its absence fails the test; elsewhere the test is skipped with a loud message.
 * Returns true when the test should run.
 */
export function requireTool(prog: string, args?: string[]): boolean {
  if (hasTool(prog, args)) return true;
  if (process.env.CI) throw new Error(`spincheck tests: required tool '${prog}' is missing in CI`);
  console.warn(`\n*** SKIPPING: '${prog}' is not installed; runtime-c tests that need it do not run ***\n`);
  return false;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `spincheck-${prefix}-`));
}

export function run(prog: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): SpawnSyncReturns<string> {
  return spawnSync(prog, args, {
    encoding: 'utf8',
    env: { ...process.env, SPINCHECK_OPTIONS: '', SPINCHECK_DIR: '', ...env },
    cwd,
    timeout: 120_000,
  });
}

export interface Addon {
  reset(options?: string): void;
  acquirePre(t: number, tu: number, site: number, ptr: boolean): void;
  acquirePost(t: number, tu: number, site: number, stored: number): void;
  release(t: number, tu: number, site: number, irql: number): number;
  enter(t: number, tu: number, entry: number, other: number, role: number, fn: number, irql: number): number;
  setExit(t: number, site: number): void;
  leave(t: number): void;
  register(t: number, tu: number, site: number, role: number, fn: number): void;
  spinPre(t: number, tu: number, site: number, lock: number, flags: number, form: number, what: number): void;
  spinPost(t: number, tu: number, site: number, what: number, value: number, form: number, lock: number, flags: number): void;
  spinRelease(t: number, tu: number, site: number, lock: number, irql: number, irqlFirst: boolean): void;
  spinInit(t: number, tu: number, lock: number): void;
  state(): {
    owner: number;
    nesting: number;
    acquireTu: string | null;
    acquireSite: number | null;
    byIoManager: number;
    irql: number;
  };
  take(): Array<{ json: string; text: string; first: boolean; suppressed: boolean }>;
  logs(): string;
  counters(tu: number): { hits: number[]; held: number[] };
  options(): {
    haltOnError: number;
    exitcode: number;
    verbosity: number;
    strictNesting: number;
    logPath: string;
    dataDir: string;
    suppressions: string;
  };
  suppressed(t: number, kind: number, tu: number, site: number): boolean;
  dump(): void;
}

let cached: Addon | null | undefined;

/** Build (incrementally, with cmake-js) and load the test addon; null when cmake is missing outside CI. */
export function loadAddon(): Addon | null {
  if (cached !== undefined) return cached;
  if (!requireTool('cmake') || !requireTool('cc')) return (cached = null);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-addon.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the runtime addon failed:\n${r.stdout}\n${r.stderr}`);
  const file = r.stdout.trim().split('\n').at(-1)!;
  if (!existsSync(file)) throw new Error(`addon not found at ${file}`);
  cached = createRequire(import.meta.url)(file) as Addon;
  return cached;
}
