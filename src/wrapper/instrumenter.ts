// Loads the instrumenter and the path analysis (and with them tree-sitter) only for files that may need them (design §6), and runs both on one file.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { InstrumentOptions, InstrumentResult, ParsedUnit, ResolvedInclude } from '../instrument/types.js';
import type { StaticAnalysis } from '../model/index.js';

interface InstrumenterModule {
  instrument(source: string, options: InstrumentOptions): InstrumentResult;
  analyseUnit(unit: ParsedUnit, options: { macros?: ReadonlyArray<readonly [string, string | null]> }): StaticAnalysis;
}

/** Where quoted includes are looked up: plain data, so that a pool worker can rebuild the lookup. */
export interface IncludeSearch {
  cwd: string;
  /** The main file's absolute path (its directory is searched first). */
  main: string;
  /** -iquote then -I directories, absolute. */
  dirs: string[];
}

/** Instrumenter options as plain data (the include callback is rebuilt from an IncludeSearch where the call runs),
 *  with the command's -D/-U for the path analysis. */
export type InstrumentJobOptions = Omit<InstrumentOptions, 'resolveInclude' | 'onParsed'> & {
  macros?: ReadonlyArray<readonly [string, string | null]>;
};

/** The instrumenter's result and the path analysis of the same parse (absent when the file was not parsed). */
export type InstrumentOutcome = InstrumentResult & { analysis?: StaticAnalysis };

/** Runs the instrumenter on one file: here (`instrumentHere`) or in the warm server's worker pool. */
export type InstrumentCall = (text: string, options: InstrumentJobOptions, search: IncludeSearch) => Promise<InstrumentOutcome>;

const MAX_HEADER_BYTES = 4 << 20;

let loading: Promise<InstrumenterModule> | null = null;

/** The instrumenter and the analysis, imported on first use. */
export function loadInstrumenter(): Promise<InstrumenterModule> {
  loading ??= Promise.all([import('../instrument/index.js'), import('../analysis/index.js')]).then(([i, a]) => ({
    instrument: i.instrument,
    analyseUnit: a.analyseUnit,
  }));
  return loading;
}

/** The whole per-file step, in this process: every compile path (Node wrapper, pool worker) runs this. */
export async function instrumentHere(text: string, options: InstrumentJobOptions, search: IncludeSearch): Promise<InstrumentOutcome> {
  const mod = await loadInstrumenter();
  const { macros, ...instrumentOptions } = options;
  let analysis: StaticAnalysis | undefined;
  const onParsed = (unit: ParsedUnit) => {
    try {
      analysis = mod.analyseUnit(unit, { macros: macros ?? [] });
    } catch (e) {
      // The analysis is an extra: a file it cannot handle is instrumented and compiled as before, and the
      // report says the path check did not analyse it.
      const reason = `the path check failed on this file: ${(e as Error).message?.split('\n')[0] ?? String(e)}`;
      analysis = { analysed: 0, findings: [], summaries: [], notAnalysed: [{ function: '(whole file)', line: 1, reason }] };
    }
  };
  const result = mod.instrument(text, { ...instrumentOptions, onParsed, resolveInclude: includeResolver(search) });
  return analysis ? { ...result, analysis } : result;
}

/** Header lookup for the instrumenter: the includer's directory, then -iquote, then -I (as gcc does). */
function includeResolver(search: IncludeSearch) {
  const cache = new Map<string, ResolvedInclude | undefined>();
  return (spec: string, includer: string | undefined): ResolvedInclude | undefined => {
    const first = dirname(includer ? resolve(search.cwd, includer) : search.main);
    for (const dir of [first, ...search.dirs]) {
      const path = resolve(dir, spec);
      if (cache.has(path)) {
        const hit = cache.get(path);
        if (hit) return hit;
        continue;
      }
      const st = statSync(path, { throwIfNoEntry: false });
      const found = st?.isFile() && st.size <= MAX_HEADER_BYTES ? { path, text: readFileSync(path, 'latin1') } : undefined;
      cache.set(path, found);
      if (found) return found;
    }
    return undefined;
  };
}
