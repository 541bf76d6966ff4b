// Builds a harness of test/kernel-model/wine-drivers (a Wine driver from Debian's wine source package, fetched
// at test time and unpacked into a scratch directory, never committed) through spincheck-cc, and runs it.
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { debSourceDsc, haveDebTools, scratchDir, sh } from '../real/helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string) => join(root, 'dist', 'bin', `${name}.js`);
const MINGW = 'x86_64-w64-mingw32-gcc';
export const wineDriversReady = haveTool('make') && haveTool(MINGW) && haveTool('wine') && haveDebTools() && haveTool('tar');

export interface Finding { kind: string; code: number; message: string; run?: string }
export interface Report {
  violations: unknown[];
  findings: Finding[];
  files: Array<{
    file: string;
    routines: Array<{ name: string; role: string; entries: number }>;
    sites: Array<{ kind: string; function: string; line: number; hits: number; via?: string }>;
  }>;
}

export interface WineHarness {
  /** Runs `<program>.exe args` under `spincheck run --format json`. */
  run(args: string[], extra?: Record<string, string>): { status: number | null; stdout: string; stderr: string; report: Report | null };
}

/** Unpacks `dlls/<driver>/` (each of them) and Wine's headers, builds `<program>.exe` with make; null without Wine's source. */
export function buildWineHarness(driver: string | string[], program: string): WineHarness | null {
  const dsc = debSourceDsc('wine');
  if (!dsc) return null;
  const pkgDir = dirname(dsc);
  const orig = readdirSync(pkgDir).find((f) => /\.orig\.tar\.(xz|gz|bz2)$/.test(f)) as string;
  const src = scratchDir(`km-${program}`);
  const drivers = typeof driver === 'string' ? [driver] : driver;
  sh('tar', ['xf', join(pkgDir, orig), '--wildcards', ...drivers.map((d) => `*/dlls/${d}/*`), '*/include/*'], src, process.env);
  const wine = join(src, readdirSync(src).find((d) => d.startsWith('wine')) as string);
  const top = mkdtempSync(join(tmpdir(), `spincheck-${program}-`));
  const dir = join(top, 'wine-drivers');
  const data = join(top, 'data');
  cpSync(join(root, 'test', 'kernel-model', 'wine-drivers'), dir, { recursive: true });
  cpSync(join(root, 'test', 'kernel-model', 'http-sys'), join(top, 'http-sys'), { recursive: true });
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: '', KMODEL_VERBOSE: '', KMODEL_ISOLATE: '', ...extra });
  const make = run('make', ['-C', dir, `CC=${bin('spincheck-cc')} ${MINGW}`, `KM=${join(root, 'templates', 'kernel-model')}`, `WINE=${wine}`, `${program}.exe`], { env: env() });
  expect(make.stderr).not.toMatch(/error|undefined reference/);
  expect(make.status).toBe(0);
  return {
    run(args, extra = {}) {
      const r = run(process.execPath, [bin('spincheck'), 'run', '--data-dir', data, '--format', 'json', '--fail-on', 'none', '--', `./${program}.exe`, ...args], { cwd: dir, env: env(extra) });
      const json = r.stdout.indexOf('{\n');
      return { ...r, stdout: r.stdout.replace(/\r/g, ''), report: (json >= 0 ? JSON.parse(r.stdout.slice(json)) : null) as Report | null };
    },
  };
}

/** The campaign summary's counts: runs, injected, clean, bugchecked, hung. */
export function campaignSummary(stderr: string) {
  const m = stderr.match(/kmodel: campaign summary: (\d+) runs \(1 without injection, (\d+) injected\): (\d+) clean, \d+ with model errors, (\d+) bugchecked, \d+ stopped, (\d+) hung/);
  expect(m, stderr.slice(-3000)).not.toBeNull();
  const [runs, injected, clean, bugchecked, hung] = (m as RegExpMatchArray).slice(1).map(Number) as [number, number, number, number, number];
  return { runs, injected, clean, bugchecked, hung };
}
