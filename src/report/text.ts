// Text report: a table per file and routine, then compiler-style lines editors jump to.
import { isAbsolute, relative } from 'node:path';
import { ROLE_SOURCE_TEXT, VIOLATION_TEXT } from '../model/index.js';
import { coverageSites } from './merge.js';
import type { StaticReport } from './static.js';
import { executedText, openFindings } from './static.js';
import type { Location, Report, ViolationSummary } from './merge.js';
import { plural } from './words.js';
import { ruleId } from './sarif.js';
import { frameText } from './call-stack.js';
import { findingLines } from './findings.js';

export interface TextOptions {
  color: boolean;
  /** The report root: a source outside it is shown relative to it too (`../kit/wdm_user.c`), as the runtime's
   *  messages spell it when the build ran there; without it, as the model has it (absolute). */
  root?: string;
}

const paint = (on: boolean, code: string, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** Data strings reach a terminal: control characters (escape sequences, line ends) are shown as `?`. */
export const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');

/** A display path in the text report's one style: relative to the root, `..` included. */
const shown = (file: string, root: string | undefined) => clean(root && isAbsolute(file) ? relative(root, file) : file);

const where = (l: Location, root?: string) => `${shown(l.file, root)}:${l.line}:${l.column}`;

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd());
}

/** One compiler-style diagnostic for a violation. */
export function diagnosticLine(v: ViolationSummary, root?: string): string {
  const parts = [VIOLATION_TEXT[v.kind]];
  if (v.location.function) parts.push(`in ${clean(v.location.function)}`);
  if (v.lock) parts.push(`lock ${clean(v.lock)}`);
  if (v.byIoManager) parts.push('lock taken by the I/O manager before the cancel routine ran');
  else if (v.acquire) parts.push(`acquired at ${where(v.acquire, root)}`);
  if (v.irqlAcquired !== undefined && v.irqlReleased !== undefined) {
    parts.push(`saved IRQL ${v.irqlAcquired}, released with ${v.irqlReleased}`);
  }
  if (v.count > 1) parts.push(`${v.count} times`);
  return `${where(v.location, root)}: error: [${ruleId(v.kind, v.api)}] ${parts.join('; ')}`;
}

/** A violation's call stack as indented `at function file:line` lines, innermost first. */
export function callStackLines(v: ViolationSummary, root?: string): string[] {
  return (v.callStack ?? []).map((f) => `    at ${clean(frameText(f, (p) => shown(p, root)))}`);
}

/** Static findings as compiler warnings with their path as notes; confirmed ones as a note on their violation. */
export function staticLines(r: StaticReport, root?: string): string[] {
  const out: string[] = [];
  for (const f of r.findings) {
    if (f.confirmed) {
      const at = f.confirmedBy && (f.confirmedBy.file !== f.location.file || f.confirmedBy.line !== f.location.line) ? `the run's violation at ${where(f.confirmedBy, root)}` : 'the violation above';
      out.push(`${where(f.location, root)}: note: [${clean(f.ruleId)}] the path check found ${at} too`);
      continue;
    }
    out.push(`${where(f.location, root)}: warning: [${clean(f.ruleId)}] ${clean(f.message)}; ${executedText(f)}`);
    for (const s of f.path) out.push(`${where(s, root)}: note: ${clean(s.text)}`);
  }
  if (r.notAnalysed.length > 0) {
    out.push(`spincheck: note: ${r.notAnalysed.length} function(s) using a lock not analysed by the path check (${r.notAnalysed.map((n) => `${clean(n.function)}: ${clean(n.reason)}`).slice(0, 3).join('; ')}${r.notAnalysed.length > 3 ? '; ...' : ''})`);
  }
  return out;
}

/** The summary's words for the path check, when a unit was analysed. */
function staticSummary(r: StaticReport): string {
  if (r.units === 0) return '';
  return `; ${plural(openFindings(r).length, 'static warning')} (${plural(r.analysed, 'function')} analysed, ${r.notAnalysed.length} not)`;
}

