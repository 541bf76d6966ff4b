// `spincheck doctor`: what spincheck uses on this machine (launcher or Node, warm server, compilers, runtime, data
// directory) and what to do about anything missing; --build-launcher builds the native launcher now.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLauncher, installOverStub, launcherPlace, launcherState } from '../launcher/native.js';
import type { LauncherPlace } from '../launcher/native.js';
import { findOnPath } from '../wrapper/compiler.js';
import { loadConfig } from '../wrapper/config.js';
import { RUNS_DIR } from '../model/format.js';
import { runtimeSourceDir } from '../wrapper/runtime-lib.js';
import { flag, parseArgs } from './args.js';
import type { CliEnv } from './report.js';
import { toolVersion } from './report.js';

/** Compilers spincheck wraps, by the wrapper that wraps them. */
const COMPILERS: ReadonlyArray<{ what: string; names: string[] }> = [
  { what: 'host compilers (spincheck-cc)', names: ['cc', 'gcc', 'clang'] },
  { what: 'mingw-w64 (spincheck-cc)', names: ['x86_64-w64-mingw32-gcc', 'i686-w64-mingw32-gcc'] },
  { what: 'MSVC-style (spincheck-cl)', names: ['cl', 'clang-cl'] },
];

interface Line {
  what: string;
  state: string;
  /** What to do, when something is missing. */
  todo?: string;
}

/** dist/bin of this installation (the entry point's directory; chunks sit one level below). */
function distBin(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return existsSync(join(here, 'spincheck-cc.js')) ? here : dirname(here);
}

function launcherLine(place: LauncherPlace): Line {
  const state = launcherState(place);
  const what = 'spincheck-cc';
  if (state.kind === 'installed') return { what, state: `native launcher (${state.file})` };
  if (state.kind === 'cached') {
    return {
      what,
      state: `Node stub, then the native launcher ${state.file} (the package is not writable by this user)`,
      todo: `each compile pays one Node start-up first: put a symlink named spincheck-cc to ${state.file} first on PATH, or install spincheck where you can write`,
    };
  }
  if (state.kind === 'unavailable') {
    return { what, state: `Node per compile: ${state.reason}`, todo: 'install a C compiler (cc), then run: spincheck doctor --build-launcher' };
  }
  if (process.platform === 'win32') return { what, state: 'Node per compile (Windows: npm runs it through its .cmd shim)' };
  return { what, state: 'native launcher not built yet (the first compile builds it)', todo: 'or build it now: spincheck doctor --build-launcher' };
}

/** The launcher's per-user socket directory, as src/launcher/spincheck-cc.c chooses it: in $XDG_RUNTIME_DIR, else
 *  $TMPDIR, else /tmp, the first that exists. */
function socketDir(env: NodeJS.ProcessEnv): string {
  const uid = process.getuid?.() ?? 0;
  const candidates: Array<[string | undefined, string]> = [
    [env.XDG_RUNTIME_DIR, 'spincheck'],
    [env.TMPDIR, `spincheck-${uid}`],
    ['/tmp', `spincheck-${uid}`],
  ];
  const [parent, name] = candidates.find(([p]) => p && statSync(p, { throwIfNoEntry: false })?.isDirectory()) ?? candidates[2]!;
  return join(parent!, name);
}

function listening(path: string): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });
}

async function serverLine(place: LauncherPlace, env: NodeJS.ProcessEnv): Promise<Line> {
  const what = 'warm server';
  if (process.platform === 'win32') return { what, state: 'not used on Windows' };
  if (/^(0|off|no|false)$/i.test(env.SPINCHECK_SERVER ?? '')) return { what, state: 'off (SPINCHECK_SERVER)' };
  const sock = join(socketDir(env), `cc-${place.buildId}.sock`);
  if (await listening(sock)) return { what, state: `running (${sock})` };
  return { what, state: `not running (started by the next compile through the launcher; socket ${sock})` };
}

function compilerLines(env: NodeJS.ProcessEnv, cwd: string): Line[] {
  const self = { invokedAs: join(distBin(), 'spincheck') };
  return COMPILERS.map(({ what, names }) => {
    const found = names.map((n) => [n, findOnPath(n, env, cwd, self)] as const).filter(([, p]) => p);
    return found.length > 0 ? { what, state: found.map(([n, p]) => `${n} (${p})`).join(', ') } : { what, state: `none of ${names.join(', ')} on PATH` };
  });
}

