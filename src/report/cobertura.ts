// Cobertura XML (GitLab's coverage visualisation): lines with sites and their hits; routine exits as branches.
import { coverageSites, lineHits } from './merge.js';
import type { FileSummary, Report } from './merge.js';
import { xml } from './junit.js';

const rate = (covered: number, valid: number) => (valid === 0 ? '1' : (covered / valid).toFixed(4));

/** Per line: hits, and for lines with routine exits, how many of their released/held outcomes occurred. */
function lines(f: FileSummary): Array<{ line: number; hits: number; branches?: { covered: number; valid: number } }> {
  const exits = new Map<number, { covered: number; valid: number }>();
  for (const s of coverageSites(f)) {
    if (s.kind !== 'routine-exit') continue;
    const b = exits.get(s.line) ?? { covered: 0, valid: 0 };
    b.valid += 2;
    b.covered += (s.hits - s.held > 0 ? 1 : 0) + (s.held > 0 ? 1 : 0);
    exits.set(s.line, b);
  }
  return lineHits(f).map(([line, hits]) => {
    const branches = exits.get(line);
    return branches ? { line, hits, branches } : { line, hits };
  });
}

function lineXml(l: ReturnType<typeof lines>[number]): string {
  if (!l.branches) return `<line number="${l.line}" hits="${l.hits}" branch="false"/>`;
  const pct = Math.round((100 * l.branches.covered) / l.branches.valid);
  return `<line number="${l.line}" hits="${l.hits}" branch="true" condition-coverage="${pct}% (${l.branches.covered}/${l.branches.valid})"/>`;
}

/** The whole Cobertura document: one class per instrumented file, one method per routine. */
export function renderCobertura(report: Report, toolVersion: string, sourceRoot: string): string {
  const files = report.files.filter((f) => f.instrumented && f.sites.length > 0);
  const all = files.flatMap(lines);
  const branches = all.flatMap((l) => (l.branches ? [l.branches] : []));
  const bValid = branches.reduce((n, b) => n + b.valid, 0);
  const bCovered = branches.reduce((n, b) => n + b.covered, 0);
  const lCovered = all.filter((l) => l.hits > 0).length;
  const classes = files.map((f) => {
    const ls = lines(f);
    const fb = ls.flatMap((l) => (l.branches ? [l.branches] : []));
    const methods = f.routines.map((r) => {
      const own = ls.filter((l) => coverageSites(f).some((s) => s.function === r.name && s.line === l.line));
      return `<method name="${xml(r.name)}" signature="" line-rate="${rate(own.filter((l) => l.hits > 0).length, own.length)}" branch-rate="1" complexity="0"><lines>${own.map(lineXml).join('')}</lines></method>`;
    });
    return [
      `<class name="${xml(f.file)}" filename="${xml(f.file)}" line-rate="${rate(ls.filter((l) => l.hits > 0).length, ls.length)}"`,
      ` branch-rate="${rate(fb.reduce((n, b) => n + b.covered, 0), fb.reduce((n, b) => n + b.valid, 0))}" complexity="0">`,
      `<methods>${methods.join('')}</methods><lines>${ls.map(lineXml).join('')}</lines></class>`,
    ].join('');
  });
  return [
    '<?xml version="1.0" ?>',
    '<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">',
    `<coverage line-rate="${rate(lCovered, all.length)}" branch-rate="${rate(bCovered, bValid)}" lines-covered="${lCovered}"` +
      ` lines-valid="${all.length}" branches-covered="${bCovered}" branches-valid="${bValid}" complexity="0"` +
      ` version="spincheck ${xml(toolVersion)}" timestamp="0">`,
    `<sources><source>${xml(sourceRoot)}</source></sources>`,
    `<packages><package name="spincheck" line-rate="${rate(lCovered, all.length)}" branch-rate="${rate(bCovered, bValid)}" complexity="0">`,
    `<classes>${classes.join('\n')}</classes></package></packages>`,
    '</coverage>',
    '',
  ].join('\n');
}
