// The warm server's instrumenting pool: the same bytes as one process, a killed worker costs one file and is replaced.
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bigDriverFile } from '../../bench/gen/driver-tree.js';
import { instrumentHere } from '../../src/wrapper/instrumenter.js';
import type { IncludeSearch, InstrumentJobOptions } from '../../src/wrapper/instrumenter.js';
import { InstrumentPool, jobsFromMakeflags } from '../../src/wrapper/pool.js';
import type { Input, ParsedCommand } from '../../src/wrapper/command.js';
import { prepareSource } from '../../src/wrapper/source.js';
import { ROOT, ensureBuilt, scratch, writeTree } from './helpers.js';

const WORKER = join(ROOT, 'dist/bin/spincheck-instrument-worker.js');
const SEARCH: IncludeSearch = { cwd: '/', main: '/x.c', dirs: [] };
const opts = (i: number): InstrumentJobOptions => ({ tuId: `tu${i}`, sourceName: `f${i}.c`, dataDir: '/data', dialect: i % 2 ? 'msvc' : 'gnu' });

let pool: InstrumentPool | null = null;
afterEach(() => {
  pool?.close();
  pool = null;
});
beforeAll(() => ensureBuilt());

describe('the instrumenting pool', () => {
  it('gives, several files at once, exactly what one process gives file by file', async () => {
    const files = [300, 2000, 800, 4000, 1200, 600].map((n) => bigDriverFile(n));
    const serial = [];
    for (const [i, text] of files.entries()) serial.push(await instrumentHere(text, opts(i), SEARCH));
    pool = new InstrumentPool({ script: WORKER, size: 3 });
    const parallel = await Promise.all(files.map((text, i) => pool!.run(text, opts(i), SEARCH)));
    expect(new Set(pool.pids()).size).toBeGreaterThan(1);
    for (const [i, r] of parallel.entries()) {
      expect(r.changed).toBe(true);
      expect(Buffer.from(r.code, 'latin1').equals(Buffer.from(serial[i]!.code, 'latin1'))).toBe(true);
      expect(r).toEqual(serial[i]);
    }
  });

  it('reads quoted includes in the worker as the wrapper does (roles declared in a header)', async () => {
    const dir = scratch('pool-include');
    writeTree(dir, {
      'inc/roles.h': 'DRIVER_DISPATCH MyDispatch;\n',
      'a.c': '#include "roles.h"\nNTSTATUS MyDispatch(PDEVICE_OBJECT d, PIRP irp) { return 0; }\n',
    });
    const text = '#include "roles.h"\nNTSTATUS MyDispatch(PDEVICE_OBJECT d, PIRP irp) { return 0; }\n';
    const search = { cwd: dir, main: join(dir, 'a.c'), dirs: [join(dir, 'inc')] };
    const here = await instrumentHere(text, opts(0), search);
    pool = new InstrumentPool({ script: WORKER, size: 1 });
    const there = await pool.run(text, opts(0), search);
    expect(there.routines.map((r) => r.name)).toEqual(['MyDispatch']);
    expect(there).toEqual(here);
  });

  it('a worker killed in mid-file fails that file only; the compile falls back; a new worker serves the next', async () => {
    pool = new InstrumentPool({ script: WORKER, size: 1 });
    const small = bigDriverFile(300);
    await pool.run(small, opts(0), SEARCH);
    const [victim] = pool.pids();
    const dir = scratch('pool-kill');
    writeTree(dir, { 'big.c': bigDriverFile(30000) });
    const cmd = { quoteDirs: [], includeDirs: [] } as unknown as ParsedCommand;
    const input = { path: 'big.c', language: 'c' } as Input;
    const decision = prepareSource(input, {
      cmd,
      cwd: dir,
      dataDir: join(dir, 'data'),
      roles: {},
      strict: false,
      instrument: (t, o, s) => pool!.run(t, o, s),
    });
    // The only worker is busy with the big file (about a second of work): kill it in mid-file.
    await new Promise((r) => setTimeout(r, 300));
    process.kill(victim!, 'SIGKILL');
    const d = await decision;
    expect(d.copyText).toBeNull();
    expect(d.relevant).toBe(true);
    expect(d.reason).toMatch(new RegExp(`^instrument-error: the instrumenting worker \\(pid ${victim}\\) died \\(SIGKILL\\)$`));
    const again = await pool.run(small, opts(0), SEARCH);
    expect(pool.pids()).not.toContain(victim);
    expect(again).toEqual(await instrumentHere(small, opts(0), SEARCH));
  });

  it('a file queued behind a worker that dies is served by its replacement', async () => {
    pool = new InstrumentPool({ script: WORKER, size: 1 });
    const small = bigDriverFile(300);
    await pool.run(small, opts(0), SEARCH);
    const [victim] = pool.pids();
    const doomed = pool.run(bigDriverFile(30000), opts(1), SEARCH);
    const queued = pool.run(small, opts(2), SEARCH);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(victim!, 'SIGKILL');
    await expect(doomed).rejects.toThrow(/died \(SIGKILL\)/);
    expect(await queued).toEqual(await instrumentHere(small, opts(2), SEARCH));
  });

  it('reads the build\'s -j from MAKEFLAGS', () => {
    expect(jobsFromMakeflags(' -j16 --jobserver-auth=fifo:/tmp/x')).toBe(16);
    expect(jobsFromMakeflags('rs -j4')).toBe(4);
    expect(jobsFromMakeflags('--jobs=8')).toBe(8);
    expect(jobsFromMakeflags(' -j --jobserver-auth=3,4')).toBeUndefined();
    expect(jobsFromMakeflags(undefined)).toBeUndefined();
    expect(jobsFromMakeflags('-k')).toBeUndefined();
  });
});
