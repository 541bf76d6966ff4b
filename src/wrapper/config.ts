// Compile-time configuration: spincheck.config.json found from the working directory upwards, SPINCHECK_* over it.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { RoleConfig } from '../instrument/types.js';
import { WrapperError } from './errors.js';

export const CONFIG_FILE = 'spincheck.config.json';

export interface WrapperConfig {
  /** SPINCHECK_DISABLE / "disable": pure pass-through. */
  disable: boolean;
  /** SPINCHECK_STRICT / "strict": fail the compile instead of compiling a file unchanged. */
  strict: boolean;
  /** Absolute build-time data directory (site databases; the runtime's default output). */
  dataDir: string;
  /** Absolute cache directory (runtime archives, content-addressed copies for ccache). */
  cacheDir: string;
  /** The real compiler when the command does not name one (SPINCHECK_CC), split on blanks. */
  cc: string[] | null;
  /** spincheck-cl's real compiler when the command does not name one (SPINCHECK_CL, or "cl"), split on blanks. */
  cl: string[] | null;
  roles: RoleConfig;
  /** Which links get the runtime: executables with instrumented inputs (auto, the default), every executable
   *  (always: a harness that only dlopens instrumented modules), or none (SPINCHECK_RUNTIME=0). */
  linkRuntime: LinkRuntime;
  /** SPINCHECK_VERBOSE=1: one line per decision on stderr. */
  verbose: boolean;
  /** SPINCHECK_KEEP_TEMP=1: keep the private temp directory (debugging). */
  keepTemp: boolean;
  /** The config file used, if any. */
  file: string | null;
  /** Problems worth a warning that do not stop instrumentation (unknown keys in the config file). */
  warnings: string[];
}

export type LinkRuntime = 'auto' | 'always' | 'never';

interface ConfigFile {
  disable?: boolean;
  strict?: boolean;
  dataDir?: string;
  cacheDir?: string;
  cc?: string | string[];
  cl?: string | string[];
  linkRuntime?: boolean | 'always';
  roles?: RoleConfig;
}

/** The keys a config file may have (others are warned about: a typo must not silently do nothing). */
const CONFIG_KEYS: ReadonlySet<string> = new Set(['disable', 'strict', 'dataDir', 'cacheDir', 'cc', 'cl', 'linkRuntime', 'roles']);

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const low = v.trim().toLowerCase();
  if (TRUE.has(low)) return true;
  if (FALSE.has(low)) return false;
  throw new WrapperError(`${name}=${v}: expected 1, true, yes or on, or 0, false, no or off`);
}

function envList(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  return v.split(/[,\s]+/).filter(Boolean);
}

/** SPINCHECK_RUNTIME (always, or a boolean) over the file's linkRuntime (true, false or "always"). */
function linkRuntimeOf(env: NodeJS.ProcessEnv, fromFile: ConfigFile['linkRuntime'], file: string | null): LinkRuntime {
  const spec = env.SPINCHECK_RUNTIME?.trim().toLowerCase() === 'always' ? 'always' : (envBool(env, 'SPINCHECK_RUNTIME') ?? fromFile ?? true);
  if (spec === 'always') return 'always';
  if (typeof spec !== 'boolean') throw new WrapperError(`${file}: linkRuntime: expected true, false or "always"`);
  return spec ? 'auto' : 'never';
}

/** Finds spincheck.config.json in `cwd` or a parent directory. */
export function findConfigFile(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE);
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function readConfigFile(path: string): ConfigFile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new WrapperError(`${path}: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new WrapperError(`${path}: expected a JSON object`);
  }
  return data as ConfigFile;
}

/** Default cache directory: $SPINCHECK_CACHE_DIR, $XDG_CACHE_HOME/spincheck, ~/.cache/spincheck. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'spincheck');
  return join(env.HOME || homedir(), '.cache', 'spincheck');
}

/** Loads the configuration for a compile run in `cwd`. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string): WrapperConfig {
  const file = env.SPINCHECK_CONFIG ? resolve(cwd, env.SPINCHECK_CONFIG) : findConfigFile(cwd);
  const fromFile: ConfigFile = file ? readConfigFile(file) : {};
  const base = file ? dirname(file) : cwd;
  const roles: RoleConfig = { ...(fromFile.roles ?? {}) };
  const dispatch = envList(env, 'SPINCHECK_DISPATCH');
  const cancel = envList(env, 'SPINCHECK_CANCEL');
  const all = envBool(env, 'SPINCHECK_ALL_FUNCTIONS');
  if (dispatch) roles.dispatch = dispatch;
  if (cancel) roles.cancel = cancel;
  if (all !== undefined) roles.allFunctions = all;
  const ccSpec = env.SPINCHECK_CC ?? fromFile.cc;
  const cc = ccSpec === undefined ? null : Array.isArray(ccSpec) ? ccSpec : ccSpec.split(/\s+/).filter(Boolean);
  const clSpec = env.SPINCHECK_CL ?? fromFile.cl;
  const cl = clSpec === undefined ? null : Array.isArray(clSpec) ? clSpec : clSpec.split(/\s+/).filter(Boolean);
  return {
    disable: envBool(env, 'SPINCHECK_DISABLE') ?? fromFile.disable ?? false,
    strict: envBool(env, 'SPINCHECK_STRICT') ?? fromFile.strict ?? false,
    dataDir: env.SPINCHECK_DIR
      ? resolve(cwd, env.SPINCHECK_DIR)
      : fromFile.dataDir
        ? resolve(base, fromFile.dataDir)
        : join(cwd, '.spincheck'),
    cacheDir: env.SPINCHECK_CACHE_DIR
      ? resolve(cwd, env.SPINCHECK_CACHE_DIR)
      : fromFile.cacheDir
        ? resolve(base, fromFile.cacheDir)
        : defaultCacheDir(env),
    cc: cc && cc.length > 0 ? cc : null,
    cl: cl && cl.length > 0 ? cl : null,
    roles,
    linkRuntime: linkRuntimeOf(env, fromFile.linkRuntime, file),
    verbose: envBool(env, 'SPINCHECK_VERBOSE') ?? false,
    keepTemp: envBool(env, 'SPINCHECK_KEEP_TEMP') ?? false,
    file,
    warnings: Object.keys(fromFile)
      .filter((k) => !CONFIG_KEYS.has(k))
      .map((k) => `${file}: unknown key '${k}' ignored (known: ${[...CONFIG_KEYS].join(', ')})`),
  };
}
