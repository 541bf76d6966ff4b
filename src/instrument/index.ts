// instrument(): C source text in, rewritten text + sites out. Pure: no file system, no process state.
import type { Role, RoleSource, Routine, Site, Unchecked } from '../model/index.js';
import { blankAnnotations } from './annotations.js';
import { collectBranchCalls, collectCalls, collectMacroCalls, collectOtherUses } from './calls.js';
import type { View } from './collector.js';
import { Collector, INDEX, indexOf } from './collector.js';
import type { Directive } from './conditionals.js';
import { alternateBranches, conditionals, firstBranchView } from './conditionals.js';
import { INSTRUMENTED_MARKER, preludeBlock, trailer } from './emit.js';
import { InstrumentError } from './errors.js';
import { mostlyBroken } from './health.js';
import { forgetTrees } from './name-query.js';
import { cParser } from './parse.js';
import type { CParser, SyntaxNode } from './parse.js';
import { LineMap } from './positions.js';
import { InsertOnlyRewriter } from './rewriter.js';
import { collectRoles } from './roles.js';
import { collectRoutines } from './routines.js';
import { LOCK_CALL, mentionsRelevantName } from './scan.js';
import { functionName, insideBlock, isBroken, topLevel } from './syntax.js';
import type { InstrumentOptions, InstrumentResult } from './types.js';

export type { Dialect, InstrumentOptions, InstrumentResult, ParsedUnit, ResolvedInclude, RoleConfig } from './types.js';
export { INSTRUMENTED_MARKER } from './emit.js';
export { mentionsRelevantName } from './scan.js';
export { InstrumentError };

/**
 * The parses to collect from. Where the file's parse has errors and the file has #else/#elif branches,
 * a second parse of the first-branch view takes over those top-level regions it parses cleanly (code split
 * across conditional branches, `#if A { #else { #endif`, is the usual cause of tree-sitter errors); the
 * other broken regions stay with the first parse, whose clean parts are still used.
 */
function views(parser: CParser, parsedText: string, root: SyntaxNode, dirs: readonly Directive[]): View[] {
  if (!root.hasError || !dirs.some((d) => d.kind === 'else')) return [{ root, keep: () => true, fallback: false }];
  const second = parser.parse(firstBranchView(parsedText, dirs)).rootNode;
  const brokenRanges = (top: SyntaxNode) =>
    top.children.filter((n) => n.hasError || n.type === 'ERROR').map((n) => [n.startIndex, n.endIndex] as const);
  const secondBroken = brokenRanges(second);
  // Both lists are in source order: one sweep finds the first parse's broken items the second parse got right.
  let k = 0;
  const taken = brokenRanges(root).filter(([s, e]) => {
    while (k < secondBroken.length && (secondBroken[k] as readonly [number, number])[1] <= s) k++;
    return !(k < secondBroken.length && (secondBroken[k] as readonly [number, number])[0] < e);
  });
  const inTaken = (n: SyntaxNode) => {
    let lo = 0;
    let hi = taken.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((taken[mid] as readonly [number, number])[0] <= n.startIndex) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && n.startIndex < (taken[lo - 1] as readonly [number, number])[1];
  };
  return [
    { root, keep: (n) => !inTaken(n), fallback: false },
    { root: second, keep: inTaken, fallback: true },
  ];
}

/**
 * Where the prelude goes: the start of a line before the first top-level item holding a hook, after the
 * previous token (annotations, blanked in `parsed`, stay attached to their declaration).
 */
function preludeIndex(parsed: string, hooked: SyntaxNode[], bomLength: number, dirs: readonly Directive[]): number {
  return outsideConditionals(dirs, lineBefore(parsed, hooked, bomLength));
}

/** The start of the outermost conditional group still open at `at`, or `at` when none is (prelude at file level). */
function outsideConditionals(dirs: readonly Directive[], at: number): number {
  const open: Directive[] = [];
  for (const d of dirs) {
    if (d.start >= at) break;
    if (d.kind === 'if') open.push(d);
    else if (d.kind === 'endif') open.pop();
  }
  return open[0]?.start ?? at;
}

function lineBefore(parsed: string, hooked: SyntaxNode[], bomLength: number): number {
  let first: SyntaxNode | null = null;
  for (const node of earliestPerTree(hooked)) {
    const top = topLevel(node);
    if (!first || top.startIndex < first.startIndex) first = top;
  }
  for (let n = first; n; n = n.previousSibling) {
    let s = n.startIndex;
    while (s > bomLength && /\s/.test(parsed[s - 1] ?? '')) s--;
    if (s <= bomLength) return bomLength;
    const lineBreak = parsed.indexOf('\n', s);
    if (lineBreak >= 0 && lineBreak < n.startIndex && parsed[s - 1] !== '\\') return lineBreak + 1;
  }
  return bomLength;
}

/**
 * The earliest node of each parse: top-level items of one tree are disjoint and in order, so its earliest node
 * sits in its earliest item (walking up from every hooked node cost a tenth of the instrumenter's time).
 */
function earliestPerTree(nodes: SyntaxNode[]): SyntaxNode[] {
  const earliest = new Map<unknown, SyntaxNode>();
  for (const node of nodes) {
    const seen = earliest.get(node.tree);
    if (!seen || node.startIndex < seen.startIndex) earliest.set(node.tree, node);
  }
  return [...earliest.values()];
}

function unchanged(source: string, reason: string | undefined, partial: Partial<InstrumentResult> = {}): InstrumentResult {
  return {
    code: source,
    changed: false,
    insertions: [],
    sites: [],
    routines: [],
    unchecked: partial.unchecked ?? [],
    diagnostics: partial.diagnostics ?? [],
    ...(reason ? { uninstrumentedReason: reason } : {}),
  };
}

