// Builds a directory of test/kernel-model holding drivers of our own, their harness and a Makefile that includes
// kmodel.mk, through spincheck-cc in a temp dir, and runs its harness under `spincheck run --format json` (Wine).
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string) => join(root, 'dist', 'bin', `${name}.js`);
const MINGW = 'x86_64-w64-mingw32-gcc';
export const ownDriversReady = haveTool('make') && haveTool(MINGW) && haveTool('wine');

export interface OwnHarness<R> {
  /** Runs `./harness.exe args` (the report never fails the run: `--fail-on none`); stdout without CRs, up to the report. */
  run(args: string[]): { status: number | null; stdout: string; stderr: string; report: R };
}

/** Copies test/kernel-model/<name> to a temp dir and builds it with make (no warning, no error). */
export function buildOwnHarness<R>(name: string, extraEnv: Record<string, string> = {}): OwnHarness<R> {
  const dir = mkdtempSync(join(tmpdir(), `spincheck-${name}-`));
  const data = join(dir, 'data');
  const env = { ...process.env, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: '', KMODEL_VERBOSE: '', KMODEL_ISOLATE: '', ...extraEnv };
  cpSync(join(root, 'test', 'kernel-model', name), dir, { recursive: true });
  const make = run('make', ['-C', dir, `CC=${bin('spincheck-cc')} ${MINGW}`, `KM=${join(root, 'templates', 'kernel-model')}`], { env });
  expect(make.stderr).not.toMatch(/error|warning|undefined reference/);
  expect(make.status).toBe(0);
  return {
    run(args) {
      const r = run(process.execPath, [bin('spincheck'), 'run', '--data-dir', data, '--format', 'json', '--fail-on', 'none', '--', './harness.exe', ...args], { cwd: dir, env });
      const stdout = r.stdout.replace(/\r/g, '');
      const json = stdout.indexOf('{\n');
      expect(json, r.stderr).toBeGreaterThanOrEqual(0);
      return { status: r.status, stdout: stdout.slice(0, json), stderr: r.stderr, report: JSON.parse(stdout.slice(json)) as R };
    },
  };
}
