// `spincheck check`: compiler-style warnings with the path as notes, over several files at once.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/check.js';

const CASES = join(import.meta.dirname, 'cases');

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = checkCommand({ argv, env: {}, cwd: CASES, stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

it('prints each finding as a warning at its exit, with the path as notes', () => {
  const { code, out, err } = run(['-c', '-I.', '-DX=1', 'queue-helper.c']);
  expect(code).toBe(0);
  expect(out.split('\n').filter(Boolean)).toEqual([
    'queue-helper.c:38:9: warning: dispatch routine QueueWrite can return holding spin lock ext->Lock [CancelSpinLock/static-exit-held]',
    'queue-helper.c:36:17: note: GetNextLocked returns holding spin lock ext->Lock',
    'queue-helper.c:37:9: note: `next == NULL` is true',
    'queue-helper.c:38:9: note: QueueWrite returns holding spin lock ext->Lock',
  ]);
  expect(err).toMatch(/^spincheck: 1 warning; \d+ functions using a lock analysed, 0 not analysed\n$/);
});

it('applies the summaries of the other files given: a release in another file is no finding', () => {
  const alone = run(['cross-file/dispatch.c']).out;
  const both = run(['cross-file/dispatch.c', 'cross-file/helpers.c']).out;
  expect(alone).toContain('StartDpc can return holding spin lock ext->Lock');
  expect(alone).not.toContain('StartNext');
  expect(both).not.toContain('StartDpc');
  expect(both).toContain('StartOther can return holding the cancel spin lock');
});

it('says which functions it did not analyse, and why, only with --verbose', () => {
  expect(run(['not-analysed.c']).out).toBe('');
  expect(run(['--verbose', 'not-analysed.c']).out).toContain('not-analysed.c:10:1: note: JumpsAway not analysed: longjmp');
});

it('refuses a command without a C file', () => {
  expect(() => run(['-c', '-O2'])).toThrow(/no C file given/);
});
