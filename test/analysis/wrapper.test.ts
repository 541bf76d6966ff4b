// The wrapper runs the path analysis on each instrumented compile; a file the analysis cannot handle is still
// instrumented as before (the analysis failing is simulated: nothing known makes it throw).
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseGccArgs } from '../../src/wrapper/gcc/parse.js';
import type { SourceContext } from '../../src/wrapper/source.js';

const CASES = join(import.meta.dirname, 'cases');
const fail = { analyse: false };

vi.mock('../../src/analysis/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/analysis/index.js')>();
  return {
    ...real,
    analyseUnit: (...args: Parameters<typeof real.analyseUnit>) => {
      if (fail.analyse) throw new RangeError('Maximum call stack size exceeded');
      return real.analyseUnit(...args);
    },
  };
});

async function prepare(argv: string[]) {
  const { prepareSource } = await import('../../src/wrapper/source.js');
  const cmd = parseGccArgs(argv, CASES);
  const ctx: SourceContext = { cmd, cwd: CASES, dataDir: join(CASES, '.unused'), roles: {}, strict: false };
  return prepareSource(cmd.inputs[0] as (typeof cmd.inputs)[number], ctx);
}

describe('the analysis in the wrapper', () => {
  afterEach(() => {
    fail.analyse = false;
  });

  it('analyses the file it instruments, deciding #if groups by the command line macros', async () => {
    const plain = await prepare(['-c', 'preprocessor.c']);
    expect(plain.copyText).not.toBeNull();
    expect(plain.analysis?.findings.map((f) => f.function)).toEqual(['Seeded']);
    const undefined_ = await prepare(['-USEEDED', '-c', 'preprocessor.c']);
    expect(undefined_.analysis?.findings).toEqual([]);
  });

  it('instruments and compiles a file as before when the analysis fails on it', async () => {
    const before = await prepare(['-c', 'queue-helper.c']);
    fail.analyse = true;
    const after = await prepare(['-c', 'queue-helper.c']);
    expect(after.analysis).toEqual({
      analysed: 0, findings: [], summaries: [],
      notAnalysed: [{ function: '(whole file)', line: 1, reason: 'the path check failed on this file: Maximum call stack size exceeded' }],
    });
    expect(after.reason).toBeNull();
    expect(after.copyText).toBe(before.copyText);
    expect(after.result?.sites).toEqual(before.result?.sites);
  });
});
