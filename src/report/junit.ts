// JUnit XML: a testsuite per file; a testcase per routine, and a failing testcase per distinct violation.
import { PER_LOCK_KINDS, VIOLATION_TEXT } from '../model/index.js';
import type { FileSummary, Location, Report, ViolationSummary } from './merge.js';
import { ruleId } from './sarif.js';
import { findingRuleId, findingText, findingTitle } from './findings.js';
import { executedText, openFindings } from './static.js';
import { callStackLines, diagnosticLine, staticLines } from './text.js';

/** Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF) become U+FFFD. */
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escapes text for an XML attribute or element. */
export function xml(s: string): string {
  return s
    .replace(INVALID_XML, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** Text content keeps its line ends (only attributes need them encoded). */
const text = (s: string) => xml(s).replace(/&#10;/g, '\n');

const attrs = (a: Record<string, string | number | undefined>) =>
  Object.entries(a).flatMap(([k, v]) => (v === undefined ? [] : [` ${k}="${xml(String(v))}"`])).join('');

interface Case {
  name: string;
  classname: string;
  file?: string;
  line?: number;
  body: string;
  failed: boolean;
  skipped: boolean;
}

function violationBody(v: ViolationSummary): string {
  const lines = [diagnosticLine(v)];
  if (v.acquire) lines.push(`  lock acquired${v.byIoManager ? ' by the I/O manager' : ''} at ${v.acquire.file}:${v.acquire.line}:${v.acquire.column}${v.acquire.function ? ` in ${v.acquire.function}` : ''}`);
  if (v.stack.length > 0) {
    lines.push('  routine stack (innermost first):');
    [...v.stack].reverse().forEach((f: Location, i) => lines.push(`    #${i} ${f.function ?? '?'} ${f.file}:${f.line}:${f.column}`));
  }
  if (v.callStack && v.callStack.length > 0) lines.push('  call stack (innermost first):', ...callStackLines(v));
  lines.push(`  seen ${v.count} time(s) in ${v.processes} process(es)`);
  const rule = ruleId(v.kind, v.api);
  const message = `[${rule}] ${VIOLATION_TEXT[v.kind]}${v.lock ? ` (lock ${v.lock})` : ''}`;
  return `<failure${attrs({ message, type: rule })}>${text(lines.join('\n'))}</failure>`;
}

/** A failing testcase per model finding (the kernel model's bug checks, leaks, stops, hangs). */
function findingCases(report: Report): Case[] {
  return report.findings.map((f, i) => ({
    name: `${f.kind} #${i + 1}${f.run ? `: ${f.run}` : ''}`,
    classname: 'kernel-model',
    body: `<failure${attrs({ message: `[${findingRuleId(f.kind)}] ${findingTitle(f.kind)}`, type: findingRuleId(f.kind) })}>${text(findingText(f))}</failure>`,
    failed: true,
    skipped: false,
  }));
}

/** The failing testcase of a run that checked nothing (see uncheckedReason). */
function uncheckedBody(reason: string): string {
  return `<failure${attrs({ message: 'nothing was checked', type: 'spincheck/unchecked' })}>${text(reason)}</failure>`;
}

function cases(f: FileSummary, violations: ViolationSummary[]): Case[] {
  const mine = violations.filter((v) => v.location.file === f.file);
  const out: Case[] = [];
  for (const r of f.routines) {
    if (mine.some((v) => v.location.function === r.name)) continue;
    const skipped = r.entries === 0;
    out.push({
      name: r.name,
      classname: f.file,
      file: f.file,
      line: r.line,
      body: skipped ? `<skipped${attrs({ message: r.role === 'candidate' ? 'candidate routine never ran as a registered dispatch or cancel routine: not checked' : `${r.role} routine never ran: its exits were not checked` })}/>` : '',
      failed: false,
      skipped,
    });
  }
  for (const v of mine) {
    out.push({
      // Per-lock kinds may hold several locks at one line: each testcase names its lock.
      name: `${v.location.function ?? '(file scope)'}: ${v.kind} at line ${v.location.line}${PER_LOCK_KINDS.includes(v.kind) && v.lock ? ` (${v.lock})` : ''}`,
      classname: f.file,
      file: v.location.file,
      line: v.location.line,
      body: violationBody(v),
      failed: true,
      skipped: false,
    });
  }
  return out;
}

/** A skipped testcase per open static finding of a file: a path the tests did not show to be safe (warnings do not fail). */
function staticCases(report: Report, file: string): Case[] {
  return openFindings(report.static)
    .filter((f) => f.location.file === file)
    .map((f) => ({
      name: `${f.location.function ?? '(file scope)'}: static ${f.kind} at line ${f.location.line}`,
      classname: file,
      file,
      line: f.location.line,
      body: `<skipped${attrs({ message: `[${f.ruleId}] ${f.message}; ${executedText(f)}` })}/><system-out>${text(staticLines({ ...report.static, findings: [f], notAnalysed: [] }).join('\n'))}</system-out>`,
      failed: false,
      skipped: true,
    }));
}

/** The whole JUnit document. */
export function renderJunit(report: Report): string {
  const known = new Set(report.files.map((f) => f.file));
  // Files without routines or violations have nothing to test; some CI parsers reject empty suites.
  const suites = report.files.map((f) => ({ name: f.file, cases: [...cases(f, report.violations), ...staticCases(report, f.file)] })).filter((s) => s.cases.length > 0);
  // Violations located in no known file (unknown unit) still fail somewhere visible.
  const orphans = report.violations.filter((v) => !known.has(v.location.file));
  if (orphans.length > 0) {
    suites.push({
      name: 'spincheck: unknown units',
      cases: orphans.map((v) => ({
        name: `${v.location.function ?? '(file scope)'}: ${v.kind}`,
        classname: v.location.file,
        file: v.location.file,
        line: v.location.line,
        body: violationBody(v),
        failed: true,
        skipped: false,
      })),
    });
  }
  if (report.findings.length > 0) suites.push({ name: 'spincheck: kernel model', cases: findingCases(report) });
  if (report.unchecked) {
    suites.push({ name: 'spincheck', cases: [{ name: 'instrumented code ran', classname: 'spincheck', body: uncheckedBody(report.unchecked), failed: true, skipped: false }] });
  }
  if (suites.length === 0 && report.problems.length > 0) suites.push({ name: 'spincheck', cases: [] });
  const count = (p: (c: Case) => boolean) => suites.reduce((n, s) => n + s.cases.filter(p).length, 0);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites${attrs({ name: 'spincheck', tests: count(() => true), failures: count((c) => c.failed), errors: 0, skipped: count((c) => c.skipped), time: 0 })}>`);
  suites.forEach((s, i) => {
    out.push(`  <testsuite${attrs({ name: s.name, tests: s.cases.length, failures: s.cases.filter((c) => c.failed).length, errors: 0, skipped: s.cases.filter((c) => c.skipped).length, time: 0, file: s.name })}>`);
    for (const c of s.cases) {
      const open = `    <testcase${attrs({ name: c.name, classname: c.classname, file: c.file, line: c.line, time: 0 })}`;
      out.push(c.body ? `${open}>${c.body}</testcase>` : `${open}/>`);
    }
    if (i === 0 && report.problems.length > 0) out.push(`    <system-err>${text(report.problems.map((p) => `spincheck: warning: ${p}`).join('\n'))}</system-err>`);
    out.push('  </testsuite>');
  });
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
