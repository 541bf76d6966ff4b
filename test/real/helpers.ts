// Helpers for the real-code tests: Debian source packages fetched at test time, builds run with argument arrays.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { StaticAnalysis } from '../../src/model/index.js';
import { join } from 'node:path';
import { haveTool } from '../helpers/tools.js';
import { CLI, ROOT, TEST_CACHE, wrapperEnv } from '../wrapper/helpers.js';

export { CLI, ROOT, TEST_CACHE, wrapperEnv };
export const FETCH = join(ROOT, 'scripts/fetch-deb-source.mjs');
/** Real builds are slow; each test gets this long. */
export const BUILD_TIMEOUT = 600_000;

/** A fresh scratch directory. */
export function scratchDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `spincheck-real-${name}-`));
}

/** True when apt-get and dpkg-source are there (fails under CI, skips loudly elsewhere). */
export function haveDebTools(): boolean {
  return haveTool('apt-get') && haveTool('dpkg-source');
}

/**
 * Fetches a Debian source package (cached between runs) and unpacks it under `into`; returns the source tree.
 * A fetch that fails (no network, no deb-src) fails under CI and skips loudly elsewhere (returns null).
 */
export function debSource(pkg: string, into: string): string | null {
  const r = spawnSync(process.execPath, [FETCH, '--unpack', into, pkg], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status === 0) {
    const line = r.stdout.trim().split('\n').pop() ?? '{}';
    return (JSON.parse(line) as { dir: string }).dir;
  }
  const why = `fetching the Debian source package '${pkg}' failed:\n${r.stderr}${r.error ?? ''}`;
  if (process.env.CI) throw new Error(why);
  console.warn(`\n*** SKIPPING: ${why} ***\n`);
  return null;
}

/** The .dsc of a cached source package, fetching it when needed (null: skipped, see debSource). */
export function debSourceDsc(pkg: string): string | null {
  const r = spawnSync(process.execPath, [FETCH, pkg], { encoding: 'utf8' });
  if (r.status === 0) return (JSON.parse(r.stdout.trim()) as { dsc: string }).dsc;
  const why = `fetching the Debian source package '${pkg}' failed:\n${r.stderr}`;
  if (process.env.CI) throw new Error(why);
  console.warn(`\n*** SKIPPING: ${why} ***\n`);
  return null;
}

export interface Sh {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command; throws with its output when it fails (unless `allowFail`). */
export function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, allowFail = false): Sh {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFail) {
    const tail = (s: string): string => s.split('\n').slice(-60).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${tail(r.stdout)}\n${tail(r.stderr)}`);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Environment for a plain build: no spincheck settings at all. */
export function plainEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SPINCHECK_') && !k.startsWith('CCACHE_')) env[k] = v;
  return env;
}

/** Environment for an instrumented build: every function a routine, data into `dataDir`. */
export function instrumentedEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return wrapperEnv({ SPINCHECK_ALL_FUNCTIONS: '1', SPINCHECK_DIR: dataDir, SPINCHECK_OPTIONS: 'exitcode=0', ...extra });
}

export interface SiteDb {
  source: string;
  instrumented: boolean;
  reason?: string;
  sites?: unknown[];
  routines?: unknown[];
  unchecked?: Array<{ line: number; name: string; reason: string }>;
  analysis?: StaticAnalysis;
}

/** The site databases a build wrote. */
export function siteDbs(dataDir: string): SiteDb[] {
  const dir = join(dataDir, 'sites');
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.json')).map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as SiteDb);
}

/** Figures of an instrumented build: files instrumented, left unchanged, routines, sites, unchecked. */
export function figures(dataDir: string, skip: RegExp = /^$/): { files: number; instrumented: number; routines: number; sites: number; unchecked: number } {
  const dbs = siteDbs(dataDir).filter((d) => !skip.test(d.source));
  const seen = new Map<string, SiteDb>();
  for (const d of dbs) seen.set(d.source, d);
  const unique = [...seen.values()];
  return {
    files: unique.length,
    instrumented: unique.filter((d) => d.instrumented).length,
    routines: unique.reduce((n, d) => n + (d.routines?.length ?? 0), 0),
    sites: unique.reduce((n, d) => n + (d.sites?.length ?? 0), 0),
    unchecked: unique.reduce((n, d) => n + (d.unchecked?.length ?? 0), 0),
  };
}

/** Files (relative paths) under `dir` whose name matches. */
export function findFiles(dir: string, match: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) walk(p, r);
      else if (match.test(r)) out.push(r);
    }
  };
  walk(dir, '');
  return out;
}
