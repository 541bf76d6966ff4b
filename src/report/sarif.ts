// SARIF 2.1.0 report for GitHub code scanning and VS Code: one run, a rule per violation kind and lock rule, one result per distinct violation.
import { createHash } from 'node:crypto';
import { isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { ViolationKind } from '../model/index.js';
import { SPIN_LOCK_KINDS, VIOLATION_KINDS, VIOLATION_TEXT } from '../model/index.js';
import type { LockRule } from '../model/lock-api.js';
import { LOCK_FORM_BY_NAME } from '../model/lock-api.js';
import type { FileSummary, Location, Report, ViolationSummary } from './merge.js';
import { staticNotes, staticResults, staticRules } from './sarif-static.js';
import { frameText } from './call-stack.js';
import { findingResults, findingRules } from './sarif-findings.js';

const SPIN_RULES: readonly LockRule[] = ['SpinLock', 'SpinLockDpc', 'QueuedSpinLock'];

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const RULE_URL = 'https://learn.microsoft.com/windows-hardware/drivers/devtest/wdm-cancelspinlock';
/** The uriBaseId of every relative URI: the report root (--source-root, else the working directory). */
export const SRCROOT = 'SRCROOT';
/** GitHub code scanning keeps at most this many results per run; stack frames are capped to keep files small. */
export const MAX_RESULTS = 25_000;
export const MAX_FRAMES = 100;

export interface RuleText {
  name: string;
  short: string;
  full: string;
  help: string;
}

/** What each violation kind means and how to fix it (SARIF rules; the HTML report shows the same help). */
export const RULES: Record<ViolationKind, RuleText> = {
  'double-acquire': {
    name: 'DoubleAcquire',
    short: 'The cancel spin lock is acquired again by the thread that holds it.',
    full: 'IoAcquireCancelSpinLock was called by a thread that already holds the cancel spin lock. Spin locks are not recursive: on a real system the second acquire spins forever at DISPATCH_LEVEL and the machine hangs. The CancelSpinLock rule requires a release between two acquires.',
    help: 'Release the cancel spin lock (IoReleaseCancelSpinLock) before acquiring it again. A cancel routine must not acquire it at all: the I/O manager already holds it when it calls the routine.',
  },
  'release-not-held': {
    name: 'ReleaseNotHeld',
    short: 'The cancel spin lock is released while nobody holds it.',
    full: 'IoReleaseCancelSpinLock was called while the cancel spin lock was free. The CancelSpinLock rule requires every release to follow an acquire. Releasing a free lock corrupts the lock and lowers the IRQL to a value nobody saved.',
    help: 'Release only on paths where the lock was acquired, and only once. Look for a second release on an error path, or a release in a cancel routine that already released the lock the I/O manager took.',
  },
  'release-other-thread': {
    name: 'ReleaseByOtherThread',
    short: 'The cancel spin lock is released by a thread that does not hold it.',
    full: 'IoReleaseCancelSpinLock was called by one thread while another thread held the cancel spin lock. A spin lock is released on the processor that acquired it, restoring the IRQL that acquire saved; releasing it elsewhere breaks both.',
    help: 'Acquire and release the cancel spin lock in the same thread, on the same path, and hold it only briefly. Do not hand the lock to another routine or work item.',
  },
  'dispatch-exit-held': {
    name: 'DispatchExitHeld',
    short: 'A dispatch routine returns holding the cancel spin lock.',
    full: 'A dispatch routine returned while its thread held the cancel spin lock. The CancelSpinLock rule requires the driver to release the cancel spin lock before each dispatch routine returns; otherwise the processor stays at DISPATCH_LEVEL and every later acquire deadlocks.',
    help: 'Release the lock with IoReleaseCancelSpinLock on every path out of the routine, including early returns and error paths. The result shows the path from the acquire to the return taken.',
  },
  'cancel-exit-held': {
    name: 'CancelExitHeld',
    short: 'A cancel routine returns holding the cancel spin lock.',
    full: 'A cancel routine returned while its thread held the cancel spin lock. The I/O manager calls a cancel routine with the cancel spin lock held; the CancelSpinLock rule requires the routine to release it, with IoReleaseCancelSpinLock(Irp->CancelIrql), on every path before it returns.',
    help: 'Call IoReleaseCancelSpinLock(Irp->CancelIrql) on every path through the cancel routine, usually first thing after removing the IRP from the driver\'s queue.',
  },
  'irql-mismatch': {
    name: 'IrqlMismatch',
    short: 'A spin lock is released with an IRQL other than the one its acquire saved.',
    full: 'A spin-lock release (IoReleaseCancelSpinLock, KeReleaseSpinLock and the other forms that restore an IRQL) was passed an IRQL other than the one saved by the acquire that took the lock (or, for the cancel lock in a cancel routine, Irp->CancelIrql). The processor is left at the wrong IRQL after the release.',
    help: 'Pass the IRQL that the matching acquire stored (the variable given to IoAcquireCancelSpinLock, KeAcquireSpinLock or the value KeAcquireSpinLockRaiseToDpc returned), or Irp->CancelIrql when releasing the lock the I/O manager took for a cancel routine.',
  },
  'spin-lock-exit-held': {
    name: 'SpinLockExitHeld',
    short: 'A dispatch or cancel routine returns holding a spin lock it acquired.',
    full: 'A dispatch or cancel routine returned while its thread held a spin lock (a KSPIN_LOCK, queued, interrupt or executive spin lock) that it acquired after the routine was entered. The CancelSpinLock rule requires that the driver hold no spin lock when a dispatch or cancel routine ends: the processor stays at DISPATCH_LEVEL and the next acquire of the lock deadlocks.',
    help: 'Release the lock (KeReleaseSpinLock, KeReleaseInStackQueuedSpinLock, ...) on every path out of the routine, including early returns and error paths. The result names the lock and where it was acquired.',
  },
  'spin-lock-double-acquire': {
    name: 'SpinLockDoubleAcquire',
    short: 'A spin lock is acquired again by the thread that holds it.',
    full: 'A spin lock was acquired by a thread that already held it. Spin locks are not recursive: on a real system the second acquire spins forever and the machine hangs. The Static Driver Verifier spin-lock rules require a release between two acquires of the same lock.',
    help: 'Release the lock before acquiring it again, or restructure the code so that a helper called with the lock held does not take it again. The result names where the lock was first acquired.',
  },
  'spin-lock-release-not-held': {
    name: 'SpinLockReleaseNotHeld',
    short: 'A spin lock is released while nobody holds it.',
    full: 'A spin lock was released while it was free (or its in-stack queue handle held no lock). The Static Driver Verifier spin-lock rules require every release to follow an acquire of the same lock; releasing a free lock corrupts it and lowers the IRQL to a value nobody saved.',
    help: 'Release only on paths where the lock was acquired, and only once. Look for a second release on an error path, or a release through the wrong lock or handle.',
  },
  'spin-lock-release-other-thread': {
    name: 'SpinLockReleaseByOtherThread',
    short: 'A spin lock is released by a thread that does not hold it.',
    full: 'A spin lock was released by one thread while another thread held it. A spin lock is released on the processor that acquired it, restoring the IRQL that acquire saved; releasing it elsewhere breaks both.',
    help: 'Acquire and release each spin lock in the same thread, on the same path. Do not hand a held lock to another routine, DPC or work item.',
  },
};

/** The SDV rules a kind is filed under: the alternation kinds under the rule of the form at the violation's call. */
const KIND_RULES: Record<ViolationKind, readonly LockRule[]> = {
  'double-acquire': ['CancelSpinLock'],
  'release-not-held': ['CancelSpinLock'],
  'release-other-thread': ['CancelSpinLock'],
  'dispatch-exit-held': ['CancelSpinLock'],
  'cancel-exit-held': ['CancelSpinLock'],
  'irql-mismatch': ['CancelSpinLock'],
  'spin-lock-exit-held': ['CancelSpinLock'],
  'spin-lock-double-acquire': SPIN_RULES,
  'spin-lock-release-not-held': SPIN_RULES,
  'spin-lock-release-other-thread': SPIN_RULES,
};

/** Every rule descriptor, in kind order. */
export const RULE_IDS: ReadonlyArray<{ kind: ViolationKind; id: string }> = VIOLATION_KINDS.flatMap((kind) =>
  KIND_RULES[kind].map((rule) => ({ kind, id: `${rule}/${kind}` })));

/** The rule id of a violation: `<LockRule>/<kind>`, the rule taken from the lock form called at the violation (lock-api.ts). */
export function ruleId(kind: ViolationKind, api?: string): string {
  const rules = KIND_RULES[kind];
  const rule = api ? LOCK_FORM_BY_NAME.get(api)?.rule : undefined;
  return `${rule && rules.includes(rule) ? rule : rules[0]}/${kind}`;
}

/** Plain-text SARIF message content: braces doubled (§3.11.5), brackets escaped so no embedded link forms (§3.11.6). */
export function sarifText(s: string): string {
  return s.replace(/[{}]/g, '$&$&').replace(/[[\]]/g, '\\$&');
}

/** A display path as a SARIF artifact location: relative ones under SRCROOT, absolute ones as file: URIs. */
export function artifactLocation(file: string): Sarif.ArtifactLocation {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: file.split(sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function physical(l: Location, index: Map<string, number>): Sarif.PhysicalLocation {
  const i = index.get(l.file);
  return {
    artifactLocation: { ...artifactLocation(l.file), ...(i !== undefined ? { index: i } : {}) },
    region: { startLine: Math.max(l.line, 1), ...(l.column > 0 ? { startColumn: l.column } : {}) },
  };
}

export function location(l: Location, index: Map<string, number>, message?: string): Sarif.Location {
  return {
    physicalLocation: physical(l, index),
    ...(l.function ? { logicalLocations: [{ name: l.function, fullyQualifiedName: l.function, kind: 'function' }] } : {}),
    ...(message ? { message: { text: message } } : {}),
  };
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const where = (l: Location) => `${l.file}:${l.line}:${l.column}`;
/** What happened at a violation's location: a routine exit, a second acquire, or a release. */
export const KIND_EVENT: Record<ViolationKind, 'exit' | 'acquire' | 'release'> = {
  'double-acquire': 'acquire',
  'release-not-held': 'release',
  'release-other-thread': 'release',
  'dispatch-exit-held': 'exit',
  'cancel-exit-held': 'exit',
  'irql-mismatch': 'release',
  'spin-lock-exit-held': 'exit',
  'spin-lock-double-acquire': 'acquire',
  'spin-lock-release-not-held': 'release',
  'spin-lock-release-other-thread': 'release',
};
const isExit = (k: ViolationKind) => KIND_EVENT[k] === 'exit';

/** The lock a violation is about, in words: the cancel spin lock, or a spin lock and its expression text. */
export function lockWords(v: ViolationSummary): string {
  const spin = SPIN_LOCK_KINDS.includes(v.kind) || (v.api !== undefined && LOCK_FORM_BY_NAME.get(v.api)?.family !== 'cancel');
  if (!spin) return 'cancel spin lock';
  return v.lock ? `spin lock ${v.lock}` : 'spin lock';
}

function message(v: ViolationSummary, acquireLinkId: number | null): string {
  let text = sarifText(capital(VIOLATION_TEXT[v.kind]));
  if (v.location.function) text += ` in '${sarifText(v.location.function)}'`;
  if (v.lock) text += ` (lock '${sarifText(v.lock)}')`;
  text += '.';
  if (v.acquire && acquireLinkId !== null) {
    const by = v.byIoManager ? 'The I/O manager acquired the lock before calling the routine, at' : 'The lock was acquired at';
    text += ` ${by} [${sarifText(where(v.acquire))}](${acquireLinkId})`;
    if (v.acquire.function && !v.byIoManager) text += ` in '${sarifText(v.acquire.function)}'`;
    text += '.';
  }
  if (v.irqlAcquired !== undefined && v.irqlReleased !== undefined) {
    text += ` Saved IRQL ${v.irqlAcquired}, released with ${v.irqlReleased}.`;
  }
  if (v.count > 1 || v.processes > 1) text += ` Seen ${v.count} time(s) in ${v.processes} process(es).`;
  return text;
}

/** Routine frames as a SARIF stack, innermost first (capped). */
function stack(v: ViolationSummary, index: Map<string, number>): Sarif.Stack {
  const frames = [...v.stack].reverse().slice(0, MAX_FRAMES);
  return {
    message: { text: 'Instrumented routines on the thread, innermost first.' },
    frames: frames.map((f) => ({ location: location(f, index, f.function ? `Routine '${sarifText(f.function)}' entered here.` : 'Routine entered here.') })),
  };
}

/** A result's stacks: the routine stack, then the call stack, each when there is one. */
function stacksOf(v: ViolationSummary, index: Map<string, number>): Sarif.Stack[] {
  return [...(v.stack.length > 0 ? [stack(v, index)] : []), ...(v.callStack?.length ? [callStack(v, index)] : [])];
}

/** The thread's call stack at the violation (SARIF 2.1.0 §3.44 stack, §3.45 stackFrame), innermost first (capped). */
function callStack(v: ViolationSummary, index: Map<string, number>): Sarif.Stack {
  const frames = (v.callStack ?? []).slice(0, MAX_FRAMES).map((f): Sarif.StackFrame => {
    const text = sarifText(frameText(f));
    const loc: Sarif.Location = f.file && f.line
      ? location({ file: f.file, line: f.line, column: 0, function: f.function ?? null }, index, text)
      : { ...(f.function ? { logicalLocations: [{ name: f.function, fullyQualifiedName: f.function, kind: 'function' }] } : {}), message: { text } };
    return { location: loc, module: f.module };
  });
  return { message: { text: 'Call stack of the thread at the violation, innermost first.' }, frames };
}

/** The path from the acquire to the violation, as one thread flow. */
function codeFlow(v: ViolationSummary, index: Map<string, number>): Sarif.CodeFlow | null {
  if (!v.acquire) return null;
  const acquireText = v.byIoManager
    ? 'The I/O manager acquired the cancel spin lock and called this cancel routine.'
    : `${sarifText(capital(lockWords(v)))} acquired here.`;
  const event = KIND_EVENT[v.kind];
  const endText = event === 'exit'
    ? 'The routine returns here with the lock still held.'
    : event === 'acquire' ? 'Acquired again here.' : 'Released here.';
  const endKinds = event === 'exit' ? ['exit', 'function'] : event === 'acquire' ? ['acquire', 'lock'] : ['release', 'lock'];
  return {
    message: { text: `From the acquire of the ${sarifText(lockWords(v))} to the violation.` },
    threadFlows: [{
      locations: [
        { location: location(v.acquire, index, acquireText), kinds: v.byIoManager ? ['acquire', 'enter'] : ['acquire', 'lock'], executionOrder: 1, importance: 'essential', nestingLevel: 0 },
        { location: location(v.location, index, endText), kinds: endKinds, executionOrder: 2, importance: 'essential', nestingLevel: 0, stack: stack(v, index) },
      ],
    }],
  };
}

/** A fingerprint that survives line moves: kind, file, function and the violation's rank among its peers. */
function fingerprints(violations: ViolationSummary[]): string[] {
  const seen = new Map<string, number>();
  return violations.map((v) => {
    const key = [v.kind, v.location.file, v.location.function ?? ''].join('\0');
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return createHash('sha256').update(`${key}\0${n}`).digest('hex').slice(0, 32);
  });
}

export interface SarifOptions {
  sourceRoot: string;
  toolVersion: string;
  /** Source text for region snippets, when shown. */
  sourceText?: (file: FileSummary) => string | null;
}

/** Builds the SARIF log object. */
export function sarifLog(report: Report, options: SarifOptions): Sarif.Log {
  const artifacts: Sarif.Artifact[] = report.files.map((f) => ({ location: artifactLocation(f.file), sourceLanguage: 'c' }));
  const index = new Map(report.files.map((f, i) => [f.file, i]));
  const kept = report.violations.slice(0, MAX_RESULTS);
  const prints = fingerprints(kept);
  const sources = new Map(report.files.map((f) => [f.file, f]));
  const lineCache = new Map<string, string[] | null>();
  const snippet = (l: Location): string | undefined => {
    if (!lineCache.has(l.file)) {
      const f = sources.get(l.file);
      const text = f && options.sourceText ? options.sourceText(f) : null;
      lineCache.set(l.file, text === null ? null : text.split(/\r?\n/));
    }
    return lineCache.get(l.file)?.[l.line - 1];
  };
  const primary = (l: Location): Sarif.Location => {
    const loc = location(l, index);
    const text = snippet(l);
    if (text !== undefined && loc.physicalLocation?.region) loc.physicalLocation.region.snippet = { text };
    return loc;
  };
  const results: Sarif.Result[] = kept.map((v, i) => {
    const flow = codeFlow(v, index);
    return {
      ruleId: ruleId(v.kind, v.api),
      ruleIndex: RULE_IDS.findIndex((r) => r.id === ruleId(v.kind, v.api)),
      level: 'error',
      kind: 'fail',
      message: { text: message(v, flow ? 1 : null) },
      locations: [primary(v.location)],
      ...(flow && v.acquire ? { relatedLocations: [{ id: 1, ...location(v.acquire, index, `${sarifText(capital(lockWords(v)))} acquired here.`) }] } : {}),
      ...(flow ? { codeFlows: [flow] } : {}),
      ...(v.stack.length > 0 || v.callStack?.length ? { stacks: stacksOf(v, index) } : {}),
      partialFingerprints: { 'spincheckViolation/v1': prints[i] as string },
      occurrenceCount: v.count,
      properties: { processes: v.processes, byIoManager: v.byIoManager },
    };
  });
  const extraRules = staticRules(report);
  results.push(...staticResults(report, index, extraRules, RULE_IDS.length));
  const modelRules = findingRules(report);
  results.push(...findingResults(report, modelRules, RULE_IDS.length + extraRules.length));
  const notes: Sarif.Notification[] = [...report.problems.map((p): Sarif.Notification => ({ level: 'warning', message: { text: sarifText(p) } })), ...staticNotes(report)];
  notes.push(...report.notes.map((n): Sarif.Notification => ({ level: 'note', message: { text: sarifText(n) } })));
  if (report.unchecked) notes.push({ level: 'error', message: { text: sarifText(`Nothing was checked: ${report.unchecked}.`) } });
  if (report.violations.length > kept.length) {
    notes.push({ level: 'warning', message: { text: `${report.violations.length - kept.length} result(s) left out: GitHub code scanning accepts at most ${MAX_RESULTS} per run.` } });
  }
  const root = pathToFileURL(options.sourceRoot.endsWith(sep) ? options.sourceRoot : `${options.sourceRoot}${sep}`).href;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'spincheck',
          fullName: 'spincheck: run-time checking of the WDM CancelSpinLock rule',
          version: options.toolVersion,
          semanticVersion: options.toolVersion,
          informationUri: RULE_URL,
          rules: [...RULE_IDS.map(({ kind, id }): Sarif.ReportingDescriptor => {
            const r = RULES[kind];
            return {
              id,
              name: r.name,
              shortDescription: { text: r.short },
              fullDescription: { text: r.full },
              help: {
                text: `${r.help} See the CancelSpinLock rule: ${RULE_URL}`,
                markdown: `${r.help}\n\nSee the [CancelSpinLock rule](${RULE_URL}) of the Static Driver Verifier.`,
              },
              helpUri: RULE_URL,
              defaultConfiguration: { level: 'error' },
              properties: { tags: ['correctness', 'concurrency', 'wdm', id.slice(0, id.indexOf('/'))], precision: 'very-high', 'problem.severity': 'error' },
            };
          }), ...extraRules, ...modelRules],
        },
      },
      originalUriBaseIds: { [SRCROOT]: { uri: root, description: { text: 'The report root (--source-root).' } } },
      artifacts,
      invocations: [{ executionSuccessful: true, ...(notes.length > 0 ? { toolExecutionNotifications: notes } : {}) }],
      results,
      columnKind: 'utf16CodeUnits',
    }],
  };
}

export function renderSarif(report: Report, options: SarifOptions): string {
  return `${JSON.stringify(sarifLog(report, options), null, 2)}\n`;
}