/** Rewrites one C translation unit: hooks at every lock call, routine exit and registration; prelude; trailer. */
export function instrument(source: string, options: InstrumentOptions): InstrumentResult {
  try {
    return instrumentUnit(source, options);
  } finally {
    forgetTrees();
  }
}

function instrumentUnit(source: string, options: InstrumentOptions): InstrumentResult {
  if (source.includes(INSTRUMENTED_MARKER)) return unchanged(source, 'already instrumented');
  if (!mentionsRelevantName(source, options.roles)) return unchanged(source, undefined);
  const parser = cParser();
  const blanked = blankAnnotations(source);
  const root = parser.parse(blanked.text).rootNode;
  const dirs = source.includes('#') ? conditionals(source) : [];
  const lines = new LineMap(source);
  const rewriter = new InsertOnlyRewriter(source);
  const c = new Collector(source, lines, rewriter, dirs);
  const parses = views(parser, blanked.text, root, dirs);
  const broken = mostlyBroken(parses, source.length);
  if (broken) return unchanged(source, broken, { diagnostics: [broken] });
  const table = collectRoles(parser, parses.map((v) => v.root), blanked, options);
  options.onParsed?.({ source, root, roles: table, ...(options.roles ? { config: options.roles } : {}) });
  const alternates = parses.some((v) => v.fallback) ? alternateBranches(source, dirs) : [];
  for (const view of parses) {
    collectCalls(parser, view, c);
    if (view.fallback) collectBranchCalls(view, alternates, c);
    collectMacroCalls(parser, view, c);
    collectOtherUses(parser, view, c);
    collectRoutines(parser, view, table, options, c);
  }

  if (options.strict && c.unchecked.length > 0) {
    const u = c.unchecked[0] as Unchecked;
    throw new InstrumentError(`${options.sourceName ?? 'input'}:${u.line}:${u.column}: cannot instrument ${u.name}: ${u.reason}`);
  }
  if (c.pending.length === 0) {
    const mentionsLock = LOCK_CALL.test(source);
    const reason = mentionsLock && c.unchecked.length > 0 ? 'no call site could be instrumented safely' : undefined;
    if (reason) c.diagnostics.push(reason);
    return unchanged(source, reason, { unchecked: c.unchecked, diagnostics: c.diagnostics });
  }

  const ordered = [...c.pending].sort((a, b) => a.at - b.at || a.order - b.order);
  ordered.forEach((p, i) => INDEX.set(p, i));
  // Innermost first: of two hooks opening (or closing) at one index, the enclosing call's comes out outside.
  for (const p of [...ordered].reverse()) p.apply(indexOf(p));
  for (const apply of c.siteless) apply();
  const bom = source.startsWith('\uFEFF') ? 1 : source.startsWith('\xEF\xBB\xBF') ? 3 : 0;
  const at = preludeIndex(blanked.text, c.hooked, bom, dirs);
  rewriter.before(at, preludeBlock(lines.line(at), options.dialect ?? 'gnu', options.pragmaLib));
  const sites: Site[] = ordered.map((p, index) => ({ index, ...p.site }));
  rewriter.after(source.length, trailer(sites, options.tuId, options.sourceName ?? '', options.dataDir));
  const routines: Routine[] = c.routines.map(({ entry, ...r }) => ({ ...r, entrySite: indexOf(entry) }));
  return {
    code: rewriter.toString(),
    changed: true,
    insertions: rewriter.insertions,
    sites,
    routines,
    unchecked: c.unchecked,
    diagnostics: c.diagnostics,
  };
}


/** A routine role the instrumenter gives a name in one file, with the dispatch-table subscripts it is stored at. */
export interface FoundRole {
  name: string;
  role: Role;
  source: RoleSource;
  /** Subscripts of `MajorFunction[...] = name` stores in the file (`IRP_MJ_READ`, or a loop's `i`). */
  majors: string[];
}

/** A function defined in the file (clean header), with its parameter count. */
export interface DefinedFunction {
  name: string;
  params: number;
  line: number;
}

/**
 * The instrumenter's role detection on one file, without rewriting it: role types and annotations (the file's and
 * its project headers' through `options.resolveInclude`), dispatch-table stores and cancel-routine registrations.
 */
export function findRoles(source: string, options: Pick<InstrumentOptions, 'resolveInclude' | 'sourceName'>): { roles: FoundRole[]; defined: DefinedFunction[] } {
  try {
    return findUnitRoles(source, options);
  } finally {
    forgetTrees();
  }
}

function findUnitRoles(source: string, options: Pick<InstrumentOptions, 'resolveInclude' | 'sourceName'>): { roles: FoundRole[]; defined: DefinedFunction[] } {
  const parser = cParser();
  const blanked = blankAnnotations(source);
  const root = parser.parse(blanked.text).rootNode;
  const dirs = source.includes('#') ? conditionals(source) : [];
  const roots = views(parser, blanked.text, root, dirs).map((v) => v.root);
  const table = collectRoles(parser, roots, blanked, { tuId: '', ...options });
  const roles = table.entries().map(([name, info]) => ({ name, ...info, majors: table.majors.get(name) ?? [] }));
  const lines = new LineMap(source);
  const defined = root.descendantsOfType('function_definition').flatMap((fn) => {
    const name = functionName(fn);
    const declarator = fn.childForFieldName('declarator');
    if (!name || !declarator || isBroken(declarator) || insideBlock(fn)) return [];
    const params = declarator.descendantsOfType('parameter_list')[0]?.namedChildren.filter((p) => p.type === 'parameter_declaration') ?? [];
    const isVoid = params.length === 1 && params[0]?.text.trim() === 'void';
    return [{ name, params: isVoid ? 0 : params.length, line: lines.line(fn.startIndex) }];
  });
  return { roles, defined };
}
