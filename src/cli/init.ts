// `spincheck init [--ci github|gitlab] [DIR]`: reads a driver's sources, writes a starter harness, the kit, build
// fragments and CI files into it (src/init decides; this file reads and writes).
import { existsSync, linkSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { makeDirs } from '../io/make-dirs.js';
import { CI_FILES } from '../init/ci.js';
import { FACES } from '../init/faces.js';
import type { CiName } from '../init/ci.js';
import { decide, planInit } from '../init/plan.js';
import type { Templates } from '../init/plan.js';
import { plannedSends } from '../init/harness.js';
import { surveyed } from '../init/survey.js';
import type { ProjectFile } from '../init/survey.js';
import { UsageError, one, parseArgs } from './args.js';
import { kitDir } from './kit.js';
import type { CliEnv } from './report.js';
import { toolVersion } from './report.js';

const MAX_FILES = 5000;
const MAX_BYTES = 4 << 20;

/** Every file under `dir` (relative, with `/`), skipping what `keep` rejects, at most MAX_FILES. */
function walk(root: string, keep: (rel: string) => boolean): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (keep(`${rel}/x`)) visit(rel);
      } else if (entry.isFile() && keep(rel) && found.length < MAX_FILES) found.push(rel);
    }
  };
  visit('');
  return found.sort();
}

function readProject(root: string): ProjectFile[] {
  return walk(root, surveyed)
    .filter((p) => /\.[ch]$/.test(p) && statSync(join(root, p)).size <= MAX_BYTES)
    .map((path) => ({ path, text: readFileSync(join(root, path), 'latin1') }));
}

function readTemplates(templatesDir: string): Templates {
  return new Map(walk(templatesDir, () => true).map((p) => [p, readFileSync(join(templatesDir, p), 'utf8')]));
}

/** Writes a file that must not exist yet, whole: a temp file, then a hard link to it (which fails on an existing file). */
function writeNew(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.spincheck-${process.pid}`);
  try {
    makeDirs(dirname(path));
    writeFileSync(tmp, text);
    try {
      linkSync(tmp, path);
    } catch (e) {
      // No hard links here (FAT, some network shares): an exclusive create, which also never replaces a file.
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw e;
      writeFileSync(path, text, { flag: 'wx' });
    }
  } catch (e) {
    throw new Error(`cannot write ${path}: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Runs the survey; a parser that does not load (tree-sitter's prebuilt addon, an old C++ library) points to doctor. */
function withParser<T>(survey: () => T): T {
  try {
    return survey();
  } catch (e) {
    const message = (e as Error).message.split('\n')[0];
    if (!/tree-sitter|\.node\b|GLIBCXX/.test(message ?? '')) throw e;
    throw new Error(`cannot parse the driver's sources: ${message}; \`spincheck doctor\` says what to do`);
  }
}

export function initCommand(io: CliEnv): number {
  const args = parseArgs(io.argv, { ci: { value: true } });
  const ci = one(args, 'ci');
  if (ci !== undefined && !(ci in CI_FILES)) throw new UsageError(`--ci takes ${Object.keys(CI_FILES).join(' or ')} (got '${ci}')`);
  if (args.positional.length > 1) throw new UsageError('usage: spincheck init [--ci github|gitlab] [DIR]');
  const root = resolve(io.cwd, args.positional[0] ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${root}: not a directory`);
  const kit = kitDir();
  if (!kit) throw new Error('templates/harness-kit is missing from this installation; reinstall spincheck');
  const files = readProject(root);
  const plan = withParser(() => planInit(files, readTemplates(dirname(kit)), { ...(ci ? { ci: ci as CiName } : {}), version: toolVersion() }));
  const { survey } = plan;
  if (survey.sources.length === 0) {
    io.stderr(`spincheck: init: no driver source (.c) found in ${root}\n`);
    return 1;
  }
  const decisions = decide(plan.outputs, (p) => {
    const full = join(root, p);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  });
  for (const d of decisions) {
    const full = join(root, d.output.path);
    if (d.action === 'write') writeNew(full, d.output.text);
  }
  const out: string[] = [];
  const say = (s: string) => out.push(s);
  const { sends } = plannedSends(survey);
  say(`spincheck init: ${survey.face === 'kit' ? 'harness kit' : 'kernel model (the DDK headers)'}; driver sources: ${survey.sources.join(' ')}`);
  for (const l of survey.leftOut) say(`  left out ${l.path}: ${l.reason}`);
  say(`  dispatch routines: ${survey.dispatch.map((d) => d.name).join(', ') || 'none found'}; cancel routines: ${survey.cancel.join(', ') || 'none found'}`);
  say(`  the harness sends: ${sends.map((s) => s.major).join(', ') || 'nothing (no MajorFunction[] store found: edit spincheck/harness.c)'}`);
  const written = decisions.filter((d) => d.action === 'write').length;
  say(`  wrote ${written} file(s) in ${root}`);
  for (const d of decisions) if (d.action === 'skip' && d.why !== 'unchanged') say(`  skipped ${d.output.path}: ${d.why}`);
  const program = FACES[survey.face].program;
  say('next:');
  say('  make -f spincheck/spincheck.mk            (or: cmake -S spincheck -B spincheck/build-cmake)');
  say(`  spincheck run -- ${program} --inject`);
  io.stdout(`${out.join('\n')}\n`);
  return 0;
}
