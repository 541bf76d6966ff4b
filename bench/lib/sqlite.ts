// A large real C file: SQLite's amalgamation, built from Debian's sqlite3 source package (fetched with a private
// apt configuration, so the system's apt state is untouched) and cached; null with a reason when unreachable.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function sh(cmd: string, args: string[], cwd: string, timeoutMs = 600_000): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
}

/** The Debian archive and suite this machine's apt sources name (one-line or deb822 format). */
function debianSource(): { uri: string; suite: string } {
  const files = ['/etc/apt/sources.list'];
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) if (/\.(list|sources)$/.test(f)) files.push(join('/etc/apt/sources.list.d', f));
  }
  for (const f of files) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    for (const stanza of text.split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(https?:\/\/\S+)/im.exec(stanza)?.[1];
      const suite = /^Suites:\s*(\S+)/im.exec(stanza)?.[1];
      if (uri && suite && /\/debian\/?$/.test(uri)) return { uri: uri.replace(/\/$/, ''), suite };
      for (const line of stanza.split('\n')) {
        const m = /^deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?(https?:\/\/\S+\/debian)\/?\s+(\S+)/.exec(line.replace(/#.*/, '').trim());
        if (m?.[1] && m[2]) return { uri: m[1], suite: m[2] };
      }
    }
  }
  throw new Error('no Debian archive in /etc/apt/sources.list*');
}

/** Path of sqlite3.c (cached under `cache`), or an error message. */
export function sqliteAmalgamation(cache: string, log: (m: string) => void): { path: string } | { error: string } {
  const root = join(cache, 'sqlite');
  const target = join(root, 'sqlite3.c');
  if (existsSync(target)) return { path: target };
  try {
    for (const tool of ['apt-get', 'tar', 'make', 'tclsh']) {
      if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) throw new Error(`${tool} is not installed`);
    }
    const { uri, suite } = debianSource();
    const apt = join(root, 'apt');
    for (const d of ['state/lists/partial', 'cache/archives/partial', 'etc/sources.list.d', 'etc/preferences.d', 'dl']) {
      mkdirSync(join(apt, d), { recursive: true });
    }
    const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
    writeFileSync(join(apt, 'etc/sources.list'), `deb-src ${existsSync(keyring) ? `[signed-by=${keyring}] ` : ''}${uri} ${suite} main\n`);
    writeFileSync(join(apt, 'etc/status'), '');
    const o = [
      `Dir::State=${join(apt, 'state')}`, `Dir::State::status=${join(apt, 'etc/status')}`, `Dir::Cache=${join(apt, 'cache')}`,
      `Dir::Etc::sourcelist=${join(apt, 'etc/sources.list')}`, `Dir::Etc::sourceparts=${join(apt, 'etc/sources.list.d')}`,
      `Dir::Etc::preferencesparts=${join(apt, 'etc/preferences.d')}`, 'Debug::NoLocking=1', 'APT::Sandbox::User=root',
    ].flatMap((x) => ['-o', x]);
    log(`sqlite: fetching Debian's sqlite3 source package from ${uri} (${suite}), once`);
    sh('apt-get', [...o, '-qq', 'update'], apt);
    sh('apt-get', [...o, '-qq', 'source', '--download-only', 'sqlite3'], join(apt, 'dl'));
    const orig = readdirSync(join(apt, 'dl')).find((f) => /^sqlite3_[^-]+\.orig\.tar\.\w+$/.test(f));
    if (!orig) throw new Error('no sqlite3 .orig tarball in the source package');
    const src = join(root, 'src');
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    sh('tar', ['xf', join(apt, 'dl', orig), '-C', src, '--strip-components=1'], root);
    log('sqlite: building the amalgamation (configure; make sqlite3.c)');
    sh('./configure', ['--disable-tcl'], src);
    sh('make', ['-j2', 'sqlite3.c'], src);
    if (!statSync(join(src, 'sqlite3.c')).isFile()) throw new Error('make sqlite3.c produced nothing');
    renameSync(join(src, 'sqlite3.c'), target);
    rmSync(src, { recursive: true, force: true });
    rmSync(join(apt, 'dl'), { recursive: true, force: true });
    return { path: target };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
