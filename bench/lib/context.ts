// What every benchmark section needs: paths, the environment the wrapper runs in, options, logging.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Options {
  quick: boolean;
  /** Sections to run (1-7); all by default. */
  only: Set<number> | null;
  /** JSON result file. */
  out: string;
  /** Keep the work directory. */
  keep: boolean;
}

export interface Context {
  root: string;
  /** Scratch directory of this run (generated trees, data). */
  work: string;
  /** Survives runs: downloads, spincheck's runtime cache. */
  cache: string;
  opts: Options;
  /** spincheck-cc as installed (dist/bin/spincheck-cc: the native launcher and its warm server). */
  cc: string;
  /** The Node wrapper alone (dist/bin/spincheck-cc.js), what every compile ran before the warm server. */
  ccNode: string;
  /** dist/bin/spincheck.js. */
  cli: string;
  /** bench/lib/rss-probe.cjs. */
  probe: string;
  /** The bundled child programs (instrumenter timing). */
  childInstrument: string;
  log: (message: string) => void;
}

/** The bench's own warm-server directory (XDG_RUNTIME_DIR of its compiles). */
export function serverRuntimeDir(ctx: Context): string {
  return join(ctx.work, 'run');
}

/**
 * The environment for compiles and runs: no SPINCHECK_* of the caller, a private cache and data dir, and a warm
 * server of the bench's own (idle after 30 s; main() stops it at the end).
 */
export function wrapperEnv(ctx: Context, dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SPINCHECK_') && !k.startsWith('BENCH_')) env[k] = v;
  mkdirSync(serverRuntimeDir(ctx), { recursive: true, mode: 0o700 });
  return {
    ...env,
    SPINCHECK_DIR: dataDir,
    SPINCHECK_CACHE_DIR: join(ctx.cache, 'spincheck'),
    XDG_RUNTIME_DIR: serverRuntimeDir(ctx),
    SPINCHECK_SERVER_IDLE: '30',
    LC_ALL: 'C',
    ...extra,
  };
}

/** Pids of the warm servers the bench's compiles started (in `runtimeDir`: the bench's own by default). */
export function serverPids(ctx: Context, runtimeDir = serverRuntimeDir(ctx)): number[] {
  const dir = join(runtimeDir, 'spincheck');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sock.pid'))
    .map((f) => Number.parseInt(readFileSync(join(dir, f), 'utf8'), 10))
    .filter((pid) => pid > 0);
}

/** True when `cmd` starts. */
export function have(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error;
}

/** A directory under the work dir, created, with an empty spincheck.config.json so no config above it applies. */
export function workDir(ctx: Context, name: string): string {
  const dir = join(ctx.work, name);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'spincheck.config.json'))) writeFileSync(join(dir, 'spincheck.config.json'), '{}\n');
  return dir;
}

export const MINGW = 'x86_64-w64-mingw32-gcc';
export const DDK = '/usr/share/mingw-w64/include/ddk';
