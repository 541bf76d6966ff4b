// jansson (CMake, ctest suite) from Debian's source package, configured with CC=spincheck-cc and -Werror, every
// function instrumented: its own ctest suite passes and a program using it prints what it prints with a plain build.
// (CMake's default build type: at -O2, gcc 12's -Wstringop-truncation breaks the plain -Werror build in error.c.)
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { BUILD_TIMEOUT, CLI, debSource, figures, haveDebTools, instrumentedEnv, plainEnv, scratchDir, sh } from './helpers.js';

const ok = haveDebTools() && haveTool('make') && haveTool('gcc') && haveTool('cmake') && haveTool('ctest');

/** Exercises parsing, packing, unpacking, iteration, numbers and dumping with several flags. */
const PROGRAM = `#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
int main(void) {
  const char *texts[] = {
    "{\\"a\\": [1, 2.5, -3e10, true, null, \\"x\\\\u00e9\\"], \\"b\\": {\\"c\\": {}}, \\"d\\": 9007199254740993}",
    "[\\"unterminated", "[1, 2, 3, {\\"k\\": [[], [[]]]}]", "  \\"\\\\ud83d\\\\ude00\\"  ", "{\\"dup\\": 1, \\"dup\\": 2}" };
  size_t i;
  for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    json_error_t err;
    json_t *v = json_loads(texts[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v) { printf("error %d:%d %s\\n", err.line, err.column, err.text); continue; }
    char *a = json_dumps(v, JSON_SORT_KEYS | JSON_ENCODE_ANY);
    char *b = json_dumps(v, JSON_INDENT(3) | JSON_ENSURE_ASCII | JSON_ENCODE_ANY | JSON_REAL_PRECISION(5));
    printf("%s\\n%s\\n", a, b);
    free(a); free(b);
    json_decref(v);
  }
  json_t *p = json_pack("{s:i, s:[f, b, n], s:{s:s}}", "int", 42, "arr", 1.25, 1, "obj", "k", "v");
  int n; double f; int bo; const char *s;
  if (json_unpack(p, "{s:i, s:[f, b, n], s:{s:s}}", "int", &n, "arr", &f, &bo, "obj", "k", &s) == 0)
    printf("unpacked %d %g %d %s\\n", n, f, bo, s);
  const char *key; json_t *val;
  json_object_foreach(p, key, val) printf("key %s type %d\\n", key, (int)json_typeof(val));
  json_decref(p);
  return 0;
}
`;

describe.runIf(ok)('jansson built with spincheck-cc', () => {
  it('passes its ctest suite at -Werror, every function instrumented; a program prints what a plain build prints', () => {
    const work = scratchDir('jansson');
    const src = debSource('jansson', join(work, 'src'));
    if (!src) return;
    writeFileSync(join(work, 'prog.c'), PROGRAM);
    const data = join(work, 'data');
    const pEnv = plainEnv();
    const iEnv = { ...instrumentedEnv(data), CC: CLI };
    const cmakeArgs = [src, '-DJANSSON_BUILD_DOCS=OFF', '-DCMAKE_C_FLAGS=-Werror'];
    const outputs: string[] = [];
    for (const [name, env] of [['plain', { ...pEnv, CC: 'gcc' }], ['inst', iEnv]] as const) {
      const build = join(work, name);
      mkdirSync(build, { recursive: true });
      cpSync(join(work, 'prog.c'), join(build, 'prog.c'));
      sh('cmake', cmakeArgs, build, env);
      const made = sh('make', ['-j2'], build, env);
      expect(made.stderr).not.toMatch(/spincheck: (warning|error)/);
      const tests = sh('ctest', ['-j2', '--output-on-failure'], build, env);
      expect(tests.stdout).toMatch(/100% tests passed, 0 tests failed out of \d{3}/);
      sh(env.CC as string, ['-Werror', '-Wall', '-Iinclude', 'prog.c', '-Llib', '-ljansson', '-o', 'prog'], build, env);
      outputs.push(sh('./prog', [], build, env).stdout);
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[0]).toMatch(/unpacked 42 1.25 1 v/);
    expect(sh('sh', ['-c', 'nm lib/libjansson.a'], join(work, 'inst'), iEnv).stdout).toMatch(/ [UW] spincheck_enter\b/);
    expect(readdirSync(join(data, 'runs')).length).toBeGreaterThan(0);

    const f = figures(data, /CMake|conftest|CheckFunctionExists|CheckIncludeFile|CheckSymbolExists|CheckTypeSize/);
    console.log(`jansson: ${JSON.stringify(f)}`);
    expect(f.instrumented).toBe(f.files);
    expect(f.files).toBeGreaterThanOrEqual(15);
  }, BUILD_TIMEOUT);
});
