// The one definition of spincheck's data files: site databases (compile) and run data (test run).
import { PER_LOCK_KINDS } from './kinds.js';
import type { ExitVia, ModelFindingKind, Role, RoleSource, SiteKind, ViolationKind } from './kinds.js';

export const SITES_FORMAT = 'spincheck-sites';
export const RUN_FORMAT = 'spincheck-run';
/** Bumped on any incompatible change; the C runtime writes RUN_VERSION (src/runtime-c/spincheck_format.h).
 *  Run format 2 added the call stack of a violation (`modules`, `frames`), 3 the kernel model's `finding` record;
 *  readers accept 1 to 3. */
export const SITES_VERSION = 1;
export const RUN_VERSION = 3;

/** Sub-directories of a data directory. */
export const SITES_DIR = 'sites';
export const RUNS_DIR = 'runs';
/** `spincheck run` gives each run a data directory of its own under `<data dir>/run/`. */
export const RUN_SUBDIR = 'run';

export interface Site {
  /** Index inside its translation unit; the id is `${tu}:${index}`. */
  index: number;
  kind: SiteKind;
  /** 1-based line and column in the original source. */
  line: number;
  column: number;
  /** Enclosing function, or null at file scope (a #define body). */
  function: string | null;
  role?: Role;
  roleSource?: RoleSource;
  /** For routine exits. */
  via?: ExitVia;
  /** For sites inside a #define body: the macro's name. */
  macro?: string;
  /** Lock calls: the API form called (a name in src/model/lock-api.ts). */
  api?: string;
  /** Lock calls of a form that names its lock: the lock (or in-stack handle) argument's text, e.g. `&ext->QueueLock`. */
  lock?: string;
}

export interface Routine {
  name: string;
  role: Role;
  roleSource: RoleSource;
  line: number;
  entrySite: number;
}

export interface Unchecked {
  line: number;
  column: number;
  name: string;
  reason: string;
}

export interface SiteDatabase {
  format: typeof SITES_FORMAT;
  version: number;
  tu: string;
  /** Source path as the compile named it, and absolute. */
  source: string;
  sourceAbs: string;
  /** sha1 of the source bytes at compile time (stale detection). */
  sourceHash: string;
  instrumented: boolean;
  /** Why a file was compiled unchanged. */
  reason?: string;
  sites: Site[];
  routines: Routine[];
  unchecked: Unchecked[];
  diagnostics: string[];
  /** The compile-time path analysis of this unit (absent in files written before it existed). */
  analysis?: StaticAnalysis;
}

/** What a static finding says (the run-time kinds it corresponds to are in kinds.ts, STATIC_TO_VIOLATION). */
export type StaticFindingKind = 'exit-held' | 'double-acquire' | 'release-not-held';

/** One step of a finding's path, in source order of execution. */
export interface PathStep {
  line: number;
  column: number;
  what: 'entry' | 'acquire' | 'release' | 'branch' | 'case' | 'call' | 'exit';
  text: string;
}

/** A call to a function defined elsewhere, on a finding's path (a cross-file summary may explain the finding). */
export interface PathCall {
  name: string;
  args: string[];
}

export interface StaticFinding {
  kind: StaticFindingKind;
  /** The lock, as the analysis names it: `cancel`, `vpb`, or the normalised lock expression. */
  lock: string;
  /** The rule the lock's API belongs to (lock-api.ts). */
  rule: 'CancelSpinLock' | 'SpinLock' | 'SpinLockDpc' | 'QueuedSpinLock';
  function: string;
  role?: Role;
  /** Where the finding is: the exit (exit-held) or the call (the others). */
  line: number;
  column: number;
  /** For exit-held: how the exit is left. */
  via?: ExitVia;
  path: PathStep[];
  /** Calls to functions not defined in this file made on the path after the lock changed. */
  calls?: PathCall[];
}

