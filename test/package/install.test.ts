// The packed package as a new user gets it: `npm pack`, installed with install scripts off into a fresh prefix by
// another user (nobody, a HOME of its own, outside the checkout), the example driver built and checked through it.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, closeSync, chownSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';

const ROOT = join(import.meta.dirname, '..', '..');
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const ready = isRoot && haveTool('setpriv') && haveTool('make') && haveTool('gcc') && haveTool('npm');

/** Magic numbers of executables and object files: ELF, PE (MZ), Mach-O (both byte orders, fat). */
/** The machine's certificate settings, passed on by name (the registry may sit behind a TLS-inspecting proxy). */
const TRUST = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']
  .filter((name) => process.env[name])
  .map((name) => `${name}=${process.env[name]}`);
/** Magic numbers of executables and object files: ELF, PE (MZ), Mach-O (both byte orders, fat). */
const BINARY_MAGIC = [[0x7f, 0x45, 0x4c, 0x46], [0x4d, 0x5a], [0xcf, 0xfa, 0xed, 0xfe], [0xfe, 0xed, 0xfa, 0xcf], [0xca, 0xfe, 0xba, 0xbe]];

function head(path: string, n: number): number[] {
  const b = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  const got = readSync(fd, b, 0, n, 0);
  closeSync(fd);
  return [...b.subarray(0, got)];
}

function isBinary(path: string): boolean {
  const h = head(path, 4);
  return BINARY_MAGIC.some((m) => m.every((byte, i) => h[i] === byte));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) chownSync(join(d.parentPath, d.name), uid, uid);
}

