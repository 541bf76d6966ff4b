// Shared helpers for the wrapper tests: build the CLI once, run it, make scratch projects.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** spincheck-cc as installed: the native launcher, served by the warm server (falls back to Node when it is down). */
export const CLI = join(ROOT, 'dist/bin/spincheck-cc');
/** The Node wrapper itself, as the launcher runs it when no server serves. */
export const NODE_CLI = join(ROOT, 'dist/bin/spincheck-cc.js');
export const FIXTURES = join(ROOT, 'test/wrapper/fixtures');
/** A runtime cache shared by the wrapper tests (keyed by compiler and sources, so safe to share). */
export const TEST_CACHE = join(tmpdir(), `spincheck-test-cache-${process.getuid?.() ?? 0}`);
/** The tests' own warm-server directory (one server for the whole run, as for one user), idle after 30 s. */
export const TEST_RUNTIME_DIR = join(tmpdir(), `spincheck-test-run-${process.getuid?.() ?? 0}`);

function sourceStamp(): string {
  const h = createHash('sha1');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else h.update(`${p}:${st.size}:${st.mtimeMs}\n`);
    }
  };
  walk(join(ROOT, 'src'));
  h.update(readFileSync(join(ROOT, 'scripts/build.mjs')));
  return h.digest('hex');
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds dist/bin once per source state; test files in parallel forks take a lock. */
export function ensureBuilt(): void {
  const stampFile = join(ROOT, 'dist', '.wrapper-test-stamp');
  const lock = join(ROOT, 'dist', '.wrapper-test-lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const stamp = sourceStamp();
  const current = (): string | null => {
    try {
      return readFileSync(stampFile, 'utf8');
    } catch {
      return null;
    }
  };
  if (current() === stamp) return;
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (i > 1200) rmSync(lock, { recursive: true, force: true });
      sleep(100);
    }
  }
  try {
    if (current() === stamp) return;
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed:\n${r.stderr}`);
    writeFileSync(stampFile, stamp);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A fresh scratch directory under the system temp dir. */
export function scratch(name: string): string {
  return mkdtempSync(join(tmpdir(), `spincheck-wtest-${name}-`));
}

/** Writes files (path -> content) under `dir`, creating directories. */
export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

/** Environment for wrapper runs: no inherited SPINCHECK_* settings, the shared test cache. */
export function wrapperEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SPINCHECK_') && !k.startsWith('CCACHE_')) env[k] = v;
  mkdirSync(TEST_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  return { ...env, SPINCHECK_CACHE_DIR: TEST_CACHE, XDG_RUNTIME_DIR: TEST_RUNTIME_DIR, SPINCHECK_SERVER_IDLE: '30', ...extra };
}

export interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** Runs a program and returns raw bytes (pass-through output is compared byte for byte). */
export function runRaw(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = wrapperEnv()): Ran {
  const r = spawnSync(cmd, args, { cwd, env, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `spincheck-cc ARGS`. */
export function cc(args: string[], cwd: string, env: NodeJS.ProcessEnv = wrapperEnv()): Ran {
  return runRaw(CLI, args, cwd, env);
}

/** A wrapper command usable as CC in make/cmake/configure: an executable shell-free path. */
export const CC_PATH = CLI;

/** Lists files under `dir` (relative paths, sorted), skipping `skip` names. */
export function listFiles(dir: string, skip: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (skip.has(name)) continue;
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) walk(p, r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out;
}
