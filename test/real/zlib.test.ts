// zlib (hand-written configure) from Debian's source package, built with spincheck-cc at -Wall -Werror with every
// function instrumented: its own `make test` passes and its programs print what a plain build prints.
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { BUILD_TIMEOUT, CLI, debSource, figures, haveDebTools, instrumentedEnv, plainEnv, scratchDir, sh } from './helpers.js';

const ok = haveDebTools() && haveTool('make') && haveTool('gcc');

describe.runIf(ok)('zlib built with spincheck-cc', () => {
  it('passes make test at -Wall -Werror, every function instrumented; outputs equal a plain build', () => {
    const work = scratchDir('zlib');
    const src = debSource('zlib', join(work, 'src'));
    if (!src) return;
    const plainDir = join(work, 'plain');
    const instDir = join(work, 'inst');
    cpSync(src, plainDir, { recursive: true });
    cpSync(src, instDir, { recursive: true });
    const data = join(work, 'data');

    const pEnv = { ...plainEnv(), CC: 'gcc' };
    sh('sh', ['-c', `./configure && make -j2 && make test`], plainDir, { ...pEnv, CFLAGS: '-O2 -Wall -Werror' });
    const iEnv = { ...instrumentedEnv(data), CC: CLI, CFLAGS: '-O2 -Wall -Werror' };
    sh('./configure', [], instDir, iEnv);
    const build = sh('make', ['-j2'], instDir, iEnv);
    expect(build.stderr).not.toMatch(/spincheck: (warning|error)/);
    const test = sh('make', ['test'], instDir, iEnv);
    expect(test.stdout).toMatch(/\*\*\* zlib test OK \*\*\*/);
    expect(test.stdout).toMatch(/\*\*\* zlib shared test OK \*\*\*/);

    // Hooks in the library, run data from the test programs.
    expect(sh('nm', ['libz.a'], instDir, iEnv).stdout).toMatch(/ [UW] spincheck_enter\b/);
    expect(readdirSync(join(data, 'runs')).length).toBeGreaterThan(0);

    // The same outputs as a plain build: example, and minigzip compressing and expanding a file.
    for (const dir of [plainDir, instDir]) expect(existsSync(join(dir, 'minigzip'))).toBe(true);
    const outputs = [plainDir, instDir].map((dir) => {
      const env = dir === instDir ? iEnv : pEnv;
      const ex = sh('./example', [join(work, `tmp-${dir === instDir ? 'i' : 'p'}.gz`)], dir, env).stdout;
      const gz = sh('sh', ['-c', './minigzip -9 < ../src/zlib/zlib.h | od -An -tx1 | md5sum'], dir, env).stdout;
      const back = sh('sh', ['-c', './minigzip < ../src/zlib/zlib.h | ./minigzip -d | md5sum'], dir, env).stdout;
      return { ex, gz, back };
    });
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[0]?.back).toBe(sh('sh', ['-c', 'md5sum < src/zlib/zlib.h'], work, pEnv).stdout);

    const f = figures(data, /^ztest|conftest/);
    console.log(`zlib: ${JSON.stringify(f)}`);
    expect(f.instrumented).toBe(f.files);
    expect(f.files).toBeGreaterThanOrEqual(14);
  }, BUILD_TIMEOUT);
});
