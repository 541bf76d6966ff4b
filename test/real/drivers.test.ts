// WDM driver sources through spincheck-cc with x86_64-w64-mingw32-gcc: the corpus in test/real/drivers (the
// styles of public serial, parallel, mouse-class, USB-storage, NDIS-protocol, kernel-streaming and socket-layer
// drivers) against mingw-w64's DDK headers, and Wine's kernel drivers (dlls/*.sys, Debian's `wine` source
// package) against Wine's own headers. Every file that compiles plainly must compile instrumented, hooks present.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySummaries } from '../../src/analysis/index.js';
import { haveTool } from '../helpers/tools.js';
import { BUILD_TIMEOUT, CLI, ROOT, debSourceDsc, figures, haveDebTools, scratchDir, sh, siteDbs, wrapperEnv } from './helpers.js';

const MINGW = 'x86_64-w64-mingw32-gcc';
const NM = 'x86_64-w64-mingw32-nm';
const CORPUS = join(ROOT, 'test/real/drivers');
const DDK = ['-I/usr/share/mingw-w64/include/ddk', '-Wall', '-Wextra', '-Werror', '-O1', '-c'];
const mingw = haveTool(MINGW) && haveTool(NM);

function undefinedHooks(obj: string, cwd: string): string[] {
  const out = sh(NM, [obj], cwd, process.env).stdout;
  return [...new Set([...out.matchAll(/ [UW] (spincheck_[a-z_]+)/g)].map((m) => m[1] as string))].sort();
}

describe.runIf(mingw)('driver corpus (mingw-w64 DDK headers)', () => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.c')).sort();

  it.each(files)('%s: compiles plainly and instrumented (strict), every hook in the object', (name) => {
    const dir = scratchDir(`drv-${name}`);
    const data = join(dir, 'data');
    sh(MINGW, [...DDK, join(CORPUS, name), '-o', 'plain.o'], dir, process.env);
    const inst = sh(CLI, [MINGW, ...DDK, join(CORPUS, name), '-o', 'inst.o'], dir,
      wrapperEnv({ SPINCHECK_STRICT: '1', SPINCHECK_DIR: data }));
    expect(inst.stderr).toBe('');
    const hooks = undefinedHooks('inst.o', dir);
    for (const h of ['spincheck_enter', 'spincheck_leave', 'spincheck_release_pre', 'spincheck_register']) expect(hooks).toContain(h);
    const source = readFileSync(join(CORPUS, name), 'utf8');
    if (/IoAcquireCancelSpinLock\s*\(/.test(source)) expect(hooks).toContain('spincheck_acquire_pre');
    const [db] = siteDbs(data);
    expect(db?.instrumented).toBe(true);
    expect(db?.unchecked ?? []).toEqual([]);
    // Every function a routine: still compiles at -Werror.
    sh(CLI, [MINGW, ...DDK, join(CORPUS, name), '-o', 'all.o'], dir,
      wrapperEnv({ SPINCHECK_STRICT: '1', SPINCHECK_ALL_FUNCTIONS: '1', SPINCHECK_DIR: join(dir, 'all') }));
    console.log(`corpus ${name}: ${JSON.stringify(figures(data))}`);
  });
});

