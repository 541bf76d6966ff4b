// Loads the instrumenter (and with it tree-sitter) only for files that may need it (design §6), and runs it on one file.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { InstrumentOptions, InstrumentResult, ResolvedInclude } from '../instrument/types.js';

interface InstrumenterModule {
  instrument(source: string, options: InstrumentOptions): InstrumentResult;
}

/** Where quoted includes are looked up: plain data, so that a pool worker can rebuild the lookup. */
export interface IncludeSearch {
  cwd: string;
  /** The main file's absolute path (its directory is searched first). */
  main: string;
  /** -iquote then -I directories, absolute. */
  dirs: string[];
}

/** Instrumenter options without the include callback (it is rebuilt from an IncludeSearch where the call runs). */
export type InstrumentJobOptions = Omit<InstrumentOptions, 'resolveInclude'>;

/** Runs the instrumenter on one file: here (`instrumentHere`) or in the warm server's worker pool. */
export type InstrumentCall = (text: string, options: InstrumentJobOptions, search: IncludeSearch) => Promise<InstrumentResult>;

const MAX_HEADER_BYTES = 4 << 20;

let loading: Promise<InstrumenterModule> | null = null;

/** The instrumenter module, imported on first use. */
export function loadInstrumenter(): Promise<InstrumenterModule> {
  loading ??= import('../instrument/index.js') as Promise<InstrumenterModule>;
  return loading;
}

/** The whole per-file instrumentation step, in this process: every compile path (Node wrapper, pool worker) runs this. */
export async function instrumentHere(text: string, options: InstrumentJobOptions, search: IncludeSearch): Promise<InstrumentResult> {
  const mod = await loadInstrumenter();
  return mod.instrument(text, { ...options, resolveInclude: includeResolver(search) });
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
