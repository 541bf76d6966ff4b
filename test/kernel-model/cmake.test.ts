// The kernel model with CMake (templates/kernel-model/kmodel.cmake) and the mingw-w64 toolchain file: the WDM
// sample's CMakeLists.txt configured with templates/cmake/spincheck-cc.cmake builds the driver through
// spincheck and the model without it, for x86_64 (then run under Wine) and i686 (built only, as in
// wdm-driver-i686.test.ts).
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { I686, X86_64, peMachine } from './wdm-driver-suite.js';
import type { KmTarget } from './wdm-driver-suite.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KM = join(root, 'templates', 'kernel-model');
const tools = haveTool('cmake') && haveTool('make');

/** Configures and builds examples/wdm-driver with CMake for `target`; returns the build tree and data dir. */
function cmakeBuild(target: KmTarget, arch: string) {
  const dir = mkdtempSync(join(tmpdir(), 'spincheck-km-cmake-'));
  cpSync(join(root, 'examples', 'wdm-driver'), join(dir, 'src'), { recursive: true, filter: (src) => !/\.(o|exe)$|\/kmodel$|\/seed\d$|\.spincheck/.test(src) });
  const data = join(dir, 'data');
  const env = { ...process.env, PATH: `${join(root, 'dist', 'bin')}${delimiter}${process.env.PATH}`, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: '', KMODEL_VERBOSE: '', KMODEL_ISOLATE: '0' };
  const configure = run('cmake', ['-S', join(dir, 'src'), '-B', join(dir, 'build'), `-DCMAKE_TOOLCHAIN_FILE=${join(KM, 'mingw-w64.cmake')}`, `-DKM_ARCH=${arch}`,
    `-DCMAKE_PROJECT_INCLUDE=${join(root, 'templates', 'cmake', 'spincheck-cc.cmake')}`, `-DKM=${KM}`], { env });
  expect(configure.stderr).toBe('');
  expect(configure.status).toBe(0);
  const build = run('cmake', ['--build', join(dir, 'build'), '-j2'], { env });
  expect(build.stderr).toBe('');
  expect(build.status).toBe(0);
  expect(peMachine(join(dir, 'build', 'harness.exe'))).toBe(target.machine);
  // The driver's sources went through spincheck, the model's did not.
  const sources = readdirSync(join(data, 'sites')).map((f) => (JSON.parse(readFileSync(join(data, 'sites', f), 'utf8')) as { source: string }).source);
  expect(sources.map((s) => s.replace(/.*\//, '')).sort()).toEqual(['driver.c', 'events.c', 'transfer.c']);
  expect(existsSync(join(dir, 'build', 'libkmodel.a'))).toBe(true);
  return { dir, data, env };
}

describe.runIf(tools && haveTool(X86_64.cc) && haveTool('wine'))('kmodel.cmake, x86_64', () => {
  it('builds the driver through spincheck and the model as its own library; the injected run is clean', () => {
    const { dir, data, env } = cmakeBuild(X86_64, 'x86_64');
    const r = run(process.execPath, [join(root, 'dist', 'bin', 'spincheck.js'), 'run', '--data-dir', data, '--format', 'json', '--', './harness.exe', '--inject'], { cwd: join(dir, 'build'), env });
    expect(r.stderr).not.toContain('kmodel: error');
    expect(r.stdout).toMatch(/harness: scenario passed\r?\nharness: \d+ injected cancellations\r?\nharness: 0 model error\(s\)/);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{\n'))) as { violations: unknown[]; files: Array<{ noRunData: boolean }> };
    expect(report.violations).toEqual([]);
    expect(report.files.filter((f) => !f.noRunData)).toHaveLength(3);
  });
});

describe.runIf(tools && haveTool(I686.cc))('kmodel.cmake, i686', () => {
  it('builds the driver through spincheck and the model as its own library', () => {
    cmakeBuild(I686, 'i686');
  });
});