describe.runIf(mingw && haveDebTools() && haveTool('tar'))("Wine's kernel drivers (dlls/*.sys)", () => {
  it('every file that compiles plainly compiles instrumented, with hooks', () => {
    const dsc = debSourceDsc('wine');
    if (!dsc) return;
    const pkgDir = dirname(dsc);
    const orig = readdirSync(pkgDir).find((f) => /\.orig\.tar\.(xz|gz|bz2)$/.test(f));
    expect(orig).toBeDefined();
    const work = scratchDir('wine');
    sh('tar', ['xf', join(pkgDir, orig as string), '--wildcards', '*/dlls/*.sys/*', '*/include/*'], work, process.env);
    const top = readdirSync(work)[0] as string;
    const root = join(work, top);
    const sources = readdirSync(join(root, 'dlls'))
      .filter((d) => d.endsWith('.sys'))
      .flatMap((d) => findC(join(root, 'dlls', d)).map((f) => join('dlls', d, f)))
      .sort();
    const configs: Record<string, (file: string) => string[]> = {
      // How Wine compiles its PE modules: its own Windows headers, no system headers.
      'wine headers': (f) => ['-Iinclude', '-Iinclude/msvcrt', `-I${dirname(f)}`, '-D__WINESRC__', '-D_NTSYSTEM_', '-D_UCRT', '-nostdinc', '-fno-builtin', '-O1', '-c'],
      'mingw-w64 DDK headers': (f) => ['-I/usr/share/mingw-w64/include/ddk', `-I${dirname(f)}`, '-O1', '-c'],
    };
    const report: Record<string, unknown> = { files: sources.length };
    const problems: string[] = [];
    for (const [label, flags] of Object.entries(configs)) {
      let plain = 0;
      let instrumented = 0;
      let withHooks = 0;
      let rolesFound = 0;
      const data = join(work, `data-${label.replace(/\W+/g, '-')}`);
      for (const f of sources) {
        const obj = join(work, 'o', label.replace(/\W+/g, '-'), f.replace(/\W+/g, '_'));
        mkdirSync(dirname(obj), { recursive: true });
        if (spawnSync(MINGW, [...flags(f), f, '-o', `${obj}.plain.o`], { cwd: root, stdio: 'ignore' }).status !== 0) continue;
        plain++;
        // Normal mode: roles found as in a real build (not strict: a routine spincheck cannot parse is reported).
        const normal = spawnSync(CLI, [MINGW, ...flags(f), f, '-o', `${obj}.o`], {
          cwd: root, encoding: 'utf8', env: wrapperEnv({ SPINCHECK_DIR: data }),
        });
        if (normal.status !== 0) problems.push(`${label}: ${f}: instrumented compile failed: ${normal.stderr}`);
        else if (undefinedHooks(`${obj}.o`, root).includes('spincheck_enter')) rolesFound++;
        // Every function a routine, strict: the whole file must instrument and compile.
        const all = spawnSync(CLI, [MINGW, ...flags(f), f, '-o', `${obj}.all.o`], {
          cwd: root, encoding: 'utf8', env: wrapperEnv({ SPINCHECK_DIR: `${data}-all`, SPINCHECK_STRICT: '1', SPINCHECK_ALL_FUNCTIONS: '1' }),
        });
        if (all.status !== 0) {
          problems.push(`${label}: ${f}: strict all-functions compile failed: ${all.stderr}`);
          continue;
        }
        instrumented++;
        if (undefinedHooks(`${obj}.all.o`, root).includes('spincheck_enter')) withHooks++;
        else problems.push(`${label}: ${f}: no hooks in the object`);
      }
      report[label] = { plain, instrumented, withHooks, rolesFoundInNormalMode: rolesFound, normal: figures(data), all: figures(`${data}-all`) };
    }
    // The path check on the same compiles (Wine's own flags): no finding, with the summaries of every unit applied.
    const dbs = siteDbs(join(work, 'data-wine-headers'));
    const analyses = dbs.flatMap((d) => (d.analysis ? [{ source: d.source, analysis: d.analysis }] : []));
    const summaries = analyses.flatMap((a) => a.analysis.summaries);
    report.pathCheck = { units: analyses.length, analysed: analyses.reduce((n, a) => n + a.analysis.analysed, 0) };
    console.log(`wine dlls/*.sys: ${JSON.stringify(report, null, 1)}`);
    expect(analyses.flatMap((a) => applySummaries(a.analysis.findings, summaries).map((f) => `${a.source}:${f.line}: ${f.kind} ${f.function}`))).toEqual([]);
    expect(problems).toEqual([]);
    expect((report['wine headers'] as { plain: number }).plain).toBeGreaterThanOrEqual(15);
  }, BUILD_TIMEOUT);
});

function findC(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? findC(dir, join(rel, e.name)) : e.name.endsWith('.c') ? [join(rel, e.name)] : [],
  );
}
