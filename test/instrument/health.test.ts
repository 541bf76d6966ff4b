// Large files tree-sitter mostly fails on (generated amalgamations): compiled unchanged, decided right after the parse.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bigDriverFile } from '../../bench/gen/driver-tree.js';
import { LARGE_FILE_CHARS } from '../../src/instrument/health.js';
import { instrument } from '../../src/instrument/index.js';
import { haveTool } from '../helpers/tools.js';
import { ROOT, ensureBuilt } from '../wrapper/helpers.js';

/** A generated file in a C dialect tree-sitter-c cannot read (macro soup, as in amalgamations): every unit is broken. */
function mostlyBrokenFile(units: number): string {
  const unit = (i: number): string => `
BEGIN_DECL(${i}) static VOID f${i} (PIRP irp) __attribute__((x)) DECLSPEC {
  KIRQL irql; IoAcquireCancelSpinLock(&irql)
  FOR_EACH(item, list) { use(item) } ; ; END_FOR
  if (x) { y = } else )
  IoReleaseCancelSpinLock(irql);
}
`;
  return Array.from({ length: units }, (_, i) => unit(i)).join('');
}

const OPTIONS = { tuId: 'tu', sourceName: 'big.c' };
const BROKEN = mostlyBrokenFile(3000);

describe('a large file tree-sitter mostly fails on', () => {
  it('is left unchanged with the reason, before any pass runs', () => {
    expect(BROKEN.length).toBeGreaterThan(LARGE_FILE_CHARS);
    const r = instrument(BROKEN, OPTIONS);
    expect(r.changed).toBe(false);
    expect(r.code).toBe(BROKEN);
    expect(r.uninstrumentedReason).toMatch(/^tree-sitter could not parse most of this large file \((9\d|100)% of its top-level code has syntax errors\)$/);
    expect(r.unchecked).toEqual([]);
  });

  it('a small file with the same errors, and a large clean one, are still instrumented', () => {
    const small = instrument(mostlyBrokenFile(20), OPTIONS);
    expect(small.uninstrumentedReason ?? '').not.toMatch(/could not parse most/);
    const clean = bigDriverFile(25000);
    expect(clean.length).toBeGreaterThan(LARGE_FILE_CHARS);
    const r = instrument(clean, OPTIONS);
    expect(r.changed).toBe(true);
    expect(r.uninstrumentedReason).toBeUndefined();
  });

  describe.runIf(haveTool('/usr/bin/time'))('memory', () => {
    beforeAll(() => ensureBuilt());
    it('costs the parse, not the passes: peak RSS of `spincheck instrument` on 2 MB of it stays under 280 MB (400 MB before the early decision)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'spincheck-health-'));
      const file = join(dir, 'amalgamation.c');
      writeFileSync(file, mostlyBrokenFile(9000));
      const ran = spawnSync('/usr/bin/time', ['-f', 'peak-kb %M', process.execPath, join(ROOT, 'dist/bin/spincheck.js'), 'instrument', file], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      expect(ran.stderr).toMatch(/could not parse most of this large file/);
      const kb = Number(/peak-kb (\d+)/.exec(ran.stderr)?.[1]);
      expect(kb).toBeGreaterThan(0);
      expect(kb / 1024).toBeLessThan(280);
    });
  });
});