describe.runIf(ready)('npm pack, installed with --ignore-scripts as another user', () => {
  let tmp: string;
  let tarball: string;
  let home: string;
  let prefix: string;
  /** Whether npm's prebuilt tree-sitter loaded here as installed (before any rebuild). */
  let parserLoaded: boolean;
  const pathFor = (p: string) => `${p}/bin:${process.env.PATH}`;
  /** Runs as nobody, with an environment of its own (no npm_* or SPINCHECK_* of the test run). */
  const asNobody = (cmd: string[], opts: { cwd: string; home?: string; path?: string; env?: string[] }) =>
    run('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'env', '-i', `HOME=${opts.home ?? home}`, `PATH=${opts.path ?? pathFor(prefix)}`, 'npm_config_ignore_scripts=true', 'npm_config_update_notifier=false', 'npm_config_fetch_retries=0', ...TRUST, ...(opts.env ?? []), ...cmd], { cwd: opts.cwd });

  /** An empty directory of nobody's in the scratch directory. */
  function nobodysDir(name: string): string {
    const dir = join(tmp, name);
    mkdirSync(dir);
    chownSync(dir, NOBODY, NOBODY);
    return dir;
  }

  /** A directory of nobody's holding the example driver's queue.c and the header it needs. */
  function queueFile(name: string): string {
    const dir = nobodysDir(name);
    for (const f of ['queue.c', 'driver.h']) cpSync(join(ROOT, 'examples', 'queue-driver', f), join(dir, f));
    chownTree(dir, NOBODY);
    return dir;
  }

  beforeAll(() => {
    tmp = mkdtempSync('/tmp/spincheck-pkg-');
    chmodSync(tmp, 0o755);
    const packed = run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT });
    expect(packed.status, packed.stderr).toBe(0);
    tarball = join(tmp, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
    chmodSync(tarball, 0o644);
    home = join(tmp, 'home');
    prefix = join(tmp, 'prefix');
    for (const d of [home, prefix]) {
      mkdirSync(d);
      chownSync(d, NOBODY, NOBODY);
    }
    const install = asNobody(['npm', 'install', '-g', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: home });
    expect(install.status, install.stderr).toBe(0);
    // npm's prebuilt tree-sitter addon needs a newer libstdc++ than some hosts have (GLIBCXX_3.4.31): doctor says so
    // and what to do, which is done here (node headers from the system when nodejs.org is out of reach).
    const doctor = asNobody(['spincheck', 'doctor'], { cwd: home });
    expect(doctor.status, doctor.stderr).toBe(0);
    parserLoaded = /^parser\s+tree-sitter loads/m.test(doctor.stdout);
    if (!parserLoaded) {
      const todo = /^\s+-> rebuild it from source: cd (\S+) && npm rebuild tree-sitter /m.exec(doctor.stdout);
      expect(todo, doctor.stdout).not.toBeNull();
      const nodedir = ['npm_config_ignore_scripts=false', ...(existsSync('/usr/include/node/node_api.h') ? ['npm_config_nodedir=/usr'] : [])];
      const rebuilt = asNobody(['npm', 'rebuild', 'tree-sitter'], { cwd: todo![1]!, env: nodedir });
      expect(rebuilt.status, rebuilt.stderr).toBe(0);
      expect(asNobody(['spincheck', 'doctor'], { cwd: home }).stdout).toMatch(/^parser\s+tree-sitter loads/m);
    }
  }, 600_000);

  afterAll(() => {
    run('rm', ['-rf', tmp]);
  });

  it('the tarball holds no binaries and no tests, and does hold the launcher source and the Node stub', () => {
    const out = join(tmp, 'unpacked');
    mkdirSync(out);
    expect(run('tar', ['-xzf', tarball, '-C', out]).status).toBe(0);
    const files = walk(join(out, 'package')).map((f) => relative(join(out, 'package'), f));
    expect(files.filter((f) => isBinary(join(out, 'package', f)))).toEqual([]);
    expect(files.filter((f) => /^test\/|\.test\.|^bench\/|^examples\//.test(f))).toEqual([]);
    expect(files).toContain('src/launcher/spincheck-cc.c');
    expect(readFileSync(join(out, 'package', 'dist/bin/spincheck-cc'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('builds and checks the example driver: the first compile builds the launcher into the per-user cache', () => {
    const pkg = join(prefix, 'lib', 'node_modules', 'spincheck');
    const drv = join(tmp, 'drv');
    cpSync(join(ROOT, 'examples', 'queue-driver'), drv, { recursive: true, filter: (s) => !/\.(o|d)$|harness(-buggy)?$|\.spincheck/.test(s) });
    chownTree(drv, NOBODY);
    expect(isBinary(join(pkg, 'dist/bin/spincheck-cc'))).toBe(false);
    const make = asNobody(['make', '-j4', 'CC=spincheck-cc', `KIT=${join(pkg, 'templates', 'harness-kit')}`], { cwd: drv });
    expect(make.stderr).toBe('');
    expect(make.status).toBe(0);
    // Built once, by nobody, into nobody's cache, and installed over the stub (nobody owns this prefix).
    const cache = readdirSync(join(home, '.cache', 'spincheck', 'launcher'));
    expect(cache.filter((f) => /^spincheck-cc-0\.\d+\.\d+-linux-/.test(f) && !/\.(tmp|lock|failed)$/.test(f))).toHaveLength(1);
    expect(cache.filter((f) => /\.(tmp|lock|failed)$/.test(f))).toEqual([]);
    expect(readFileSync(join(pkg, 'dist/bin/spincheck-cc'), 'utf8')).toMatch(/^#!\/bin\/sh\n/);
    expect(isBinary(join(pkg, 'dist/bin/spincheck-cc-native'))).toBe(true);
    const checked = asNobody(['spincheck', 'run', '--format', 'json', '--', './harness-buggy'], { cwd: drv });
    const report = JSON.parse(checked.stdout.slice(checked.stdout.indexOf('{'))) as { violations: unknown[]; totals: { sitesHit: number } };
    expect(report.violations.length).toBeGreaterThan(0);
    expect(report.totals.sitesHit).toBeGreaterThan(0);
    const doctor = asNobody(['spincheck', 'doctor'], { cwd: drv });
    expect(doctor.stdout).toMatch(/^spincheck-cc\s+native launcher \(.*\/dist\/bin\/spincheck-cc-native\)$/m);
    expect(doctor.stdout).toMatch(new RegExp(`^data directory\\s+${drv}/\\.spincheck \\([1-9]\\d* site file\\(s\\), \\d+ run file\\(s\\)\\)$`, 'm'));
  }, 300_000);

  it('spincheck init from the installed package: the kit copied from it, the harness built with make and run', () => {
    const drv = join(tmp, 'init-drv');
    mkdirSync(drv);
    for (const f of ['driver.c', 'driver.h', 'queue.c', 'flush.c']) cpSync(join(ROOT, 'examples', 'queue-driver', f), join(drv, f));
    chownTree(drv, NOBODY);
    const init = asNobody(['spincheck', 'init'], { cwd: drv });
    expect(init.status, init.stderr).toBe(0);
    const kit = join(prefix, 'lib', 'node_modules', 'spincheck', 'templates', 'harness-kit');
    expect(readFileSync(join(drv, 'spincheck', 'harness-kit', 'wdm_user.c'), 'utf8')).toBe(readFileSync(join(kit, 'wdm_user.c'), 'utf8'));
    const make = asNobody(['make', '-f', 'spincheck/spincheck.mk'], { cwd: drv });
    expect(make.status, make.stderr).toBe(0);
    const checked = asNobody(['spincheck', 'run', '--format', 'json', '--', 'spincheck/build/harness', '--inject'], { cwd: drv });
    expect(checked.status, checked.stderr).toBe(0);
    const report = JSON.parse(checked.stdout.slice(checked.stdout.indexOf('{'))) as { files: Array<{ routines: Array<{ name: string; entries: number }> }> };
    const entries = Object.fromEntries(report.files.flatMap((f) => f.routines.map((r) => [r.name, r.entries])));
    for (const routine of ['QdCreateClose', 'QdRead', 'QdDeviceControl', 'QdCleanup', 'QdCancelRead']) expect(entries[routine], routine).toBeGreaterThan(0);
  }, 300_000);

  it('a package the user cannot write: make -j8 builds the launcher once (the others use Node meanwhile), the stub runs it', () => {
    // A root-owned copy of the installed package as it came from the tarball (the stub, not the launcher).
    const shared = join(tmp, 'shared');
    cpSync(prefix, shared, { recursive: true, verbatimSymlinks: true });
    const pkg = join(shared, 'lib', 'node_modules', 'spincheck');
    cpSync(join(tmp, 'unpacked', 'package', 'dist', 'bin', 'spincheck-cc'), join(pkg, 'dist/bin/spincheck-cc'));
    rmSync(join(pkg, 'dist/bin/spincheck-cc-native'));
    chownTree(shared, 0);
    const home2 = nobodysDir('home2');
    const drv = join(tmp, 'drv2');
    cpSync(join(ROOT, 'examples', 'queue-driver'), drv, { recursive: true, filter: (s) => !/\.(o|d)$|harness(-buggy)?$|\.spincheck/.test(s) });
    chownTree(drv, NOBODY);
    const make = asNobody(['make', '-j8', 'CC=spincheck-cc', `KIT=${join(pkg, 'templates', 'harness-kit')}`], { cwd: drv, home: home2, path: pathFor(shared) });
    expect(make.stderr).toBe('');
    expect(make.status).toBe(0);
    const cache = readdirSync(join(home2, '.cache', 'spincheck', 'launcher'));
    expect(cache.filter((f) => !/\.(tmp|lock|failed)$/.test(f))).toHaveLength(1);
    expect(cache.filter((f) => /\.(tmp|lock|failed)$/.test(f))).toEqual([]);
    expect(readFileSync(join(pkg, 'dist/bin/spincheck-cc'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    const doctor = asNobody(['spincheck', 'doctor'], { cwd: drv, home: home2, path: pathFor(shared) });
    expect(doctor.stdout).toMatch(/^spincheck-cc\s+Node stub, then the native launcher .*\(the package is not writable by this user\)$/m);
  }, 300_000);

  it('without a C compiler for the launcher: one note, then Node per compile, and the build still works', () => {
    const home3 = nobodysDir('home3');
    const src = queueFile('one');
    const kit = join(tmp, 'shared', 'lib', 'node_modules', 'spincheck', 'templates', 'harness-kit');
    const compile = (out: string) =>
      asNobody(['spincheck-cc', 'gcc', `-I${kit}`, '-c', 'queue.c', '-o', out], { cwd: src, home: home3, path: pathFor(join(tmp, 'shared')), env: ['SPINCHECK_LAUNCHER_CC=/nonexistent/cc'] });
    const first = compile('a.o');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^spincheck: note: the native launcher could not be built \(no C compiler built the launcher .*\); each compile starts Node instead/);
    expect(first.stderr.trim().split('\n')).toHaveLength(1);
    const second = compile('b.o');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toBe('');
    expect(existsSync(join(src, '.spincheck', 'sites'))).toBe(true);
  }, 300_000);

  it('through npx from the tarball, as a user with an empty npm cache', () => {
    const home4 = nobodysDir('home4');
    const src = queueFile('npx');
    const kit = join(tmp, 'unpacked', 'package', 'templates', 'harness-kit');
    const npx = (args: string[]) => asNobody(['npx', '--yes', `--package=${tarball}`, ...args], { cwd: src, home: home4, path: process.env.PATH! });
    const compile = npx(['spincheck-cc', 'gcc', `-I${kit}`, '-c', 'queue.c', '-o', 'queue.o']);
    expect(compile.status, compile.stderr).toBe(0);
    expect(existsSync(join(src, 'queue.o'))).toBe(true);
    // npx's fresh copy has npm's prebuilt parser: instrumented where it loads, else said so on the compile.
    if (parserLoaded) expect(compile.stderr).toBe('');
    else expect(compile.stderr).toMatch(/^spincheck: warning: queue\.c: compiled without instrumentation \(instrument-error: .*tree-sitter/);
    const doctor = npx(['spincheck', 'doctor']);
    expect(doctor.stdout).toMatch(/^spincheck-cc\s+native launcher \(.*\/_npx\/.*\/dist\/bin\/spincheck-cc-native\)$/m);
    expect(readdirSync(join(home4, '.cache', 'spincheck', 'launcher')).filter((f) => !/\.(tmp|lock|failed)$/.test(f))).toHaveLength(1);
  }, 600_000);

  it("as a project's dev dependency: doctor's rebuild command is run where npm put the tree-sitter that failed, and fixes it", () => {
    const project = nobodysDir('project');
    const home5 = nobodysDir('home5');
    const npmIn = (args: string[], cwd: string, env: string[] = []) => asNobody(['npm', ...args], { cwd, home: home5, path: process.env.PATH!, env });
    expect(npmIn(['init', '-y'], project).status).toBe(0);
    const install = npmIn(['install', '--save-dev', '--no-audit', '--no-fund', tarball], project);
    expect(install.status, install.stderr).toBe(0);
    const doctor = npmIn(['exec', '--', 'spincheck', 'doctor'], project);
    expect(doctor.status, doctor.stderr).toBe(0);
    if (/^parser\s+tree-sitter loads/m.test(doctor.stdout)) return;
    // The project whose node_modules holds the addon that failed (the user's own where npm hoisted it).
    const failed = /required by (\S+)\/node_modules\/tree-sitter\/prebuilds\//.exec(doctor.stdout);
    expect(failed, doctor.stdout).not.toBeNull();
    expect(doctor.stdout).toContain(`-> rebuild it from source: cd ${failed![1]} && npm rebuild tree-sitter `);
    const nodedir = ['npm_config_ignore_scripts=false', ...(existsSync('/usr/include/node/node_api.h') ? ['npm_config_nodedir=/usr'] : [])];
    const rebuilt = npmIn(['rebuild', 'tree-sitter'], failed![1]!, nodedir);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(npmIn(['exec', '--', 'spincheck', 'doctor'], project).stdout).toMatch(/^parser\s+tree-sitter loads/m);
  }, 600_000);
});
