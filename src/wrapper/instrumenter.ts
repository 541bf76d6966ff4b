// Loads the instrumenter (and with it tree-sitter) only for files that may need it (design §6).
import type { InstrumentOptions, InstrumentResult } from '../instrument/types.js';

interface InstrumenterModule {
  instrument(source: string, options: InstrumentOptions): InstrumentResult;
}

let loading: Promise<InstrumenterModule> | null = null;

/** The instrumenter module, imported on first use. */
export function loadInstrumenter(): Promise<InstrumenterModule> {
  loading ??= import('../instrument/index.js') as Promise<InstrumenterModule>;
  return loading;
}
