// The native spincheck-cc launcher, compiled on first use into a per-user cache (atomically, one builder at a time).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:process';
import { dirname, join, resolve } from 'node:path';
import { defaultCacheDir } from '../wrapper/config.js';
import { makeDirs } from '../io/make-dirs.js';

/** The bin entry npm links: a Node stub in the package, a launcher script once the launcher is installed. */
export const BIN_ENTRY = 'spincheck-cc';
/** The launcher's copy in the package (made on first use, never packed). */
export const NATIVE = 'spincheck-cc-native';
/** A build lock older than this belongs to a builder that died: taken over. */
const LOCK_STALE_MS = 60_000;

export interface LauncherPlace {
  /** dist/bin of the installed package (the Node entry points). */
  distBin: string;
  /** The launcher's C source in the package. */
  source: string;
  /** The cached executable for this version, platform and installation. */
  file: string;
  /** Written when the launcher cannot be built here (holds the reason): Node runs each compile. */
  failed: string;
  /** Taken (O_EXCL) by the one process building it. */
  lock: string;
  /** Identifies these bundles in this place: a launcher only talks to a warm server of the same build. */
  buildId: string;
}

export type LauncherState =
  | { kind: 'installed'; file: string } // the bin entry is the native launcher
  | { kind: 'cached'; file: string } // built in the cache; the bin entry is still the Node stub (package not writable)
  | { kind: 'unavailable'; reason: string } // cannot be built here: Node per compile
  | { kind: 'not-built' };

