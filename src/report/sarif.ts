// SARIF 2.1.0 report for GitHub code scanning and VS Code: one run, six rules, one result per distinct violation.
import { createHash } from 'node:crypto';
import { isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { ViolationKind } from '../model/index.js';
import { VIOLATION_KINDS, VIOLATION_TEXT } from '../model/index.js';
import type { FileSummary, Location, Report, ViolationSummary } from './merge.js';
import { staticNotes, staticResults, staticRules } from './sarif-static.js';

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
    short: 'The cancel spin lock is released with an IRQL other than the one its acquire saved.',
    full: 'IoReleaseCancelSpinLock was passed an IRQL other than the one saved by the IoAcquireCancelSpinLock that took the lock (or, in a cancel routine, Irp->CancelIrql). The processor is left at the wrong IRQL after the release.',
    help: 'Pass the IRQL that the matching acquire stored (the variable given to IoAcquireCancelSpinLock), or Irp->CancelIrql when releasing the lock the I/O manager took for a cancel routine.',
  },
};

export const ruleId = (kind: ViolationKind) => `CancelSpinLock/${kind}`;

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
const isExit = (k: ViolationKind) => k === 'dispatch-exit-held' || k === 'cancel-exit-held';

function message(v: ViolationSummary, acquireLinkId: number | null): string {
  let text = sarifText(capital(VIOLATION_TEXT[v.kind]));
  if (v.location.function) text += ` in '${sarifText(v.location.function)}'`;
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

/** The path from the acquire to the violation, as one thread flow. */
function codeFlow(v: ViolationSummary, index: Map<string, number>): Sarif.CodeFlow | null {
  if (!v.acquire) return null;
  const acquireText = v.byIoManager
    ? 'The I/O manager acquired the cancel spin lock and called this cancel routine.'
    : 'Cancel spin lock acquired here.';
  const endText = isExit(v.kind)
    ? 'The routine returns here with the lock still held.'
    : v.kind === 'double-acquire' ? 'Acquired again here.' : 'Released here.';
  const endKinds = isExit(v.kind) ? ['exit', 'function'] : v.kind === 'double-acquire' ? ['acquire', 'lock'] : ['release', 'lock'];
  return {
    message: { text: 'From the acquire of the cancel spin lock to the violation.' },
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
      ruleId: ruleId(v.kind),
      ruleIndex: VIOLATION_KINDS.indexOf(v.kind),
      level: 'error',
      kind: 'fail',
      message: { text: message(v, flow ? 1 : null) },
      locations: [primary(v.location)],
      ...(flow && v.acquire ? { relatedLocations: [{ id: 1, ...location(v.acquire, index, 'Cancel spin lock acquired here.') }] } : {}),
      ...(flow ? { codeFlows: [flow] } : {}),
      ...(v.stack.length > 0 ? { stacks: [stack(v, index)] } : {}),
      partialFingerprints: { 'spincheckViolation/v1': prints[i] as string },
      occurrenceCount: v.count,
      properties: { processes: v.processes, byIoManager: v.byIoManager },
    };
  });
  const extraRules = staticRules(report);
  results.push(...staticResults(report, index, extraRules, VIOLATION_KINDS.length));
  const notes: Sarif.Notification[] = [...report.problems.map((p): Sarif.Notification => ({ level: 'warning', message: { text: sarifText(p) } })), ...staticNotes(report)];
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
          rules: [...VIOLATION_KINDS.map((kind): Sarif.ReportingDescriptor => {
            const r = RULES[kind];
            return {
              id: ruleId(kind),
              name: r.name,
              shortDescription: { text: r.short },
              fullDescription: { text: r.full },
              help: {
                text: `${r.help} See the CancelSpinLock rule: ${RULE_URL}`,
                markdown: `${r.help}\n\nSee the [CancelSpinLock rule](${RULE_URL}) of the Static Driver Verifier.`,
              },
              helpUri: RULE_URL,
              defaultConfiguration: { level: 'error' },
              properties: { tags: ['correctness', 'concurrency', 'wdm', 'CancelSpinLock'], precision: 'very-high', 'problem.severity': 'error' },
            };
          }), ...extraRules],
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
