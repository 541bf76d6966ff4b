#!/usr/bin/env node
// Fetches Debian source packages (bookworm) into a cache with a private apt configuration, and unpacks them.
//
//   node scripts/fetch-deb-source.mjs [--unpack DIR] PACKAGE...
//
// Prints one JSON line per package: {"package", "dsc", "dir"} (dir only with --unpack). The downloads are kept
// in $SPINCHECK_DEB_CACHE (default: ~/.cache/spincheck/deb-src) and reused; the mirror is the one this machine's
// own apt sources name. Nothing of the system's apt state is touched. Exit status 2: apt or dpkg-source missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const SUITE = 'bookworm';
/** Package lists older than this are refreshed. */
const LISTS_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export function cacheRoot(env = process.env) {
  if (env.SPINCHECK_DEB_CACHE) return resolve(env.SPINCHECK_DEB_CACHE);
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'spincheck', 'deb-src');
}

/** The Debian mirror this machine uses: the first http(s) URI of a Debian archive in /etc/apt/sources.list*. */
export function systemMirror() {
  const files = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) {
      if (/\.(list|sources)$/.test(f)) files.push(join('/etc/apt/sources.list.d', f));
    }
  }
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const line of text.split('\n')) {
      const l = line.replace(/#.*/, '').trim();
      const one = /^deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?(https?:\/\/\S+)/.exec(l);
      const deb822 = /^URIs:\s*(https?:\/\/\S+)/i.exec(l);
      const uri = one?.[1] ?? deb822?.[1];
      if (uri && /\/debian\/?$/.test(uri)) return uri.replace(/\/$/, '');
    }
  }
  throw new Error('no Debian archive found in /etc/apt/sources.list*');
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Writes the private apt configuration (idempotent); returns the -o options that select it. */
export function aptOptions(root = cacheRoot()) {
  const apt = join(root, 'apt');
  for (const d of ['state/lists/partial', 'cache/archives/partial', 'etc/sources.list.d', 'etc/preferences.d']) {
    mkdirSync(join(apt, d), { recursive: true });
  }
  const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
  const signed = existsSync(keyring) ? `[signed-by=${keyring}] ` : '';
  const line = `deb-src ${signed}${systemMirror()} ${SUITE} main\n`;
  const sources = join(apt, 'etc/sources.list');
  if (!existsSync(sources) || readFileSync(sources, 'utf8') !== line) writeFileSync(sources, line);
  writeFileSync(join(apt, 'etc/status'), '');
  return [
    `Dir::State=${join(apt, 'state')}`,
    `Dir::State::status=${join(apt, 'etc/status')}`,
    `Dir::Cache=${join(apt, 'cache')}`,
    `Dir::Etc::sourcelist=${sources}`,
    `Dir::Etc::sourceparts=${join(apt, 'etc/sources.list.d')}`,
    `Dir::Etc::preferencesparts=${join(apt, 'etc/preferences.d')}`,
    'APT::Sandbox::User=root',
    'Acquire::Retries=3',
    'Debug::NoLocking=1',
  ].flatMap((o) => ['-o', o]);
}

function listsFresh(root) {
  const lists = join(root, 'apt/state/lists');
  if (!existsSync(lists)) return false;
  const sourcesIndex = readdirSync(lists).filter((f) => /_source_Sources/.test(f));
  if (sourcesIndex.length === 0) return false;
  return Date.now() - statSync(join(lists, sourcesIndex[0])).mtimeMs < LISTS_MAX_AGE_MS;
}

/** Downloads (or finds in the cache) the source package; returns the path of its .dsc. */
export function fetchSource(pkg, root = cacheRoot()) {
  if (!/^[a-z0-9][a-z0-9+.-]+$/.test(pkg)) throw new Error(`not a package name: ${pkg}`);
  const dir = join(root, 'pkg', pkg);
  const findDsc = () => (existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.dsc')) : undefined);
  const cached = findDsc();
  if (cached) return join(dir, cached);
  return withLock(root, () => {
    const again = findDsc();
    if (again) return join(dir, again);
    const opts = aptOptions(root);
    if (!listsFresh(root)) run('apt-get', [...opts, '-qq', 'update']);
    return download(pkg, dir, opts, findDsc);
  });
}

/** One fetch at a time per cache (parallel test files share it). */
function withLock(root, fn) {
  const lock = join(root, 'lock');
  mkdirSync(root, { recursive: true });
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than 30 minutes was left by a killed run.
      const st = statSync(lock, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 30 * 60 * 1000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function download(pkg, dir, opts, findDsc) {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run('apt-get', [...opts, '-qq', 'source', '--download-only', pkg], { cwd: tmp });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  const dsc = findDsc();
  if (!dsc) throw new Error(`apt-get source ${pkg} left no .dsc`);
  return join(dir, dsc);
}

/** Unpacks a .dsc into `target` (created; must not exist) with dpkg-source -x. */
export function unpack(dsc, target) {
  run('dpkg-source', ['--no-check', '--skip-debianization', '-x', dsc, target], { cwd: join(target, '..') });
  return target;
}

function main(argv) {
  let unpackDir;
  const pkgs = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--unpack') unpackDir = argv[++i];
    else pkgs.push(argv[i]);
  }
  if (pkgs.length === 0) {
    console.error('usage: fetch-deb-source.mjs [--unpack DIR] PACKAGE...');
    return 64;
  }
  for (const tool of ['apt-get', 'dpkg-source']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) {
      console.error(`fetch-deb-source: ${tool} is not installed`);
      return 2;
    }
  }
  for (const pkg of pkgs) {
    const dsc = fetchSource(pkg);
    const out = { package: pkg, dsc };
    if (unpackDir) {
      mkdirSync(unpackDir, { recursive: true });
      out.dir = unpack(dsc, join(resolve(unpackDir), pkg));
    }
    console.log(JSON.stringify(out));
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
