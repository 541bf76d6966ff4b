// `spincheck init` at the CLI edge: what it says and its status when there is nothing to do or it is misused; nothing
// is written then.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin } from '../helpers/bins.js';
import { run } from '../helpers/tools.js';

const init = (args: string[], cwd: string) => run(process.execPath, [bin('spincheck'), 'init', ...args], { cwd });

describe('spincheck init, misused', () => {
  it('a tree with no C source: status 1, one line, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-init-cli-'));
    writeFileSync(join(dir, 'README'), 'no driver here\n');
    const r = init([], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`spincheck: init: no driver source (.c) found in ${dir}\n`);
    expect(readdirSync(dir)).toEqual(['README']);
  });

  it('a directory that is not one, or an unknown CI: status 2, one line naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-init-cli-'));
    writeFileSync(join(dir, 'd.c'), 'int x;\n');
    const missing = init([join(dir, 'nope')], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`spincheck: error: ${join(dir, 'nope')}: not a directory\n`);
    const ci = init(['--ci', 'jenkins'], dir);
    expect(ci.status).toBe(2);
    expect(ci.stderr.split('\n')[0]).toBe("spincheck: error: --ci takes github or gitlab (got 'jenkins')");
    expect(readdirSync(dir)).toEqual(['d.c']);
  });
});
