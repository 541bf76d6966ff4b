// `spincheck check [compiler flags] FILE...`: the path analysis on C files without building them, as compiler warnings.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyseSource, applySummaries } from '../analysis/index.js';
import type { StaticAnalysis } from '../model/index.js';
import { staticFindingText, staticRuleId } from '../model/index.js';
import { parseGccArgs } from '../wrapper/gcc/parse.js';
import { loadConfig } from '../wrapper/config.js';
import { UsageError } from './args.js';
import { includeResolver } from './instrument.js';
import type { CliEnv } from './report.js';

const USAGE = 'usage: spincheck check [--verbose] [compiler flags] FILE...';

/** Prints findings as `file:line:col: warning:` with the path as notes; exit 0 (warnings do not fail), 2 on bad input. */
export function checkCommand(io: CliEnv): number {
  const verbose = io.argv.includes('--verbose');
  const cmd = parseGccArgs(io.argv.filter((a) => a !== '--verbose'), io.cwd);
  const files = cmd.inputs.filter((i) => i.language === 'c').map((i) => i.path);
  if (files.length === 0) throw new UsageError(`no C file given\n${USAGE}`);
  const config = loadConfig(io.env, io.cwd);
  const resolveInclude = includeResolver([...cmd.quoteDirs, ...cmd.includeDirs].map((d) => resolve(io.cwd, d)));
  const results: Array<{ file: string; analysis: StaticAnalysis }> = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, file), 'latin1');
    } catch (e) {
      throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      return { file, analysis: analyseSource(text, { sourceName: file, resolveInclude, roles: config.roles, macros: cmd.macros }) };
    } catch (e) {
      // One file the analysis fails on does not stop the others; it is counted as not analysed.
      io.stderr(`spincheck: ${file}: the path check failed on this file: ${(e as Error).message?.split('\n')[0]}\n`);
      return { file, analysis: { analysed: 0, findings: [], summaries: [], notAnalysed: [{ function: '(whole file)', line: 1, reason: 'the path check failed' }] } };
    }
  });
  const summaries = results.flatMap((r) => r.analysis.summaries);
  let warnings = 0;
  let analysed = 0;
  let skipped = 0;
  for (const { file, analysis } of results) {
    analysed += analysis.analysed;
    skipped += analysis.notAnalysed.length;
    for (const f of applySummaries(analysis.findings, summaries)) {
      warnings++;
      io.stdout(`${file}:${f.line}:${f.column}: warning: ${staticFindingText(f)} [${staticRuleId(f)}]\n`);
      for (const s of f.path) io.stdout(`${file}:${s.line}:${s.column}: note: ${s.text}\n`);
    }
    if (verbose) for (const n of analysis.notAnalysed) io.stdout(`${file}:${n.line}:1: note: ${n.function} not analysed: ${n.reason}\n`);
  }
  io.stderr(`spincheck: ${warnings} warning${warnings === 1 ? '' : 's'}; ${analysed} function${analysed === 1 ? '' : 's'} using a lock analysed, ${skipped} not analysed${skipped > 0 && !verbose ? ' (--verbose says why)' : ''}\n`);
  return 0;
}
