// Link-time optimisation must not switch checking off: the seeded example driver built with every LTO mode of gcc
// and clang here (full and thin, bfd, gold, lld, mold where installed) reports every one of its seeded violations.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { bin } from '../helpers/bins.js';
import { queueDriverSeeds } from '../helpers/queue-driver-seeds.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Mode {
  cc: 'gcc' | 'clang';
  /** Flags for compiles and links alike. */
  flags: string[];
  /** Installed on every machine this suite runs on (a missing one fails under CI); else probed and skipped. */
  required: boolean;
}

const MODES: Mode[] = [
  { cc: 'gcc', flags: ['-O2', '-flto'], required: true },
  { cc: 'gcc', flags: ['-O2', '-flto', '-fuse-ld=gold'], required: true },
  { cc: 'gcc', flags: ['-O2', '-flto', '-ffat-lto-objects'], required: true },
  { cc: 'gcc', flags: ['-O2', '-flto=auto', '-fuse-ld=gold', '-ffat-lto-objects'], required: true },
  { cc: 'gcc', flags: ['-O2', '-flto', '-fuse-ld=mold'], required: false },
  { cc: 'clang', flags: ['-O2', '-flto', '-fuse-ld=lld'], required: true },
  { cc: 'clang', flags: ['-O2', '-flto=thin', '-fuse-ld=lld'], required: true },
  { cc: 'clang', flags: ['-O2', '-flto', '-fuse-ld=bfd'], required: false },
  { cc: 'clang', flags: ['-O2', '-flto=thin', '-fuse-ld=gold'], required: false },
  { cc: 'clang', flags: ['-O2', '-flto', '-fuse-ld=mold'], required: false },
];

let scratch = '';

/** True when `cc flags` links a trivial program (an optional linker or LLVM's gold plugin is installed). */
function links(mode: Mode): boolean {
  const src = join(scratch, 'probe.c');
  writeFileSync(src, 'int main(void) { return 0; }\n');
  const r = run(mode.cc, [...mode.flags, src, '-o', join(scratch, 'probe')]);
  if (r.status === 0) return true;
  console.warn(`\n*** SKIPPING LTO mode ${mode.cc} ${mode.flags.join(' ')}: it cannot link here ***\n`);
  return false;
}

describe.runIf(haveTool('make') && haveTool('gcc') && haveTool('clang') && haveTool('ld.gold') && haveTool('ld.lld'))(
  'LTO builds run the real hooks',
  () => {
    beforeAll(() => {
      scratch = mkdtempSync(join(tmpdir(), 'spincheck-lto-'));
    });

    for (const mode of MODES) {
      const name = `${mode.cc} ${mode.flags.join(' ')}`;
      it(`${name}: the seeded harness reports its violations`, (ctx) => {
        if (!mode.required && !links(mode)) ctx.skip();
        const dir = mkdtempSync(join(scratch, 'drv-'));
        cpSync(join(root, 'examples', 'queue-driver'), dir, {
          recursive: true,
          filter: (src) => !/\.(o|d)$|harness(-buggy)?$|\.spincheck/.test(src),
        });
        const flags = mode.flags.join(' ');
        const env = { ...process.env, SPINCHECK_DIR: join(dir, 'data'), SPINCHECK_OPTIONS: '' };
        const make = run(
          'make',
          ['-C', dir, `CC=${bin('spincheck-cc')} ${mode.cc}`, `KIT=${join(root, 'templates', 'harness-kit')}`, `CFLAGS=${flags}`, `LDFLAGS=${flags}`, 'harness-buggy'],
          { env },
        );
        expect(make.status, make.stderr).toBe(0);
        const h = run(join(dir, 'harness-buggy'), [], { cwd: dir, env });
        expect(h.status, h.stderr).toBe(66);
        const kinds = [...h.stderr.matchAll(/^SUMMARY: spincheck: (\S+)/gm)].map((m) => m[1]);
        expect(kinds.sort()).toEqual(queueDriverSeeds(dir).map((seed) => seed.kind).sort());
      });
    }
  },
);
