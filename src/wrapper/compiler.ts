// Finds the real compiler (and a ccache-like launcher in front of it) without ever finding spincheck itself (G25).
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { WrapperError } from './errors.js';

/** Launchers that take the compiler as their first argument (G24). */
const LAUNCHERS = new Set(['ccache', 'sccache', 'distcc', 'icecc', 'buildcache']);

/** The wrapper's own program names; any other name we are started as is a masquerade (`gcc` -> spincheck-cc). */
const OWN_NAMES = new Set(['spincheck-cc', 'spincheck-cc.js', 'spincheck-cc.ts', 'spincheck-cl', 'spincheck-cl.js', 'spincheck-cl.ts']);

/** How the wrapper names itself and its default compiler in messages (spincheck-cc / spincheck-cl). */
export interface ToolNames {
  tool: string;
  envVar: string;
  defaultCompiler: string;
  /** Options may start with `/` (cl): `/c` is never a program. */
  slashOptions?: boolean;
}

export const GCC_TOOL: ToolNames = { tool: 'spincheck-cc', envVar: 'SPINCHECK_CC', defaultCompiler: 'cc' };

export interface Program {
  /** As the user spelled it: becomes argv[0] (G22). */
  spelled: string;
  /** Absolute file to start. */
  file: string;
}

export interface CompilerChain {
  /** Launcher (ccache...) if any, then the compiler. */
  programs: Program[];
  /** True when a caching launcher runs the compiler: temp paths must then be content-addressed. */
  cached: boolean;
  kind: 'gcc' | 'clang';
  /** argv[0]'s base name without `.exe`, lower case (`cl`, `clang-cl`, `clang-cl-14`). */
  name: string;
  /** The arguments after the compiler. */
  args: string[];
}

export interface Self {
  /** The path this process was started as (process.argv[1]). */
  invokedAs: string;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isSelf(candidate: string, self: Self): boolean {
  return realpathOr(candidate) === realpathOr(self.invokedAs);
}

/** Looks a program name up on PATH, skipping spincheck's own directory and anything that is spincheck. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv, cwd: string, self: Self): string | null {
  if (name.includes('/')) {
    const abs = resolve(cwd, name);
    return isExecutableFile(abs) && !isSelf(abs, self) ? abs : null;
  }
  const ownDir = dirname(resolve(self.invokedAs));
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const absDir = resolve(cwd, dir);
    if (absDir === ownDir) continue;
    for (const candidate of withPathExt(join(absDir, name), env)) {
      if (isExecutableFile(candidate) && !isSelf(candidate, self)) return candidate;
    }
  }
  return null;
}

/** On Windows `cl` is `cl.exe` (PATHEXT); elsewhere the name as given. */
function withPathExt(file: string, env: NodeJS.ProcessEnv): string[] {
  if (process.platform !== 'win32' || /\.[^\\/.]+$/.test(file)) return [file];
  const exts = (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  return [file, ...exts.map((e) => `${file}${e.toLowerCase()}`)];
}

const SOURCE_OR_OBJECT = /\.(c|cc|cpp|cxx|c\+\+|C|i|ii|h|s|S|sx|o|obj|a|so|lib|dll|m|mm)$/;

/** The first executable named `name` on PATH, whatever it is. */
function firstOnPath(name: string, env: NodeJS.ProcessEnv, cwd: string): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(resolve(cwd, dir), name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/**
 * argv[0] for the program: as spelled (G22), unless a PATH lookup of that name would find spincheck's
 * masquerade first: gcc then locates its own cc1 through argv[0], so it gets the absolute path (same basename).
 */
function programFor(name: string, file: string, env: NodeJS.ProcessEnv, cwd: string): Program {
  if (name.includes('/')) return { spelled: name, file };
  return { spelled: firstOnPath(name, env, cwd) === file ? name : file, file };
}

/** Is this leading argument a program (not an option, not an input file)? */
function asProgram(arg: string | undefined, env: NodeJS.ProcessEnv, cwd: string, self: Self, names: ToolNames): Program | null {
  if (arg === undefined || arg.startsWith('-') || arg.startsWith('@') || SOURCE_OR_OBJECT.test(arg)) return null;
  // A cl option (`/c`, `/Fo...`) is never a program; an absolute program path has a second slash.
  if (names.slashOptions && /^\/[^/]*$/.test(arg)) return null;
  const file = findOnPath(arg, env, cwd, self);
  return file ? programFor(arg, file, env, cwd) : null;
}

function kindOf(program: Program): CompilerChain['kind'] {
  return /clang/.test(basename(program.spelled)) || /clang/.test(basename(realpathOr(program.file))) ? 'clang' : 'gcc';
}

function isLauncher(program: Program): boolean {
  const names = [basename(program.spelled), basename(realpathOr(program.file))];
  return names.some((n) => LAUNCHERS.has(n));
}

/**
 * Splits spincheck-cc's argv into the real compiler and its arguments: the first argument when it is a
 * program, else `fallback` (SPINCHECK_CC), else the name we were started as (masquerade), else `cc`.
 */
export function resolveCompiler(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  self: Self,
  fallback: string[] | null,
  names: ToolNames = GCC_TOOL,
): CompilerChain {
  const programs: Program[] = [];
  let rest = [...argv];
  const first = asProgram(rest[0], env, cwd, self, names);
  if (first) {
    programs.push(first);
    rest = rest.slice(1);
    if (isLauncher(first)) {
      const second = asProgram(rest[0], env, cwd, self, names);
      if (second) {
        programs.push(second);
        rest = rest.slice(1);
      }
    }
  } else {
    const invokedName = basename(self.invokedAs);
    const wanted = fallback ?? (OWN_NAMES.has(invokedName) ? [names.defaultCompiler] : [invokedName]);
    for (const name of wanted) {
      const file = findOnPath(name, env, cwd, self);
      if (!file) {
        if (name.includes('/') && isSelf(resolve(cwd, name), self)) {
          throw new WrapperError(`the real compiler '${name}' is ${names.tool} itself (set ${names.envVar})`);
        }
        // Status 127, as a shell reports a command it cannot find or run.
        throw new WrapperError(`cannot find the real compiler '${name}' on PATH (set ${names.envVar})`, 127);
      }
      programs.push(programFor(name, file, env, cwd));
    }
  }
  const last = programs[programs.length - 1]!;
  if (isAbsolute(last.file) && isSelf(last.file, self)) {
    throw new WrapperError(`the real compiler '${last.spelled}' is ${names.tool} itself (set ${names.envVar})`);
  }
  return {
    programs,
    cached: programs.some(isLauncher),
    kind: kindOf(last),
    name: basename(last.spelled).replace(/\.exe$/i, '').toLowerCase(),
    args: rest,
  };
}
