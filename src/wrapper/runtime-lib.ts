// The C runtime archive: built once per compiler and target with the user's own compiler, cached atomically.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompilerChain, Self } from './compiler.js';
import { findOnPath } from './compiler.js';
import { capture } from './exec.js';
import { makeDirs } from '../io/make-dirs.js';

/** Bump when the way the runtime is compiled changes: it is part of the cache key. */
const RECIPE = 'spincheck-runtime-recipe-3';
const ARCHIVE = 'libspincheck.a';
/** ELF: the dynamic list that exports the runtime's public names from an executable, so that instrumented shared
 *  libraries it loads (dlopen too) bind their hooks to it: one runtime per process. */
const EXPORTS = 'exports.list';
/** A failed build is not retried for this long (every link would otherwise pay for it). */
const FAILURE_TTL_MS = 10 * 60 * 1000;

/** node:crypto, loaded on first use: only links need it, and loading it costs every compile (design §6). */
const crypto = (): typeof import('node:crypto') => createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');

export interface RuntimeLib {
  archive: string;
  /** Arguments before the archive: on ELF targets `-Wl,-u,spincheck_runtime_present`, which pulls the
   *  runtime in over the weak stubs instrumented objects carry, and `-Wl,--dynamic-list=<EXPORTS>`. */
  pull: string[];
  /** Libraries the runtime needs after it (-lpthread on ELF targets; -ldl on Linux, for dladdr before glibc 2.34). */
  libs: string[];
  /** ELF: instrumented objects carry weak no-op stand-ins of the hooks, so a shared library links without the
   *  runtime and binds to the executable's at load time. Elsewhere (PE/COFF) every link of them needs it. */
  weakStubs: boolean;
}

export type RuntimeResult = { ok: true; lib: RuntimeLib } | { ok: false; error: string };

interface Meta {
  triple: string;
  pull: string[];
  libs: string[];
}

/** Directory of the runtime's C sources: $SPINCHECK_RUNTIME_SRC, else src/runtime-c of the installed package. */
export function runtimeSourceDir(env: NodeJS.ProcessEnv): string | null {
  if (env.SPINCHECK_RUNTIME_SRC) return env.SPINCHECK_RUNTIME_SRC;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src', 'runtime-c');
    if (existsSync(join(candidate, 'spincheck_prelude.h'))) return candidate;
    if (basename(dir) === 'src' && existsSync(join(dir, 'runtime-c', 'spincheck_prelude.h'))) return join(dir, 'runtime-c');
    dir = dirname(dir);
  }
  return null;
}

