// A multi-directory make project with dependency files and an archive, built plainly and through spincheck-cc.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { CLI, ensureBuilt, runRaw, scratch, wrapperEnv, writeTree } from './helpers.js';
import { makeProject } from './projects.js';

const compilers = ['gcc', 'clang'].filter((c) => haveTool(c)).filter(() => haveTool('make'));
const DEP_FILES = ['lib/lock.d', 'lib/other.d', 'app/main.d', 'mock/wdm.d'];

function dwarfName(dir: string, obj: string): string {
  const out = runRaw('readelf', ['--debug-dump=info', obj], dir).stdout.toString();
  const m = /DW_TAG_compile_unit[\s\S]*?DW_AT_name\s*:\s*(?:\([^)]*\):\s*)?(\S+)/.exec(out);
  return m?.[1] ?? '';
}

beforeAll(() => ensureBuilt());

describe.each(compilers)('make project with %s', (compiler) => {
  const plain = scratch(`make-plain-${compiler}`);
  const wrapped = scratch(`make-wrapped-${compiler}`);
  const env = wrapperEnv();
  let plainBuild: ReturnType<typeof runRaw>;
  let wrappedBuild: ReturnType<typeof runRaw>;

  beforeAll(() => {
    writeTree(plain, makeProject());
    writeTree(wrapped, makeProject());
    plainBuild = runRaw('make', [`CC=${compiler}`], plain, env);
    wrappedBuild = runRaw('make', [`CC=${CLI} ${compiler}`], wrapped, env);
  });

  it('builds both ways', () => {
    expect(plainBuild.stderr.toString()).toBe('');
    expect(plainBuild.status).toBe(0);
    expect(wrappedBuild.stderr.toString()).toBe('');
    expect(wrappedBuild.status).toBe(0);
  });

  it('instruments the driver file, not the others', () => {
    expect(runRaw('nm', ['lib/lock.o'], wrapped).stdout.toString()).toMatch(/spincheck_enter/);
    expect(runRaw('nm', ['lib/lock.o'], plain).stdout.toString()).not.toMatch(/spincheck_/);
    expect(runRaw('nm', ['lib/other.o'], wrapped).stdout.toString()).not.toMatch(/spincheck_/);
    const sites = readdirSync(join(wrapped, '.spincheck/sites'));
    const dbs = sites.map((f) => JSON.parse(readFileSync(join(wrapped, '.spincheck/sites', f), 'utf8')));
    const lock = dbs.find((d) => d.source === 'lib/lock.c');
    expect(lock).toMatchObject({ instrumented: true, sourceAbs: join(wrapped, 'lib/lock.c') });
    expect(lock.sites.length).toBeGreaterThan(0);
    expect(existsSync(join(plain, '.spincheck'))).toBe(false);
  });

  it('the program prints the same output', () => {
    const a = runRaw('./prog', [], plain, env);
    const b = runRaw('./prog', [], wrapped, { ...env, SPINCHECK_OPTIONS: `data_dir=${join(wrapped, '.spincheck')}` });
    expect(a.status).toBe(0);
    expect(b.stdout.toString()).toBe(a.stdout.toString());
    expect(b.stdout.toString()).toContain('lib/lock.c:');
    expect(b.status).toBe(0);
  });

  it('make -q says up to date after the build, and a header touch rebuilds', () => {
    expect(runRaw('make', ['-q', `CC=${CLI} ${compiler}`], wrapped, env).status).toBe(0);
    runRaw('touch', ['lib/util.h'], wrapped);
    expect(runRaw('make', ['-q', `CC=${CLI} ${compiler}`], wrapped, env).status).toBe(1);
  });

  it.each(DEP_FILES)('%s equals the plain build', (d) => {
    expect(readFileSync(join(wrapped, d), 'utf8')).toBe(readFileSync(join(plain, d), 'utf8'));
  });

  it('debug info names the original file', () => {
    expect(dwarfName(wrapped, 'lib/lock.o')).toBe('lib/lock.c');
    expect(dwarfName(wrapped, 'lib/lock.o')).toBe(dwarfName(plain, 'lib/lock.o'));
    const lines = runRaw('readelf', ['--debug-dump=line', 'lib/lock.o'], wrapped).stdout.toString();
    expect(lines).not.toMatch(/spincheck-\w{6}\/s\d/);
  });

  it('leaves no temp directory behind', () => {
    expect(wrappedBuild.stdout.toString()).not.toMatch(/\/tmp\/spincheck-/);
    expect(readdirSync(join(wrapped, 'lib')).sort()).toEqual(readdirSync(join(plain, 'lib')).sort());
  });
});
