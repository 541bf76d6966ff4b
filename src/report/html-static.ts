// HTML for the path check: a card per open static finding with its path, and the path's steps over the annotated source.
import type { Location, Report } from './merge.js';
import type { StaticFindingSummary } from './static.js';
import { executedText, openFindings } from './static.js';

export interface StaticHtmlContext {
  esc: (s: string) => string;
  link: (l: Location) => string;
  snippet: (l: Location) => string;
}

export const STATIC_STYLE = `.static{border:1px solid var(--line);border-left:4px solid #bf8700;border-radius:8px;padding:12px 16px;margin:0 0 14px}
.static h3{margin:0;font-size:15px}.inline-path{color:#7d4e00;background:#fff8c5;border-radius:4px;padding:2px 8px;font-size:12px}`;

function card(c: StaticHtmlContext, f: StaticFindingSummary, n: number): string {
  const steps = f.path.map((s) => `<li><span class="step">${c.esc(s.what)}</span> ${c.esc(s.text)} ${c.link(s)}${c.snippet(s)}</li>`);
  return `<article class="static" id="s${n}">
<h3><span class="kind">${c.esc(f.ruleId)}</span>${c.esc(f.message)}</h3>
<p class="where">${c.link(f.location)} &middot; ${c.esc(executedText(f))}</p>
<ol class="path">${steps.join('\n')}</ol>
</article>`;
}

/** The "Path check" section: open findings (confirmed ones are shown as their violation), and what was not analysed. */
export function staticSection(c: StaticHtmlContext, report: Report): string {
  const r = report.static;
  if (r.units === 0) return '';
  const open = openFindings(r);
  const confirmed = r.findings.length - open.length;
  const body = open.length === 0 ? '<div class="clean">The path check found no path the run has not already shown.</div>' : open.map((f, n) => card(c, f, n + 1)).join('\n');
  const skipped = r.notAnalysed.length === 0 ? ''
    : `<ul class="note">${r.notAnalysed.map((n) => `<li><code>${c.esc(n.function)}</code> (${c.esc(n.file)}:${n.line}) not analysed: ${c.esc(n.reason)}</li>`).join('')}</ul>`;
  return `<h2 id="static">Path check: warnings (${open.length})</h2>
<p class="note">Found at compile time on paths the tests may never take; ${r.analysed} function(s) using a lock analysed${confirmed > 0 ? `; ${confirmed} finding(s) confirmed by a run are listed as violations above` : ''}.</p>
${body}
${skipped}`;
}

/** Path steps of the open findings of a file, by line, for the annotated source. */
export function staticInline(c: StaticHtmlContext, report: Report, file: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  openFindings(report.static).filter((f) => f.location.file === file).forEach((f, n) => {
    f.path.forEach((s, k) => {
      const text = `<div class="inline-path">path ${n + 1}, step ${k + 1}: ${c.esc(s.text)}</div>`;
      out.set(s.line, [...(out.get(s.line) ?? []), text]);
    });
  });
  return out;
}