function fileIdentity(path: string): string {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${path}:${st.size}:${Math.floor(st.mtimeMs)}` : path;
}

/** Cache key: recipe, compiler identity (files, sizes, mtimes), target options, runtime sources. */
export function runtimeKey(chain: CompilerChain, targetArgs: readonly string[], srcDir: string): string {
  const h = crypto().createHash('sha1');
  h.update(RECIPE);
  for (const p of chain.programs) h.update(`\0${p.spelled}\0${fileIdentity(p.file)}`);
  for (const a of targetArgs) h.update(`\0t${a}`);
  for (const name of readdirSync(srcDir).sort()) {
    if (!/\.(c|h|inc)$/.test(name)) continue;
    h.update(`\0f${name}\0`).update(readFileSync(join(srcDir, name)));
  }
  return h.digest('hex').slice(0, 20);
}

/** Finds the archiver matching the compiler: `<prefix>ar` for cross compilers, llvm-ar for clang, else ar. */
function findArchiver(chain: CompilerChain, triple: string, env: NodeJS.ProcessEnv, cwd: string, self: Self): string | null {
  const compiler = basename(chain.programs[chain.programs.length - 1]!.spelled);
  const names: string[] = [];
  const m = /^(.*-)(gcc|cc|clang)(-[\d.]+)?$/.exec(compiler);
  if (m) names.push(`${m[1]}ar`);
  if (triple) names.push(`${triple}-ar`);
  if (chain.kind === 'clang') names.push('llvm-ar');
  names.push('ar');
  for (const n of names) {
    const found = findOnPath(n, env, cwd, self);
    if (found) return found;
  }
  return null;
}

/** The program to start for a compiler chain with `args`: [file, its arguments, argv[0] as the user spelled it]. */
export function commandOf(chain: CompilerChain, args: string[]): [string, string[], string] {
  const [first, ...rest] = chain.programs;
  return [first!.file, [...rest.map((p) => p.spelled), ...args], first!.spelled];
}

export type CachedBuild<M> = { ok: true; dir: string; meta: M } | { ok: false; error: string };

/**
 * The runtime cache shared by the dialects: `<cacheDir>/runtime/<key>/` holding `meta.json`, filled by `buildInto`
 * in a private directory and stored by an atomic rename (a concurrent build that wins is used instead); a failure
 * is remembered in `<key>.failed` for FAILURE_TTL_MS.
 */
export function cachedBuild<M>(
  cacheDir: string,
  key: string,
  buildInto: (tmp: string) => { ok: true; meta: M } | { ok: false; error: string },
): CachedBuild<M> {
  const root = join(cacheDir, 'runtime');
  const dir = join(root, key);
  const metaFile = join(dir, 'meta.json');
  if (existsSync(metaFile)) return { ok: true, dir, meta: JSON.parse(readFileSync(metaFile, 'utf8')) as M };
  const failed = join(root, `${key}.failed`);
  const failedAt = statSync(failed, { throwIfNoEntry: false });
  if (failedAt && Date.now() - failedAt.mtimeMs < FAILURE_TTL_MS) {
    return { ok: false, error: readFileSync(failed, 'utf8').trim() };
  }
  makeDirs(root);
  const tmp = join(root, `.tmp-${process.pid}-${crypto().randomBytes(6).toString('hex')}`);
  mkdirSync(tmp);
  let result: CachedBuild<M>;
  try {
    const built = buildInto(tmp);
    if (!built.ok) {
      result = built;
    } else {
      writeFileSync(join(tmp, 'meta.json'), JSON.stringify(built.meta));
      try {
        renameSync(tmp, dir);
      } catch {
        // Another compile won the race: use its build.
      }
      result = existsSync(metaFile)
        ? { ok: true, dir, meta: JSON.parse(readFileSync(metaFile, 'utf8')) as M }
        : { ok: false, error: `cannot store the runtime in ${dir}` };
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!result.ok) writeFileSync(failed, `${result.error}\n`);
  return result;
}

/** Returns the cached runtime for this compiler and target, building it first when needed. */
export function ensureRuntime(
  chain: CompilerChain,
  targetArgs: readonly string[],
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  self: Self,
): RuntimeResult {
  const srcDir = runtimeSourceDir(env);
  if (!srcDir) return { ok: false, error: 'runtime sources not found (set SPINCHECK_RUNTIME_SRC)' };
  const sources = readdirSync(srcDir).filter((n) => n.endsWith('.c')).sort();
  if (sources.length === 0) return { ok: false, error: `no runtime sources in ${srcDir}` };
  const key = runtimeKey(chain, targetArgs, srcDir);
  const r = cachedBuild<Meta>(cacheDir, key, (tmp) => build(chain, targetArgs, srcDir, sources, tmp, env, cwd, self));
  if (!r.ok) return r;
  const exports = existsSync(join(r.dir, EXPORTS)) ? [`-Wl,--dynamic-list=${join(r.dir, EXPORTS)}`] : [];
  return { ok: true, lib: { archive: join(r.dir, ARCHIVE), pull: [...r.meta.pull, ...exports], libs: r.meta.libs, weakStubs: exports.length > 0 } };
}

function build(
  chain: CompilerChain,
  targetArgs: readonly string[],
  srcDir: string,
  sources: string[],
  tmp: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  self: Self,
): { ok: true; meta: Meta } | { ok: false; error: string } {
  const [file, pre, argv0] = commandOf(chain, [...targetArgs, '-dumpmachine']);
  const dm = capture(file, pre, cwd, env);
  const triple = dm.status === 0 ? dm.stdout.trim() : '';
  const windows = /mingw|cygwin|windows|msys/.test(triple);
  const objects: string[] = [];
  for (const src of sources) {
    const obj = join(tmp, src.replace(/\.c$/, '.o'));
    const args = [...targetArgs, '-DSPINCHECK_RUNTIME', '-O2', '-g', ...(windows ? [] : ['-fPIC'])];
    args.push('-I', srcDir, '-c', join(srcDir, src), '-o', obj);
    const [f, a] = commandOf(chain, args);
    const r = capture(f, a, tmp, env);
    if (r.status !== 0) {
      const first = r.stderr.split('\n').find((l) => /error/.test(l)) ?? r.stderr.split('\n')[0] ?? '';
      return { ok: false, error: `cannot build the runtime with ${argv0}: ${src}: ${first.trim()}` };
    }
    objects.push(obj);
  }
  const ar = findArchiver(chain, triple, env, cwd, self);
  if (!ar) return { ok: false, error: 'cannot find an archiver (ar) for the runtime' };
  const r = capture(ar, ['rcs', join(tmp, ARCHIVE), ...objects], tmp, env);
  if (r.status !== 0) return { ok: false, error: `cannot archive the runtime: ${r.stderr.trim()}` };
  for (const o of objects) rmSync(o, { force: true });
  const elf = /linux|bsd|solaris|gnu/.test(triple) && !windows;
  if (elf) writeFileSync(join(tmp, EXPORTS), '{ spincheck_[a-z]*; };\n');
  return { ok: true, meta: { triple, pull: elf ? ['-Wl,-u,spincheck_runtime_present'] : [], libs: elf ? ['-lpthread', ...(/linux/.test(triple) ? ['-ldl'] : [])] : [] } };
}
