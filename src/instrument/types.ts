// The instrumenter's input options and result.
import type { Routine, Site, Unchecked } from '../model/index.js';
import type { SyntaxNode } from './parse.js';
import type { Insertion } from './rewriter.js';
import type { RoleTable } from './roles.js';

export type Dialect = 'gnu' | 'msvc';

/** A project header found for `#include "spec"`; resolved by the caller (IO stays outside). */
export interface ResolvedInclude {
  path: string;
  text: string;
}

export interface RoleConfig {
  /** Function names or `*` glob patterns to treat as dispatch / cancel routines. */
  dispatch?: string[];
  cancel?: string[];
  /** Treat every function definition as a dispatch routine (fuzzing). */
  allFunctions?: boolean;
}

export interface InstrumentOptions {
  /** Translation-unit id (see model/tu-id). */
  tuId: string;
  /** Source path as the compile command spells it; written into the trailer for run-time messages. */
  sourceName?: string;
  /** Build-time data directory written into the trailer; the runtime may override it. */
  dataDir?: string;
  dialect?: Dialect;
  /** Looks up a quoted include (relative to the including file's directory, then the -iquote/-I dirs). */
  resolveInclude?: (spec: string, includerPath: string | undefined) => ResolvedInclude | undefined;
  roles?: RoleConfig;
  /** Strict mode: report a file that cannot be instrumented as an error instead of compiling it unchanged. */
  strict?: boolean;
  /** cl: a library the linker should pull in (`#pragma comment(lib, ...)` inside the prelude block). */
  pragmaLib?: string;
  /** Called with the parse and the roles once they are made (the path analysis shares them). */
  onParsed?: (unit: ParsedUnit) => void;
}

/** One parse of a unit (annotations blanked, same offsets as the source) and the roles found for it. */
export interface ParsedUnit {
  source: string;
  root: SyntaxNode;
  roles: RoleTable;
  config?: RoleConfig;
}

export interface InstrumentResult {
  /** Rewritten text; equal to the input when nothing was instrumented. */
  code: string;
  changed: boolean;
  sites: Site[];
  routines: Routine[];
  unchecked: Unchecked[];
  diagnostics: string[];
  /** Every insertion made (removing them gives back the input). */
  insertions: Insertion[];
  /** Set when the file was left unchanged although it mentions the lock (parse trouble, already instrumented...). */
  uninstrumentedReason?: string;
}
