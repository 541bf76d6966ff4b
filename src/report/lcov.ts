// LCOV tracefile: sites as DA lines, routines as FN/FNDA, the lock released/held at each routine exit as a BRDA pair.
import { coverageSites, lineHits } from './merge.js';
import type { FileSummary, Report } from './merge.js';

/** Branch numbers of an exit's pair: the lock was released (good) or still held (a violation). */
export const BRANCH_RELEASED = 0;
export const BRANCH_HELD = 1;

/** LCOV has no quoting: control characters would end a record, a comma would split FN fields. */
const field = (s: string) => s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '?');
const fnName = (s: string) => field(s).replace(/,/g, '?');

function record(f: FileSummary): string[] {
  const sites = coverageSites(f);
  const out = ['TN:', `SF:${field(f.file)}`];
  const routines = [...f.routines].sort((a, b) => a.line - b.line);
  for (const r of routines) out.push(`FN:${r.line},${fnName(r.name)}`);
  for (const r of routines) out.push(`FNDA:${r.entries},${fnName(r.name)}`);
  out.push(`FNF:${routines.length}`, `FNH:${routines.filter((r) => r.entries > 0).length}`);

  // Block id = the exit site's index in its unit (an integer, as lcov 1.x requires).
  const exits = sites.filter((s) => s.kind === 'routine-exit').sort((a, b) => a.line - b.line || a.index - b.index);
  let found = 0;
  let hit = 0;
  for (const s of exits) {
    const released = Math.max(s.hits - s.held, 0);
    const taken = (n: number) => (s.hits === 0 ? '-' : String(n));
    out.push(`BRDA:${s.line},${s.index},${BRANCH_RELEASED},${taken(released)}`);
    out.push(`BRDA:${s.line},${s.index},${BRANCH_HELD},${taken(s.held)}`);
    found += 2;
    hit += (released > 0 ? 1 : 0) + (s.held > 0 ? 1 : 0);
  }
  out.push(`BRF:${found}`, `BRH:${hit}`);

  const sorted = lineHits(f);
  for (const [line, hits] of sorted) out.push(`DA:${line},${hits}`);
  out.push(`LF:${sorted.length}`, `LH:${sorted.filter(([, h]) => h > 0).length}`, 'end_of_record');
  return out;
}

/** The whole tracefile: one record per instrumented file with sites. */
export function renderLcov(report: Report): string {
  const files = report.files.filter((f) => f.instrumented && f.sites.length > 0);
  return files.map((f) => `${record(f).join('\n')}\n`).join('');
}