/** The package's version from its package.json (two levels above dist/bin). */
function packageVersion(distBin: string): string {
  try {
    return (JSON.parse(readFileSync(join(distBin, '..', '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0';
  } catch {
    return '0';
  }
}

/** Hash of the bundles (not the bin entry, which changes when the launcher is installed over it), their place, Node. */
function buildId(distBin: string): string {
  const hash = createHash('sha256').update(resolve(distBin));
  const files = readdirSync(distBin, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.js'))
    .map((d) => join(d.parentPath, d.name))
    .sort();
  for (const f of files) hash.update(f).update(readFileSync(f));
  hash.update(process.execPath);
  return hash.digest('hex').slice(0, 16);
}

/** Cache directory of launchers: $SPINCHECK_CACHE_DIR/launcher, else the per-user cache (XDG, ~/.cache). */
export function launcherCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.SPINCHECK_CACHE_DIR ? resolve(env.SPINCHECK_CACHE_DIR) : defaultCacheDir(env), 'launcher');
}

/** Where the launcher of the package whose dist/bin is `distBin` lives, keyed by version, platform and installation. */
export function launcherPlace(distBin: string, env: NodeJS.ProcessEnv): LauncherPlace {
  const source = join(distBin, '..', '..', 'src', 'launcher', 'spincheck-cc.c');
  const id = buildId(distBin);
  const sourceHash = existsSync(source) ? createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 8) : 'none';
  const name = `spincheck-cc-${packageVersion(distBin)}-${platform}-${arch}-${id}-${sourceHash}`;
  const dir = launcherCacheDir(env);
  return { distBin, source, file: join(dir, name), failed: join(dir, `${name}.failed`), lock: join(dir, `${name}.lock`), buildId: id };
}

/** True if the bin entry is the launcher script (not the packed Node stub). */
function isLauncherScript(path: string): boolean {
  const head = Buffer.alloc(10);
  try {
    const fd = openSync(path, 'r');
    try {
      return readSync(fd, head, 0, 10, 0) === 10 && head.toString('latin1') === '#!/bin/sh\n';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** What spincheck-cc runs here, without building anything. */
export function launcherState(place: LauncherPlace): LauncherState {
  const native = join(place.distBin, NATIVE);
  if (isLauncherScript(join(place.distBin, BIN_ENTRY)) && existsSync(native)) return { kind: 'installed', file: native };
  if (existsSync(place.file)) return { kind: 'cached', file: place.file };
  if (existsSync(place.failed)) return { kind: 'unavailable', reason: readFileSync(place.failed, 'utf8').trim() };
  return { kind: 'not-built' };
}

/** Takes the build lock; false when another live process holds it. */
function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      const st = statSync(lock, { throwIfNoEntry: false });
      if (!st || Date.now() - st.mtimeMs < LOCK_STALE_MS) return false;
      rmSync(lock, { force: true });
    }
  }
  return false;
}

/** Compilers tried for the launcher: $SPINCHECK_LAUNCHER_CC alone when set, else cc, gcc, clang. */
function launcherCompilers(env: NodeJS.ProcessEnv): string[] {
  return env.SPINCHECK_LAUNCHER_CC ? [env.SPINCHECK_LAUNCHER_CC] : ['cc', 'gcc', 'clang'];
}

export type BuildResult =
  | { ok: true; file: string }
  | { ok: false; busy: true } // another process is building it: Node does this compile
  | { ok: false; busy: false; reason: string; firstFailure: boolean };

/** Builds the launcher into the cache: compiled to a private temp name, renamed into place (readers never see a
 *  partial file); one builder at a time (the others do not wait). A failure is recorded once, with its reason. */
export function buildLauncher(place: LauncherPlace, env: NodeJS.ProcessEnv): BuildResult {
  if (existsSync(place.file)) return { ok: true, file: place.file };
  const unavailable = (reason: string): BuildResult => {
    let firstFailure = false;
    try {
      writeFileSync(place.failed, `${reason}\n`, { flag: 'wx' });
      firstFailure = true;
    } catch {
      // recorded by an earlier or a concurrent attempt
    }
    return { ok: false, busy: false, reason, firstFailure };
  };
  if (platform === 'win32') return { ok: false, busy: false, reason: 'no native launcher on Windows', firstFailure: false };
  if (env.SPINCHECK_NO_LAUNCHER) return { ok: false, busy: false, reason: 'SPINCHECK_NO_LAUNCHER is set', firstFailure: false };
  if (existsSync(place.failed)) return { ok: false, busy: false, reason: readFileSync(place.failed, 'utf8').trim(), firstFailure: false };
  try {
    makeDirs(dirname(place.file));
  } catch (e) {
    return { ok: false, busy: false, reason: `cannot create ${dirname(place.file)}: ${(e as Error).message}`, firstFailure: false };
  }
  if (!existsSync(place.source)) return unavailable(`${place.source} is missing`);
  if (!takeLock(place.lock)) return { ok: false, busy: true };
  try {
    const temp = `${place.file}.${process.pid}.tmp`;
    const defines = [
      `-DSPINCHECK_BUILD_ID="${place.buildId}"`,
      `-DSPINCHECK_NODE=${JSON.stringify(process.execPath)}`,
      `-DSPINCHECK_DIST=${JSON.stringify(resolve(place.distBin))}`,
    ];
    const errors: string[] = [];
    for (const cc of launcherCompilers(env)) {
      const r = spawnSync(cc, ['-std=c99', '-O2', ...defines, '-o', temp, place.source], { stdio: 'pipe', encoding: 'utf8' });
      if (r.status === 0) {
        chmodSync(temp, 0o755);
        renameSync(temp, place.file);
        return { ok: true, file: place.file };
      }
      rmSync(temp, { force: true });
      errors.push(r.error ? `${cc}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}` : `${cc}: ${(r.stderr.split('\n')[0] ?? '').trim() || `exit ${r.status}`}`);
    }
    return unavailable(`no C compiler built the launcher (${errors.join('; ')})`);
  } finally {
    rmSync(place.lock, { force: true });
  }
}

/** Single-quoted for sh. */
const shQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** The bin entry once the launcher is installed: a file both sh and Node run. sh (the kernel reads its #!) execs
 *  the launcher beside it; a Node that was started on the old stub a moment before the rename reads the same file
 *  as JS (the sh lines are a string and a comment) and goes on as the stub would. */
export function launcherScript(distBin: string): string {
  const native = shQuote(join(resolve(distBin), NATIVE));
  const start = shQuote(join(resolve(distBin), 'spincheck-cc-start.js'));
  return [
    '#!/bin/sh',
    `":" //; [ -x ${native} ] && SPINCHECK_SELF="$0" exec ${native} "$@"`,
    `":" //; SPINCHECK_SELF="$0" exec node ${start} "$@"`,
    "import('./spincheck-cc-start.js');",
    '',
  ].join('\n');
}

/** Copies the cached launcher into the package (NATIVE) and puts the launcher script over the Node stub, each by
 *  temp + rename, so later compiles start it at once; false where the package is not writable by this user. */
export function installOverStub(place: LauncherPlace): boolean {
  const temps = [join(place.distBin, `.${NATIVE}.${process.pid}.tmp`), join(place.distBin, `.${BIN_ENTRY}.${process.pid}.tmp`)] as const;
  try {
    copyFileSync(place.file, temps[0]);
    chmodSync(temps[0], 0o755);
    renameSync(temps[0], join(place.distBin, NATIVE));
    writeFileSync(temps[1], launcherScript(place.distBin), { mode: 0o755 });
    chmodSync(temps[1], 0o755);
    renameSync(temps[1], join(place.distBin, BIN_ENTRY));
    return true;
  } catch {
    for (const t of temps) rmSync(t, { force: true });
    return false;
  }
}
