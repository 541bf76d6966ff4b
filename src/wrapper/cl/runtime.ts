// The runtime as a cl library: built per compiler, target and C runtime variant (/MT, /MD, debug) with the user's
// own cl or clang-cl, archived with lib / llvm-lib, cached like the gcc archive (runtime-lib.ts: cachedBuild).
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CompilerChain, Self } from '../compiler.js';
import { findOnPath } from '../compiler.js';
import { capture } from '../exec.js';
import { cachedBuild, commandOf, runtimeKey, runtimeSourceDir } from '../runtime-lib.js';
import type { Crt } from './flags.js';

/** Bump when the way the cl runtime is compiled changes: it is part of the cache key. */
const RECIPE = 'spincheck-cl-runtime-recipe-1';

interface ClMeta {
  crt: Crt;
  lib: string;
}

export type ClRuntimeResult = { ok: true; lib: string } | { ok: false; error: string };

/** File name of the library for a C runtime variant: spincheck_mt.lib, spincheck_mdd.lib... */
export function clRuntimeName(crt: Crt): string {
  return `spincheck_${crt.toLowerCase()}.lib`;
}

/** The librarian that goes with the compiler: lib.exe beside cl, llvm-lib (same version suffix) for clang-cl. */
function findLibrarian(chain: CompilerChain, env: NodeJS.ProcessEnv, cwd: string, self: Self): string | null {
  const compiler = chain.programs[chain.programs.length - 1]!;
  const version = /(-[\d.]+)$/.exec(chain.name)?.[1] ?? '';
  const names = chain.kind === 'clang' ? [`llvm-lib${version}`, 'llvm-lib', 'lib'] : ['lib', 'llvm-lib'];
  const dir = dirname(compiler.file);
  for (const n of names) {
    for (const candidate of [join(dir, n), join(dir, `${n}.exe`)]) {
      const found = findOnPath(candidate, env, cwd, self);
      if (found) return found;
    }
  }
  for (const n of names) {
    const found = findOnPath(n, env, cwd, self);
    if (found) return found;
  }
  return null;
}

/**
 * Returns the runtime library for this compiler, target options and C runtime, building it first when needed.
 * `targetArgs` starts with the /M* option of the command (see parseClArgs).
 */
export function ensureClRuntime(
  chain: CompilerChain,
  crt: Crt,
  targetArgs: readonly string[],
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  self: Self,
): ClRuntimeResult {
  const srcDir = runtimeSourceDir(env);
  if (!srcDir) return { ok: false, error: 'runtime sources not found (set SPINCHECK_RUNTIME_SRC)' };
  const sources = readdirSync(srcDir).filter((n) => n.endsWith('.c')).sort();
  if (sources.length === 0) return { ok: false, error: `no runtime sources in ${srcDir}` };
  const key = runtimeKey(chain, [RECIPE, ...targetArgs], srcDir);
  const r = cachedBuild<ClMeta>(cacheDir, key, (tmp) => {
    const objects: string[] = [];
    for (const src of sources) {
      const obj = join(tmp, src.replace(/\.c$/, '.obj'));
      // Sources by bare name from their own directory: an absolute POSIX path would read as a cl option.
      const args = [...targetArgs, '/nologo', '/c', '/O2', '/Z7', '/DSPINCHECK_RUNTIME', `/Fo${obj}`, src];
      const [f, a, argv0] = commandOf(chain, args);
      const out = capture(f, a, srcDir, env);
      if (out.status !== 0) {
        const text = `${out.stdout}\n${out.stderr}`;
        const first = text.split('\n').find((l) => /error/i.test(l)) ?? text.trim().split('\n')[0] ?? '';
        return { ok: false, error: `cannot build the runtime with ${argv0}: ${src}: ${first.trim()}` };
      }
      objects.push(obj);
    }
    const librarian = findLibrarian(chain, env, cwd, self);
    if (!librarian) return { ok: false, error: 'cannot find lib or llvm-lib for the runtime library' };
    const lib = clRuntimeName(crt);
    const out = capture(librarian, ['/nologo', `/out:${join(tmp, lib)}`, ...objects], tmp, env);
    if (out.status !== 0) return { ok: false, error: `cannot archive the runtime with ${basename(librarian)}: ${(out.stdout + out.stderr).trim()}` };
    return { ok: true, meta: { crt, lib } };
  });
  if (!r.ok) return r;
  return { ok: true, lib: join(r.dir, r.meta.lib) };
}