/** A function's net lock effect per distinct exit: the locks it leaves held or free (keys as in StaticFinding.lock). */
export interface FunctionSummary {
  name: string;
  params: string[];
  exits: Array<Record<string, LockEffect>>;
}

/** What a function leaves a lock as, at one exit: held, free, or unknown (handed to a function of another file). */
export type LockEffect = 'held' | 'free' | 'unknown';

export interface NotAnalysed {
  function: string;
  line: number;
  reason: string;
}

export interface StaticAnalysis {
  /** Functions that use a lock (directly or through a helper) and were analysed. */
  analysed: number;
  findings: StaticFinding[];
  /** Summaries of the functions with a lock effect, for callers in other files. */
  summaries: FunctionSummary[];
  notAnalysed: NotAnalysed[];
}

/** First line of a run-data file. */
export interface RunHeader {
  format: typeof RUN_FORMAT;
  version: number;
  pid: number;
  startedAt: number;
}

/** A violation as the runtime writes it, the moment it happens. */
export interface ViolationRecord {
  t: 'violation';
  kind: ViolationKind;
  tu: string;
  site: number;
  /** Where the lock was taken (tu/site), or null when nobody held it; io-manager when the I/O manager's implicit acquire. */
  acquireTu: string | null;
  acquireSite: number | null;
  byIoManager: boolean;
  thread: number;
  /** Instrumented routine frames of the thread, innermost last: [tu, entry site]. */
  stack: Array<[string, number]>;
  /** Source line of the exit taken (exit kinds), when known. */
  irqlAcquired?: number;
  irqlReleased?: number;
  /** Run format 2: the files of the modules (executable, shared libraries, DLLs) the call stack's frames lie in. */
  modules?: string[];
  /** Run format 2: the thread's call stack at the violation, innermost first, as return addresses:
   *  [index into modules, offset from the module's load base]. It starts inside the runtime (spincheck_* frames). */
  frames?: Array<[number, number]>;
}

/** Counters of one translation unit: this process's totals so far, written at exit or by spincheck_dump();
 *  a later record for the same unit in the same run file replaces an earlier one. */
export interface CountersRecord {
  t: 'counters';
  tu: string;
  source: string;
  /** hits[i] = times site i ran; held[i] = times exit site i ran with the lock held. */
  hits: number[];
  held: number[];
}

/** Per-process totals for each distinct violation (violationKey), written with the counters. */
export interface ViolationCountRecord {
  t: 'violation-count';
  kind: ViolationKind;
  tu: string;
  site: number;
  /** The acquire of a per-lock kind (PER_LOCK_KINDS); absent for the other kinds. */
  acquireTu?: string;
  acquireSite?: number;
  count: number;
}

/** A finding of the model the harness runs on (the kernel model), appended when it happens
 *  (spincheck_model_finding in src/runtime-c/spincheck.h). */
export interface FindingRecord {
  t: 'finding';
  kind: ModelFindingKind;
  /** A bug check code, else 0. */
  code: number;
  message: string;
  /** The campaign run it happened in: the injection, its window and its IRP. */
  run?: string;
}

/** What makes a violation distinct in a process (and across processes): kind and site, and for a per-lock kind the
 *  acquire site, as the runtime counts them (spincheck_format.h SPINCHECK_PER_LOCK). */
export function violationKey(r: { kind: ViolationKind; tu: string; site: number; acquireTu?: string | null; acquireSite?: number | null }): string {
  const acquire = PER_LOCK_KINDS.includes(r.kind) && r.acquireTu != null && r.acquireSite != null ? `${r.acquireTu}:${r.acquireSite}` : '';
  return `${r.kind}\0${r.tu}\0${r.site}\0${acquire}`;
}

export type RunRecord = ViolationRecord | CountersRecord | ViolationCountRecord | FindingRecord;

/** Data directory when neither SPINCHECK_DIR nor the configuration names one (relative to the working directory). */
export const DEFAULT_DATA_DIR = '.spincheck';