/** The summary's words for model findings, when there are any. */
const findingsSummary = (r: Report) => (r.findings.length > 0 ? `, ${plural(r.findings.length, 'model finding')}` : '');

/** The whole text report. */
export function renderText(report: Report, options: TextOptions): string {
  const c = options.color;
  const out: string[] = [];
  const rows: string[][] = [['File / routine', 'Role (found by)', 'Sites hit', 'Exits checked', 'Violations']];
  for (const f of report.files) {
    const cov = coverageSites(f);
    const mark = !f.instrumented ? ' [uninstrumented]' : f.stale ? ' [stale]' : f.noRunData ? ' [no run data]' : '';
    const fileViolations = report.violations.filter((v) => v.location.file === f.file).length;
    rows.push([
      `${shown(f.file, options.root)}${mark}`,
      '',
      `${cov.filter((s) => s.hits > 0).length}/${cov.length}`,
      String(f.sites.filter((s) => s.kind === 'routine-exit').reduce((n, s) => n + s.hits, 0)),
      String(fileViolations),
    ]);
    for (const r of f.routines) {
      const sites = cov.filter((s) => s.function === r.name);
      const v = report.violations.filter((x) => x.location.file === f.file && x.location.function === r.name).length;
      rows.push([
        `  ${clean(r.name)}`,
        `${r.role} (${ROLE_SOURCE_TEXT[r.roleSource]})`,
        `${sites.filter((s) => s.hits > 0).length}/${sites.length}`,
        String(r.exits),
        String(v),
      ]);
    }
  }
  const t = report.totals;
  out.push(paint(c, '1', `spincheck: CancelSpinLock report (${plural(report.files.length, 'file')}, ${plural(report.processes, 'process')})`));
  out.push(...table(rows));
  out.push('');
  for (const v of report.violations) out.push(paint(c, '31', diagnosticLine(v, options.root)), ...callStackLines(v, options.root));
  for (const line of findingLines(report.findings)) out.push(paint(c, '31', clean(line)));
  for (const line of staticLines(report.static, options.root)) out.push(line.includes(': warning: ') ? paint(c, '33', line) : line);
  for (const f of report.files) {
    const file = shown(f.file, options.root);
    if (!f.instrumented) out.push(`${file}: warning: not instrumented: ${clean(f.reason ?? 'unknown reason')}`);
    for (const u of f.unchecked) out.push(`${file}:${u.line}:${u.column}: warning: ${clean(u.name)} not checked: ${clean(u.reason)}`);
  }
  const linked = report.files.filter((f) => f.instrumented && f.noRunData);
  if (report.unchecked) out.push(paint(c, '33', `spincheck: warning: nothing was checked: ${report.unchecked}`));
  if (report.processes === 0 && report.static.units > 0) out.push('spincheck: note: without run data the report shows the build data and the path check only');
  else if (linked.length > 0) {
    out.push(`spincheck: note: ${plural(linked.length, 'instrumented file')} never ran (not reached by the tests, or runtime not linked)`);
  }
  for (const p of report.problems) out.push(paint(c, '33', `spincheck: warning: ${clean(p)}`));
  for (const n of report.notes) out.push(`spincheck: note: ${clean(n)}`);
  const summary = `${plural(t.violations, 'violation')}${findingsSummary(report)}; sites hit ${t.sitesHit}/${t.sites}; ${plural(t.exitsChecked, 'routine exit')} checked; ${plural(t.routines, 'routine')}${staticSummary(report.static)}`;
  out.push(paint(c, t.violations > 0 || report.findings.length > 0 ? '1;31' : report.unchecked ? '1;33' : '1;32', `SUMMARY: spincheck: ${summary}${report.unchecked ? ' (nothing checked)' : ''}`));
  return `${out.join('\n')}\n`;
}
