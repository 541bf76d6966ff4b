// analyse(): the compile-time path check. A parsed translation unit in, findings and per-function summaries out. Pure.
import { blankAnnotations } from '../instrument/annotations.js';
import { cParser } from '../instrument/parse.js';
import type { SyntaxNode } from '../instrument/parse.js';
import { LineMap } from '../instrument/positions.js';
import { collectRoles } from '../instrument/roles.js';
import { roleFor } from '../instrument/routines.js';
import { declaredName, functionName } from '../instrument/syntax.js';
import type { InstrumentOptions, ParsedUnit } from '../instrument/types.js';
import type { FunctionSummary, NotAnalysed, StaticAnalysis, StaticFinding } from '../model/index.js';
import { LOCK_FORM_BY_NAME } from '../model/lock-api.js';
import { buildCfg } from './cfg.js';
import type { EffectContext } from './effects.js';
import type { CalleeSummary } from './explore.js';
import { explore } from './explore.js';
import { knownMacros } from './preproc.js';

export { applySummaries } from './summaries.js';

export type { ParsedUnit };

interface Fn {
  name: string;
  node: SyntaxNode;
  params: string[];
  locals: Set<string>;
  /** Parameters and locals declared as cancel-routine pointers. */
  cancelPointers: Set<string>;
  /** Names of the functions it calls. */
  calls: Set<string>;
  usesLock: boolean;
}

const CANCEL_POINTER = /^P?DRIVER_CANCEL$/;
const NORETURN_MARK = /\b(DECLSPEC_NORETURN|_Noreturn|noreturn|__noreturn__)\b|__declspec\s*\(\s*noreturn\s*\)/;

function functionDeclarator(fn: SyntaxNode): SyntaxNode | null {
  let d = fn.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  return d;
}

/** Top-level items, looking through conditional groups (never into function bodies: their nodes are costly to visit). */
function topItems(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode) => {
    for (const c of n.namedChildren) {
      if (/^preproc_(if|ifdef|elif|elifdef|else)$/.test(c.type)) visit(c);
      else out.push(c);
    }
  };
  visit(root);
  return out;
}