/** The parser's native addons (tree-sitter, tree-sitter-c): npm's prebuilt ones need a recent C++ library. */
function parserLine(): Line {
  const require = createRequire(import.meta.url);
  const what = 'parser';
  try {
    require('tree-sitter');
    require('tree-sitter-c');
    return { what, state: `tree-sitter loads (${dirname(require.resolve('tree-sitter/package.json'))})` };
  } catch (e) {
    // npm rebuild works in the project whose node_modules holds tree-sitter: the user's own when npm hoisted it.
    const project = dirname(dirname(dirname(require.resolve('tree-sitter/package.json'))));
    return {
      what,
      state: `tree-sitter does not load: ${(e as Error).message.split('\n')[0]} (no file can be instrumented)`,
      todo: `rebuild it from source: cd ${project} && npm rebuild tree-sitter (needs python3, make, a C++ compiler; --nodedir=DIR where nodejs.org is unreachable)`,
    };
  }
}

function runtimeLine(cacheDir: string, env: NodeJS.ProcessEnv): Line {
  const src = runtimeSourceDir(env);
  if (!src) return { what: 'runtime', state: 'sources missing', todo: 'reinstall spincheck (src/runtime-c is part of the package)' };
  const root = join(cacheDir, 'runtime');
  const entries = existsSync(root) ? readdirSync(root) : [];
  const built = entries.filter((e) => existsSync(join(root, e, 'meta.json'))).length;
  const failed = entries.filter((e) => e.endsWith('.failed'));
  const state = `sources ${src}; ${built} build(s) cached in ${root}${built === 0 ? ' (the first instrumented link builds one)' : ''}`;
  return failed.length > 0
    ? { what: 'runtime', state: `${state}; ${failed.length} failed build(s)`, todo: `see ${join(root, failed[0]!)} (retried after 10 minutes)` }
    : { what: 'runtime', state };
}

function dataLine(dataDir: string): Line {
  const st = statSync(dataDir, { throwIfNoEntry: false });
  if (!st) return { what: 'data directory', state: `${dataDir} (not created yet: the first instrumented compile creates it)` };
  const sites = existsSync(join(dataDir, 'sites')) ? readdirSync(join(dataDir, 'sites')).length : 0;
  const runs = existsSync(join(dataDir, RUNS_DIR)) ? readdirSync(join(dataDir, 'runs')).length : 0;
  return {
    what: 'data directory',
    state: `${dataDir} (${sites} site file(s), ${runs} run file(s))`,
    ...(runs === 0 && sites > 0 ? { todo: 'run the instrumented tests, then: spincheck report' } : {}),
  };
}

export async function doctorCommand(io: CliEnv): Promise<number> {
  const args = parseArgs(io.argv, { 'build-launcher': {} });
  const place = launcherPlace(distBin(), io.env);
  if (flag(args, 'build-launcher')) {
    rmSync(place.failed, { force: true });
    const built = buildLauncher(place, io.env);
    if (!built.ok) {
      io.stderr(`spincheck: ${built.busy ? `another process is building ${place.file}` : built.reason}\n`);
      return 1;
    }
    io.stdout(installOverStub(place) ? `spincheck-cc: native launcher installed (${join(place.distBin, 'spincheck-cc')})\n` : `spincheck-cc: native launcher built (${built.file})\n`);
    return 0;
  }
  const config = loadConfig(io.env, io.cwd);
  const lines: Line[] = [
    { what: 'spincheck', state: `${toolVersion()} (${place.distBin}), Node ${process.version} (${process.execPath})` },
    launcherLine(place),
    await serverLine(place, io.env),
    parserLine(),
    ...compilerLines(io.env, io.cwd),
    runtimeLine(config.cacheDir, io.env),
    dataLine(config.dataDir),
  ];
  const width = Math.max(...lines.map((l) => l.what.length));
  for (const l of lines) {
    io.stdout(`${l.what.padEnd(width)}  ${l.state}\n`);
    if (l.todo) io.stdout(`${' '.repeat(width)}  -> ${l.todo}\n`);
  }
  return 0;
}
