// libyaml (autoconf + libtool) from Debian's source package, built with spincheck-cc with every function
// instrumented: its own `make check` passes and its programs print what a plain build prints. (A -Werror build
// is not possible: the plain build fails it at emitter.c with gcc 12.)
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { BUILD_TIMEOUT, CLI, debSource, figures, haveDebTools, instrumentedEnv, plainEnv, scratchDir, sh } from './helpers.js';

const ok = haveDebTools() && haveTool('make') && haveTool('gcc') && haveTool('autoreconf') && haveTool('libtoolize');

describe.runIf(ok)('libyaml built with spincheck-cc', () => {
  it('passes make check, every function instrumented; outputs equal a plain build', () => {
    const work = scratchDir('libyaml');
    const src = debSource('libyaml', join(work, 'src'));
    if (!src) return;
    sh('autoreconf', ['-fi'], src, plainEnv());
    const plainDir = join(work, 'plain');
    const instDir = join(work, 'inst');
    cpSync(src, plainDir, { recursive: true });
    cpSync(src, instDir, { recursive: true });
    const data = join(work, 'data');

    const pEnv = plainEnv();
    sh('sh', ['-c', './configure CC=gcc && make -j2 && make -j2 check'], plainDir, pEnv);
    const iEnv = instrumentedEnv(data);
    sh('./configure', [`CC=${CLI}`], instDir, iEnv);
    const build = sh('make', ['-j2'], instDir, iEnv);
    expect(build.stderr).not.toMatch(/spincheck: (warning|error)/);
    const check = sh('make', ['-j2', 'check'], instDir, iEnv);
    expect(check.stdout).toMatch(/# PASS: +2/);
    expect(check.stdout).toMatch(/# FAIL: +0/);
    expect(sh('sh', ['-c', 'nm src/.libs/libyaml.a'], instDir, iEnv).stdout).toMatch(/ [UW] spincheck_enter\b/);

    // Every example document through the parser, the reformatter and the deconstructor (emitter), both builds.
    const examples = readdirSync(join(src, 'examples')).filter((f) => f.endsWith('.yaml')).sort();
    expect(examples.length).toBeGreaterThan(5);
    const outputs = [plainDir, instDir].map((dir) =>
      examples.map((ex) => {
        const file = join(src, 'examples', ex);
        const env = dir === instDir ? iEnv : pEnv;
        return [
          sh('tests/run-parser-test-suite', [file], dir, env).stdout,
          sh('sh', ['-c', `tests/example-reformatter < '${file}'`], dir, env).stdout,
          sh('sh', ['-c', `tests/example-deconstructor < '${file}'`], dir, env).stdout,
          sh('tests/run-loader', [file], dir, env).stdout,
        ];
      }),
    );
    expect(outputs[1]).toEqual(outputs[0]);
    expect(readdirSync(join(data, 'runs')).length).toBeGreaterThan(0);

    const f = figures(data, /conftest/);
    console.log(`libyaml: ${JSON.stringify(f)}`);
    expect(f.instrumented).toBe(f.files);
    expect(f.files).toBeGreaterThanOrEqual(20);
  }, BUILD_TIMEOUT);
});