/** Text with comments and string or character literals blanked (same length), for cheap name scans. */
export function codeOnly(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** Parameters and locals of a body, and those declared as cancel-routine pointers (asked only of functions that use a lock). */
function scope(node: SyntaxNode, body: SyntaxNode): { locals: Set<string>; cancelPointers: Set<string> } {
  const locals = new Set<string>();
  const cancelPointers = new Set<string>();
  const declarations = [...body.descendantsOfType('declaration'), ...(functionDeclarator(node)?.childForFieldName('parameters')?.namedChildren ?? [])];
  for (const d of declarations) {
    const type = d.childForFieldName('type')?.text ?? '';
    for (const x of d.childrenForFieldName('declarator')) {
      const n = declaredName(x);
      if (n && d.type === 'declaration') locals.add(n.text);
      if (n && CANCEL_POINTER.test(type) && (x.type === 'pointer_declarator') === !/^P/.test(type)) cancelPointers.add(n.text);
    }
  }
  return { locals, cancelPointers };
}

function collectFunctions(root: SyntaxNode, code: string): Map<string, Fn> {
  const out = new Map<string, Fn>();
  for (const node of topItems(root)) {
    if (node.type !== 'function_definition') continue;
    const name = functionName(node);
    const body = node.childForFieldName('body');
    if (!name || !body || LOCK_FORM_BY_NAME.has(name) || out.has(name)) continue;
    const params = (functionDeclarator(node)?.childForFieldName('parameters')?.namedChildren ?? [])
      .filter((p) => p.type === 'parameter_declaration')
      .map((p) => declaredName(p.childForFieldName('declarator'))?.text ?? '');
    const calls = new Set<string>();
    let usesLock = false;
    for (const m of code.slice(body.startIndex, body.endIndex).matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
      const callee = m[1] as string;
      const form = LOCK_FORM_BY_NAME.get(callee);
      if (form && form.op !== 'init') usesLock = true;
      else if (!form) calls.add(callee);
    }
    let known: ReturnType<typeof scope> | undefined;
    const lazy = () => (known ??= scope(node, body));
    out.set(name, {
      name, node, params, calls, usesLock,
      get locals() { return lazy().locals; },
      get cancelPointers() { return lazy().cancelPointers; },
    });
  }
  return out;
}

/** Variables declared at file scope (a call through one is a call through a function pointer). */
function fileVariables(root: SyntaxNode): Set<string> {
  const out = new Set<string>();
  for (const d of topItems(root)) {
    if (d.type !== 'declaration') continue;
    for (const x of d.childrenForFieldName('declarator')) {
      const inner = x.type === 'init_declarator' ? x.childForFieldName('declarator') : x;
      const n = declaredName(inner);
      const pointer = inner?.type === 'function_declarator' && inner.childForFieldName('declarator')?.type === 'parenthesized_declarator';
      if (n && (inner?.type !== 'function_declarator' || pointer)) out.add(n.text);
    }
  }
  return out;
}

/** Functions of the file whose address is taken (a DPC, timer, work item or completion routine handed to the
 *  system): no lock may be held when they return, unless they hold it on every exit (a lock callback). */
function addressTaken(code: string, defined: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const m of code.matchAll(/\b[A-Za-z_]\w*\b(?!\s*\()/g)) if (defined.has(m[0])) out.add(m[0]);
  return out;
}

/** Functions declared noreturn anywhere in the unit (from the original text: the markers are blanked before parsing). */
function noreturnFunctions(root: SyntaxNode, source: string): Set<string> {
  const out = new Set<string>();
  for (const d of topItems(root)) {
    if (d.type !== 'declaration' && d.type !== 'function_definition') continue;
    const head = source.slice(d.startIndex, d.childForFieldName('body')?.startIndex ?? d.endIndex);
    const before = source.slice(Math.max(0, d.startIndex - 120), d.startIndex).split(/[;}]/).pop() ?? '';
    if (!NORETURN_MARK.test(head) && !NORETURN_MARK.test(before) && !/__attribute__\s*\(\(\s*(__)?noreturn/.test(head)) continue;
    for (const x of d.type === 'declaration' ? d.childrenForFieldName('declarator') : [d.childForFieldName('declarator')]) {
      const n = declaredName(x);
      if (n) out.add(n.text);
    }
  }
  return out;
}

export interface AnalyseOptions {
  /** Macros the compile command defines (value) or undefines (null): `#if` groups they decide take one side. */
  macros?: ReadonlyArray<readonly [string, string | null]>;
}

/** Runs the analysis over every function of a parsed unit. */
export function analyseUnit(unit: ParsedUnit, options: AnalyseOptions = {}): StaticAnalysis {
  const macros = knownMacros(unit.source, options.macros);
  const lines = new LineMap(unit.source);
  const pos = (i: number) => ({ line: lines.line(i), column: lines.column(i) });
  const code = codeOnly(unit.source);
  const fns = collectFunctions(unit.root, code);
  const noreturn = noreturnFunctions(unit.root, unit.source);
  const defined = new Set(fns.keys());
  const globals = fileVariables(unit.root);
  // A function uses a lock when it calls a lock API or a function of the file that does (fixed point), or is a cancel routine.
  const roleOf = (f: Fn) => roleFor(f.name, f.node, unit.roles, unit.config);
  const touches = new Set([...fns.values()].filter((f) => f.usesLock || roleOf(f)?.role === 'cancel').map((f) => f.name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of fns.values()) {
      if (!touches.has(f.name) && [...f.calls].some((c) => touches.has(c))) {
        touches.add(f.name);
        grew = true;
      }
    }
  }
  const callbacks = addressTaken(code, defined);
  const calledHere = new Set([...fns.values()].flatMap((f) => [...f.calls]));
  const summaries = new Map<string, CalleeSummary>();
  const inProgress = new Set<string>();
  const findings: StaticFinding[] = [];
  const notAnalysed: NotAnalysed[] = [];

  const summarise = (name: string): CalleeSummary | undefined => {
    const known = summaries.get(name);
    if (known) return known;
    const f = fns.get(name);
    if (!f || inProgress.has(name)) return undefined;
    if (!touches.has(name)) return { analysed: true, touches: false, params: f.params, locals: f.locals, exits: [{}] };
    inProgress.add(name);
    const info = roleOf(f);
    const variables = new Set([...globals, ...f.params, ...f.locals]);
    const ctx: EffectContext = { defined, noreturn, variables, cancelPointers: f.cancelPointers };
    const result = explore({
      name,
      role: info?.role,
      checkExits: (info?.role === 'candidate' || callbacks.has(name)) && !calledHere.has(name),
      onlyInconsistentExits: info?.role !== 'dispatch' && info?.role !== 'cancel',
      cfg: buildCfg(f.node, macros),
      ctx,
      pos,
      callee: summarise,
      start: f.node.startIndex,
    });
    inProgress.delete(name);
    const summary: CalleeSummary = { analysed: !result.gaveUp, touches: true, params: f.params, locals: f.locals, exits: result.exits };
    summaries.set(name, summary);
    if (result.gaveUp) notAnalysed.push({ function: name, line: pos(f.node.startIndex).line, reason: result.gaveUp });
    else findings.push(...result.findings);
    return summary;
  };
  for (const name of fns.keys()) summarise(name);

  const exported: FunctionSummary[] = [];
  for (const [name, s] of summaries) {
    if (s.analysed && s.exits.some((e) => Object.keys(e).length > 0)) exported.push({ name, params: s.params, exits: s.exits });
  }
  findings.sort((a, b) => a.line - b.line || a.column - b.column || a.kind.localeCompare(b.kind));
  return {
    analysed: [...summaries.values()].filter((s) => s.touches && s.analysed).length,
    findings,
    summaries: exported,
    notAnalysed: notAnalysed.sort((a, b) => a.line - b.line),
  };
}

/** Parses and analyses one source text (for `spincheck check` and tests; the wrapper shares the instrumenter's parse). */
export function analyseSource(source: string, options: Pick<InstrumentOptions, 'resolveInclude' | 'roles' | 'sourceName'> & AnalyseOptions = {}): StaticAnalysis {
  const parser = cParser();
  const blanked = blankAnnotations(source);
  const root = parser.parse(blanked.text).rootNode;
  const roles = collectRoles(parser, [root], blanked, { tuId: '', ...options });
  return analyseUnit({ source, root, roles, ...(options.roles ? { config: options.roles } : {}) }, options);
}
