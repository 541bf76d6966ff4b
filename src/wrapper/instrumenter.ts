// Loads the instrumenter and the path analysis (and with them tree-sitter) only for files that may need them (design §6).
import type { InstrumentOptions, InstrumentResult, ParsedUnit } from '../instrument/types.js';
import type { StaticAnalysis } from '../model/index.js';

interface InstrumenterModule {
  instrument(source: string, options: InstrumentOptions): InstrumentResult;
  analyseUnit(unit: ParsedUnit, options: { macros?: ReadonlyArray<readonly [string, string | null]> }): StaticAnalysis;
}

let loading: Promise<InstrumenterModule> | null = null;

/** The instrumenter and the analysis, imported on first use. */
export function loadInstrumenter(): Promise<InstrumenterModule> {
  loading ??= Promise.all([import('../instrument/index.js'), import('../analysis/index.js')]).then(([i, a]) => ({
    instrument: i.instrument,
    analyseUnit: a.analyseUnit,
  }));
  return loading;
}
