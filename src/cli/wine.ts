// `spincheck run` on Linux with a Windows program (a harness built with mingw-w64): run it under Wine, in a
// prefix kept in spincheck's cache directory and created once (docs/kernel-model.md, "Running under Wine").
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { defaultCacheDir, loadConfig } from '../wrapper/config.js';
import { makeDirs } from '../io/make-dirs.js';

export interface Launch {
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** Why a Windows program cannot be started here (printed by run.ts). */
export class WineError extends Error {}

/** Marker written into a prefix once `wineboot --init` finished in it. */
const READY = '.spincheck-prefix-ready';

/** IMAGE_FILE_MACHINE_I386: a 32-bit x86 program. */
const MACHINE_I386 = 0x14c;

/** True when `file` names a Windows program: an `.exe`, or a file starting with a PE image's MZ header. */
export function isWindowsProgram(file: string, cwd: string, env: NodeJS.ProcessEnv): boolean {
  return /\.exe$/i.test(file) || peMachine(file, cwd, env) !== null;
}

/** The machine field of a PE image's file header, or null for anything else (or a file not found). */
function peMachine(file: string, cwd: string, env: NodeJS.ProcessEnv): number | null {
  const path = locate(file, cwd, env);
  if (path === null) return null;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(64);
    if (readSync(fd, head, 0, 64, 0) < 64 || head.toString('latin1', 0, 2) !== 'MZ') return null;
    const pe = Buffer.alloc(6);
    const ok = readSync(fd, pe, 0, 6, head.readUInt32LE(60)) === 6 && pe.toString('latin1', 0, 4) === 'PE\0\0';
    return ok ? pe.readUInt16LE(4) : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A 32-bit program needs Wine's 32-bit half in the prefix. Without it (Debian's wine64 alone) Wine prints an error
 * and exits 0 without running the program, which would pass as a clean run.
 */
function checkRuns32Bit(cmd: string, prefix: string): void {
  if (existsSync(join(prefix, 'drive_c', 'windows', 'syswow64', 'ntdll.dll'))) return;
  throw new WineError(
    `${cmd} is a 32-bit Windows program and the Wine prefix ${prefix} cannot run 32-bit programs ` +
      '(Debian: dpkg --add-architecture i386 && apt-get update && apt-get install wine32:i386, then remove the prefix: it is created again)',
  );
}

/** The file a command name starts: a path as given, else the first match on PATH. */
function locate(file: string, cwd: string, env: NodeJS.ProcessEnv): string | null {
  if (file.includes('/')) return existsSync(resolve(cwd, file)) ? resolve(cwd, file) : null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, file))) return join(dir, file);
  }
  return null;
}

/** The Wine loader: $SPINCHECK_WINE, else wine64, else wine (on PATH, or Debian's /usr/lib/wine/wine64). */
export function findWine(env: NodeJS.ProcessEnv, cwd: string): string | null {
  if (env.SPINCHECK_WINE) return env.SPINCHECK_WINE;
  for (const name of ['wine64', 'wine']) {
    const found = locate(name, cwd, env);
    if (found) return found;
  }
  return existsSync('/usr/lib/wine/wine64') ? '/usr/lib/wine/wine64' : null;
}

/** The prefix: $WINEPREFIX when the user set one, else `<spincheck cache>/wine-prefix`. */
export function winePrefix(env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.WINEPREFIX) return resolve(cwd, env.WINEPREFIX);
  let cache: string;
  try {
    cache = loadConfig(env, cwd).cacheDir;
  } catch {
    cache = defaultCacheDir(env);
  }
  return join(cache, 'wine-prefix');
}

/** A Windows path of a program that ran under wine as a local path, through the prefix's drive links
 *  (`dosdevices/c:` -> drive_c, `z:` -> /); null when it is no drive path or spincheck runs on Windows. */
export function wineLocalPath(path: string, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const m = /^([a-zA-Z]):[\\/](.*)$/.exec(path);
  if (!m || process.platform === 'win32') return null;
  return join(winePrefix(env, cwd), 'dosdevices', `${(m[1] as string).toLowerCase()}:`, ...(m[2] as string).split(/[\\/]/));
}

/** Creates the prefix once (`wineboot --init`), serialised between concurrent runs by a lock directory. */
async function ensurePrefix(wine: string, prefix: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (existsSync(join(prefix, READY))) return;
  const lock = `${prefix}.lock`;
  makeDirs(join(prefix, '..'));
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(join(prefix, READY))) return;
      // A lock older than five minutes was left by a killed run.
      const st = statSync(lock, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new WineError(`timed out waiting for another run to create the Wine prefix ${prefix}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (existsSync(join(prefix, READY))) return;
    const { execa } = await import('execa');
    // No Mono or Gecko prompts: the harness needs neither.
    const boot = await execa(wine, ['wineboot', '--init'], {
      env: { ...env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' },
      extendEnv: false,
      reject: false,
      all: true,
    });
    if (boot.exitCode !== 0) throw new WineError(`cannot create the Wine prefix ${prefix} (${wine} wineboot --init): ${boot.all ?? boot.shortMessage}`);
    writeFileSync(join(prefix, READY), `${new Date().toISOString()}\n`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * How `spincheck run` starts `cmd`: unchanged, or, for a Windows program on a non-Windows host, under Wine
 * with WINEPREFIX (created once) and WINEDEBUG=-all unless the user set them.
 */
export async function launchFor(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Launch> {
  if (process.platform === 'win32' || !isWindowsProgram(cmd, cwd, env)) return { cmd, args, env };
  const wine = findWine(env, cwd);
  if (wine === null) {
    throw new WineError(`${cmd} is a Windows program and Wine is not installed (Debian: apt-get install wine64; or set SPINCHECK_WINE)`);
  }
  const prefix = winePrefix(env, cwd);
  await ensurePrefix(wine, prefix, env);
  if (peMachine(cmd, cwd, env) === MACHINE_I386) checkRuns32Bit(cmd, prefix);
  return { cmd: wine, args: [cmd, ...args], env: { ...env, WINEPREFIX: prefix, WINEDEBUG: env.WINEDEBUG ?? '-all' } };
}
