// The kernel model's spin locks, every form of src/model/lock-api.ts, between two real Win32 threads under Wine:
// the same program as the harness kit's test (test/kit/spin-locks.c), built against mingw-w64's DDK headers and
// the model's own declarations of the forms those headers lack; the same transcript.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { SPIN_LOCKS_STDOUT } from '../kit/spin-locks-expected.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const KM = join(root, 'templates', 'kernel-model');
const CC = 'x86_64-w64-mingw32-gcc';
const DDK = ['-I/usr/share/mingw-w64/include/ddk', `-I${KM}`, '-include', join(KM, 'kmodel_port.h')];

describe.runIf(haveTool(CC) && haveTool('wine'))('kernel model spin locks', () => {
  it('are real locks between two threads, with the DDK\'s IRQL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-km-spin-'));
    const objects = ['km_io', 'km_ke', 'km_ex'].map((f) => {
      const r = run(CC, [...DDK, '-O1', '-Wall', '-Wextra', '-Werror', '-c', join(KM, `${f}.c`), '-o', `${f}.o`], { cwd: dir });
      expect(r.stderr).toBe('');
      return `${f}.o`;
    });
    const build = run(CC, [...DDK, '-DSPIN_KMODEL', '-std=c99', '-O1', '-Wall', '-Wextra', '-Werror', join(root, 'test', 'kit', 'spin-locks.c'),
      join(here, 'spin-threads.c'), join(KM, 'km_port_win32.c'), ...objects, '-o', 'spin.exe'], { cwd: dir });
    expect(build.stderr).toBe('');
    const r = run(process.execPath, [join(root, 'dist', 'bin', 'spincheck.js'), 'run', '--data-dir', join(dir, 'data'), '--', './spin.exe'], {
      cwd: dir,
      env: { ...process.env, SPINCHECK_DIR: '', KMODEL_VERBOSE: '' },
    });
    expect(r.stderr).not.toContain('kmodel: error');
    // The program's transcript, then spincheck's (empty) report of the uninstrumented run.
    expect(r.stdout.replace(/\r/g, '').slice(0, SPIN_LOCKS_STDOUT.length)).toBe(SPIN_LOCKS_STDOUT);
    expect(r.status).toBe(0);
  });
});
