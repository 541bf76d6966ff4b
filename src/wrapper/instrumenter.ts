// Loads the instrumenter (and with it tree-sitter) only for files that may need it (design §6).
import type { InstrumentOptions, InstrumentResult, RoleConfig } from '../instrument/types.js';

interface InstrumenterModule {
  instrument(source: string, options: InstrumentOptions): InstrumentResult;
  mentionsRelevantName(source: string, roles?: RoleConfig): boolean;
}

/**
 * A superset of the names the instrumenter's own scan looks for, tested on the raw text before anything
 * is loaded: a file without any of these cannot need instrumentation (no word boundaries: cheaper, wider).
 */
const PREFILTER = /IRP|CancelSpinLock|CancelRoutine|IoStartPacket|MajorFunction|DRIVER_|_Dispatch_type_|_Function_class_/;

let loading: Promise<InstrumenterModule> | null = null;

/** The instrumenter module, imported on first use. */
export function loadInstrumenter(): Promise<InstrumenterModule> {
  loading ??= import('../instrument/index.js') as Promise<InstrumenterModule>;
  return loading;
}

/** True when the text may mention a relevant name, or the configuration names routines itself. */
export function mayNeedInstrumenting(text: string, roles: RoleConfig): boolean {
  if (roles.allFunctions || (roles.dispatch?.length ?? 0) > 0 || (roles.cancel?.length ?? 0) > 0) return true;
  return PREFILTER.test(text);
}
