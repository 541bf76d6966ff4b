// HTML report: one static, self-contained page (no script, no network) with a summary, the violations with their
// acquire-to-exit path, and each file's source annotated with hit counts. Every string from data or source is escaped.
import type { SiteKind } from '../model/index.js';
import { ROLE_SOURCE_TEXT, VIOLATION_TEXT } from '../model/index.js';
import { coverageSites } from './merge.js';
import { plural } from './words.js';
import type { CallFrame, FileSummary, Location, Report, ViolationSummary } from './merge.js';
import { frameText } from './call-stack.js';
import { KIND_EVENT, RULES, RULE_URL, lockWords, ruleId } from './sarif.js';
import { STATIC_STYLE, staticInline, staticSection } from './html-static.js';
import type { StaticHtmlContext } from './html-static.js';
import { findingRuleId } from './findings.js';

export interface HtmlOptions {
  toolVersion: string;
  /** Source text of a file, or null when it is not shown. */
  sourceText: (file: FileSummary) => string | null;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const pct = (hit: number, total: number) => (total === 0 ? 100 : Math.floor((1000 * hit) / total) / 10);
const level = (p: number) => (p >= 90 ? 'good' : p >= 60 ? 'fair' : 'poor');

function bar(hit: number, total: number): string {
  const p = pct(hit, total);
  return `<span class="bar ${level(p)}" role="img" aria-label="${p}%"><span style="width:${p}%"></span></span>`
    + `<span class="ratio">${hit}/${total}</span> <span class="pct">${p}%</span>`;
}

const SITE_WORD: Record<SiteKind, string> = {
  acquire: 'acquire',
  release: 'release',
  'routine-entry': 'routine entry',
  'routine-exit': 'routine exit',
  registration: 'registration',
};

const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--red:#cf222e;--red-bg:#ffebe9;--green:#1a7f37;
--green-bg:#dafbe1;--amber:#9a6700;--amber-bg:#fff8c5;--blue:#0969da;--mono:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;color:var(--fg);background:#fff}
a{color:var(--blue);text-decoration:none}a:hover{text-decoration:underline}
header.top{background:#24292f;color:#fff;padding:18px 32px}
header.top h1{margin:0;font-size:20px;font-weight:600}header.top h1 span{font-weight:400;color:#c9d1d9}
header.top p{margin:4px 0 0;color:#c9d1d9;font-size:13px}
main{max-width:1180px;margin:0 auto;padding:24px 32px 64px}
h2{font-size:18px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:16px}
.card{border:1px solid var(--line);border-radius:8px;padding:14px 16px;background:#fff}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:28px;font-weight:600;line-height:1.3}
.card.bad{border-color:var(--red);background:var(--red-bg)}.card.bad .value{color:var(--red)}
.card.ok .value{color:var(--green)}
.card .sub{color:var(--muted);font-size:12px}
.bar{display:inline-block;vertical-align:middle;width:120px;height:10px;border-radius:5px;background:#eaeef2;overflow:hidden;margin-right:8px}
.bar>span{display:block;height:100%}.bar.good>span{background:#2da44e}.bar.fair>span{background:#d4a72c}.bar.poor>span{background:#e5534b}
.card .bar{width:100%;height:8px;margin:6px 0 2px}
.ratio{font-variant-numeric:tabular-nums}.pct{color:var(--muted);font-size:12px}
.problems{border:1px solid #d4a72c;background:var(--amber-bg);border-radius:8px;padding:10px 16px;margin-top:16px}
.problems ul{margin:4px 0;padding-left:20px}.problems li{font-family:var(--mono);font-size:12px;word-break:break-all}
.clean{border:1px solid #4ac26b;background:var(--green-bg);border-radius:8px;padding:12px 16px;color:var(--green);font-weight:600}
.violation{border:1px solid var(--line);border-left:4px solid var(--red);border-radius:8px;padding:12px 16px;margin:0 0 14px}
.violation h3{margin:0;font-size:15px}
.kind{display:inline-block;font:600 12px var(--mono);color:var(--red);background:var(--red-bg);border-radius:12px;padding:1px 9px;margin-right:8px}
.where{color:var(--muted);margin:2px 0 8px}
.path{list-style:none;margin:0;padding:0 0 0 6px;border-left:2px dashed var(--line)}
.path li{position:relative;padding:4px 0 4px 20px}
.path li::before{content:"";position:absolute;left:-8px;top:10px;width:12px;height:12px;border-radius:50%;background:#fff;border:2px solid var(--muted)}
.path li.acquire::before{border-color:var(--amber);background:var(--amber-bg)}
.path li.end::before{border-color:var(--red);background:var(--red)}
.path li.stack::before{border-color:var(--blue)}
.step{font-weight:600;margin-right:6px}
.snippet{margin:4px 0 0;font:12px/1.5 var(--mono);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:4px 10px;overflow-x:auto;white-space:pre;tab-size:4}
.snippet .ln{color:var(--muted);user-select:none;margin-right:12px}
details.help{margin-top:8px;color:var(--muted)}details.help summary{cursor:pointer}
table{border-collapse:collapse;width:100%}
table.grid th,table.grid td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:middle}
table.grid th{font-size:12px;color:var(--muted);font-weight:600;background:var(--bg)}
table.grid td.num,table.grid th.num{text-align:right;font-variant-numeric:tabular-nums}
td.bad{color:var(--red);font-weight:600}
.tag{display:inline-block;font-size:11px;border-radius:10px;padding:0 7px;margin-left:6px;border:1px solid var(--line);color:var(--muted);white-space:nowrap}
.tag.warn{border-color:#d4a72c;color:var(--amber);background:var(--amber-bg)}
.role{font-family:var(--mono);font-size:12px}
section.file{margin-top:28px}
.file h3{font:600 15px var(--mono);margin:0 0 8px;word-break:break-all}
.note{color:var(--muted);font-size:13px}
details.source{margin-top:10px;border:1px solid var(--line);border-radius:8px;overflow:hidden}
details.source>summary{cursor:pointer;padding:8px 12px;background:var(--bg);font-weight:600}
table.src{font:12px/1.55 var(--mono);tab-size:4}
table.src td{padding:0 8px;vertical-align:top}
table.src td.ln{width:1%;text-align:right;color:var(--muted);user-select:none;border-right:1px solid var(--line)}
table.src td.cnt{width:1%;text-align:right;white-space:nowrap;border-right:1px solid var(--line)}
table.src td.code{white-space:pre-wrap;word-break:break-all}
tr.hit td.cnt{background:var(--green-bg);color:var(--green)}
tr.miss td.cnt,tr.miss td.code{background:var(--red-bg)}tr.miss td.cnt{color:var(--red);font-weight:600}
tr.viol td.code{background:#ffcecb}tr.viol td.ln{color:var(--red);font-weight:700}
tr.inline td{padding:4px 8px 6px 0}
.inline-viol{font:13px/1.4 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;border:1px solid var(--red);border-left-width:4px;background:#fff;border-radius:6px;padding:4px 10px;margin:2px 0}
.legend{color:var(--muted);font-size:12px;margin:6px 0}.legend span{display:inline-block;padding:0 6px;border-radius:4px;margin:0 4px}
.legend .l-hit{background:var(--green-bg);color:var(--green)}.legend .l-miss{background:var(--red-bg);color:var(--red)}.legend .l-viol{background:#ffcecb}
footer{color:var(--muted);font-size:12px;margin-top:40px}
${STATIC_STYLE}
`;

/** Anchors: files by position, lines by number; never built from names. */
const fileId = (i: number) => `f${i + 1}`;
const lineId = (i: number, line: number) => `${fileId(i)}-L${line}`;

interface Ctx {
  index: Map<string, number>;
  lines: Map<string, string[] | null>;
}

function link(ctx: Ctx, l: Location): string {
  const label = esc(`${l.file}:${l.line}${l.column > 0 ? `:${l.column}` : ''}`);
  const i = ctx.index.get(l.file);
  return i === undefined ? `<code>${label}</code>` : `<a href="#${lineId(i, l.line)}"><code>${label}</code></a>`;
}

const inFn = (l: Location) => (l.function ? ` in <code>${esc(l.function)}</code>` : '');

function snippet(ctx: Ctx, l: Location): string {
  const text = ctx.lines.get(l.file)?.[l.line - 1];
  if (text === undefined) return '';
  return `<pre class="snippet"><span class="ln">${l.line}</span>${esc(text)}</pre>`;
}

/** One call-stack frame: the function and a link to its line when the file is in the report, else plain text. */
function callFrameHtml(ctx: Ctx, f: CallFrame): string {
  if (!f.file || !f.line || !f.function) return `<code>${esc(frameText(f))}</code>`;
  const l: Location = { file: f.file, line: f.line, column: 0, function: f.function };
  return `<code>${esc(f.function)}</code> ${link(ctx, l)}${f.inlined ? ' [inlined]' : ''}`;
}

function violationCard(ctx: Ctx, v: ViolationSummary, n: number): string {
  const event = KIND_EVENT[v.kind];
  const steps: string[] = [];
  if (v.acquire) {
    const what = v.byIoManager ? 'The I/O manager acquired the lock and called the cancel routine' : 'Lock acquired';
    const lockCode = v.lock && !v.byIoManager ? `<code>${esc(v.lock)}</code> at ` : '';
    steps.push(`<li class="acquire"><span class="step">${what}</span> ${lockCode}${link(ctx, v.acquire)}${v.byIoManager ? '' : inFn(v.acquire)}${snippet(ctx, v.acquire)}</li>`);
  } else {
    steps.push(`<li class="acquire"><span class="step">Lock not held</span> no thread held the ${esc(lockWords(v))}</li>`);
  }
  if (v.stack.length > 0) {
    const frames = [...v.stack].reverse().map((f) => `<code>${esc(f.function ?? '?')}</code> (${link(ctx, f)})`).join(' &larr; ');
    steps.push(`<li class="stack"><span class="step">Routine stack</span> ${frames}</li>`);
  }
  if (v.callStack && v.callStack.length > 0) {
    const frames = v.callStack.map((f) => `<li>${callFrameHtml(ctx, f)}</li>`).join('');
    steps.push(`<li class="stack"><span class="step">Call stack</span> (innermost first)<ol class="frames">${frames}</ol></li>`);
  }
  const end = event === 'exit' ? 'Returned holding the lock' : event === 'acquire' ? 'Acquired again' : 'Released';
  steps.push(`<li class="end"><span class="step">${end}</span> ${link(ctx, v.location)}${inFn(v.location)}${snippet(ctx, v.location)}</li>`);
  const irql = v.irqlAcquired !== undefined && v.irqlReleased !== undefined
    ? ` &middot; saved IRQL ${v.irqlAcquired}, released with ${v.irqlReleased}` : '';
  const rule = RULES[v.kind];
  return `<article class="violation" id="v${n}">
<h3><span class="kind">${esc(v.kind)}</span>${esc(VIOLATION_TEXT[v.kind])}</h3>
<p class="where">${link(ctx, v.location)}${inFn(v.location)}${v.lock ? ` &middot; lock <code>${esc(v.lock)}</code>` : ''} &middot; ${esc(ruleId(v.kind, v.api))} &middot; ${v.count} time(s) in ${v.processes} process(es)${irql}</p>
<ol class="path">${steps.join('\n')}</ol>
<details class="help"><summary>Why this is wrong and how to fix it</summary><p>${esc(rule.full)}</p><p>${esc(rule.help)}</p>
<p><a href="${RULE_URL}">The CancelSpinLock rule (Microsoft Learn)</a></p></details>
</article>`;
}

function fileStatus(f: FileSummary): string {
  const tags: string[] = [];
  if (!f.instrumented) tags.push(`<span class="tag warn">not instrumented</span>`);
  if (f.stale) tags.push(`<span class="tag warn">stale: source changed</span>`);
  if (f.instrumented && f.noRunData) tags.push(`<span class="tag warn">no run data</span>`);
  return tags.join('');
}

/** What the path-check parts of the page need from this one. */
const staticContext = (ctx: Ctx): StaticHtmlContext => ({ esc, link: (l) => link(ctx, l), snippet: (l) => snippet(ctx, l) });

function sourceTable(ctx: Ctx, f: FileSummary, i: number, violations: ViolationSummary[], report: Report): string {
  const lines = ctx.lines.get(f.file);
  if (!lines) {
    const rows = coverageSites(f).map((s) => `<tr class="${s.hits > 0 ? 'hit' : 'miss'}"><td class="num">${s.line}:${s.column}</td><td>${esc(SITE_WORD[s.kind])}</td><td><code>${esc(s.function ?? '')}</code></td><td class="num">${s.hits}</td></tr>`);
    return `<p class="note">Source not shown (outside the source root, or unreadable); its sites:</p>
<table class="grid"><thead><tr><th class="num">Line:col</th><th>Site</th><th>Function</th><th class="num">Hits</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  }
  const byLine = new Map<number, FileSummary['sites']>();
  for (const s of coverageSites(f)) byLine.set(s.line, [...(byLine.get(s.line) ?? []), s]);
  const vByLine = new Map<number, ViolationSummary[]>();
  for (const v of violations) vByLine.set(v.location.line, [...(vByLine.get(v.location.line) ?? []), v]);
  const paths = staticInline(staticContext(ctx), report, f.file);
  const rows: string[] = [];
  lines.forEach((text, k) => {
    const n = k + 1;
    const sites = byLine.get(n);
    const vs = vByLine.get(n);
    const hits = sites ? Math.max(...sites.map((s) => s.hits)) : undefined;
    const cls = [vs ? 'viol' : '', hits === undefined ? '' : hits > 0 ? 'hit' : 'miss'].filter(Boolean).join(' ');
    const title = sites ? ` title="${esc(sites.map((s) => `${SITE_WORD[s.kind]}${s.function ? ` in ${s.function}` : ''}: ${s.hits} hit(s)${s.kind === 'routine-exit' ? `, ${s.held} with the lock held` : ''}`).join('\n'))}"` : '';
    const count = hits === undefined ? '' : `${hits}&times;`;
    rows.push(`<tr id="${lineId(i, n)}" class="${cls}"><td class="ln">${n}</td><td class="cnt"${title}>${count}</td><td class="code">${esc(text)}</td></tr>`);
    for (const v of vs ?? []) {
      rows.push(`<tr class="inline"><td></td><td></td><td><div class="inline-viol"><span class="kind">${esc(v.kind)}</span>${esc(VIOLATION_TEXT[v.kind])}${v.acquire ? `; lock acquired at ${link(ctx, v.acquire)}` : ''}</div></td></tr>`);
    }
    for (const p of paths.get(n) ?? []) rows.push(`<tr class="inline"><td></td><td></td><td>${p}</td></tr>`);
  });
  const open = violations.length > 0 || paths.size > 0 ? ' open' : '';
  const stale = f.stale ? '<p class="note">The source changed since it was compiled: counts may sit on the wrong lines.</p>' : '';
  return `${stale}<details class="source"${open}><summary>Annotated source (${lines.length} lines)</summary>
<p class="legend"><span class="l-hit">n&times;</span> site ran n times <span class="l-miss">0&times;</span> site never ran <span class="l-viol">line</span> violation (hover a count for its sites)</p>
<table class="src"><tbody>${rows.join('\n')}</tbody></table></details>`;
}

function fileSection(ctx: Ctx, f: FileSummary, i: number, report: Report): string {
  const violations = report.violations.filter((v) => v.location.file === f.file);
  const cov = coverageSites(f);
  const routineRows = f.routines.map((r) => {
    const sites = cov.filter((s) => s.function === r.name);
    const nv = violations.filter((v) => v.location.function === r.name).length;
    return `<tr><td><a href="#${lineId(i, r.line)}"><code>${esc(r.name)}</code></a></td><td class="role">${esc(r.role)}</td><td class="role">${esc(ROLE_SOURCE_TEXT[r.roleSource])}</td>`
      + `<td class="num">${r.entries}</td><td class="num">${r.exits}</td><td class="num${r.exitsHeld > 0 ? ' bad' : ''}">${r.exitsHeld}</td>`
      + `<td>${bar(sites.filter((s) => s.hits > 0).length, sites.length)}</td><td class="num${nv > 0 ? ' bad' : ''}">${nv}</td></tr>`;
  });
  const routines = f.routines.length === 0 ? '<p class="note">No dispatch or cancel routines in this file.</p>'
    : `<table class="grid"><thead><tr><th>Routine</th><th>Role</th><th>Found by</th><th class="num">Entries</th><th class="num">Exits</th><th class="num">Exits held</th><th>Sites hit</th><th class="num">Violations</th></tr></thead><tbody>${routineRows.join('')}</tbody></table>`;
  const notes = [
    ...(f.instrumented ? [] : [`Not instrumented: ${esc(f.reason ?? 'unknown reason')}`]),
    ...f.unchecked.map((u) => `Line ${u.line}: <code>${esc(u.name)}</code> not checked: ${esc(u.reason)}`),
    ...f.diagnostics.map((d) => esc(d)),
  ].map((n) => `<li>${n}</li>`);
  return `<section class="file" id="${fileId(i)}">
<h3>${esc(f.file)}${fileStatus(f)}</h3>
${notes.length > 0 ? `<ul class="note">${notes.join('')}</ul>` : ''}
${routines}
${f.instrumented ? sourceTable(ctx, f, i, violations, report) : ''}
</section>`;
}

/** The whole page. */
/** The model's findings (the kernel model's bug checks, leaks, stops, hangs), when there are any. */
function findingsSection(report: Report): string {
  if (report.findings.length === 0) return '';
  const rows = report.findings.map((f) => `<tr><td><code>${esc(findingRuleId(f.kind))}</code></td><td>${esc(f.message)}</td><td>${esc(f.run ?? '')}</td><td class="num">${f.processes}</td></tr>`);
  return `<h2 id="findings">Kernel model findings (${report.findings.length})</h2>
<table class="grid"><thead><tr><th>Kind</th><th>What the model saw</th><th>Campaign run</th><th class="num">Runs</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

export function renderHtml(report: Report, options: HtmlOptions): string {
  const lines = new Map<string, string[] | null>();
  for (const f of report.files) {
    const text = f.instrumented ? options.sourceText(f) : null;
    lines.set(f.file, text === null ? null : text.replace(/\r?\n$/, '').split(/\r?\n/));
  }
  const ctx: Ctx = { index: new Map(report.files.map((f, i) => [f.file, i])), lines };
  const t = report.totals;
  const routines = report.files.flatMap((f) => f.routines);
  const entered = routines.filter((r) => r.entries > 0).length;
  const held = routines.reduce((n, r) => n + r.exitsHeld, 0);
  const cards = `<div class="cards">
<div class="card ${t.violations > 0 ? 'bad' : 'ok'}"><div class="label">Violations</div><div class="value">${t.violations}</div><div class="sub">${plural(report.processes, 'process')} reported</div></div>
<div class="card"><div class="label">Sites hit</div><div class="value">${pct(t.sitesHit, t.sites)}%</div>${bar(t.sitesHit, t.sites)}</div>
<div class="card"><div class="label">Routines entered</div><div class="value">${entered}/${routines.length}</div>${bar(entered, routines.length)}</div>
<div class="card"><div class="label">Routine exits checked</div><div class="value">${t.exitsChecked}</div><div class="sub">${held} with the lock held</div></div>
</div>`;
  const problems = report.problems.length === 0 ? ''
    : `<div class="problems"><strong>${report.problems.length} problem(s) with the data</strong><ul>${report.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></div>`;
  const notes = report.notes.map((n) => `<p class="legend">Note: ${esc(n)}</p>`).join('');
  const noRuns = report.unchecked ? `<div class="problems"><strong>Nothing was checked</strong>: ${esc(report.unchecked)}</div>` : '';
  const violations = report.violations.length === 0
    ? '<div class="clean">No violations of the CancelSpinLock rule were seen.</div>'
    : report.violations.map((v, n) => violationCard(ctx, v, n + 1)).join('\n');
  const fileRows = report.files.map((f, i) => {
    const cov = coverageSites(f);
    const nv = report.violations.filter((v) => v.location.file === f.file).length;
    const exits = f.sites.filter((s) => s.kind === 'routine-exit').reduce((n, s) => n + s.hits, 0);
    return `<tr><td><a href="#${fileId(i)}"><code>${esc(f.file)}</code></a>${fileStatus(f)}</td><td>${bar(cov.filter((s) => s.hits > 0).length, cov.length)}</td>`
      + `<td class="num">${f.routines.length}</td><td class="num">${exits}</td><td class="num${nv > 0 ? ' bad' : ''}">${nv}</td></tr>`;
  });
  const title = `spincheck: ${plural(t.violations, 'violation')}, sites hit ${t.sitesHit}/${t.sites}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="spincheck ${esc(options.toolVersion)}">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top"><h1>spincheck <span>&middot; CancelSpinLock report</span></h1>
<p>${plural(report.files.length, 'file')} &middot; ${plural(report.processes, 'process')} &middot; ${plural(t.routines, 'routine')}</p></header>
<main>
${cards}
${problems}${noRuns}${notes}
<h2 id="violations">Violations (${report.violations.length})</h2>
${violations}
${findingsSection(report)}
${staticSection(staticContext(ctx), report)}
<h2 id="files">Files</h2>
<table class="grid"><thead><tr><th>File</th><th>Sites hit</th><th class="num">Routines</th><th class="num">Exits checked</th><th class="num">Violations</th></tr></thead>
<tbody>${fileRows.join('\n')}</tbody></table>
${report.files.map((f, i) => fileSection(ctx, f, i, report)).join('\n')}
<footer>Generated by spincheck ${esc(options.toolVersion)}. Static page: no scripts, nothing loaded from the network.</footer>
</main>
</body>
</html>
`;
}
