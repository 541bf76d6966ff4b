// Fast forms of the .scm queries, used when a query has the shape they expect: rare names, keywords and directives
// found in the text first, function definitions from the tree's list (a tree-sitter query walks the whole tree).
import type Parser from 'tree-sitter';
import type { CQuery, SyntaxNode } from './parse.js';
import { forgetFunctions, functionsWithin } from './syntax.js';

/** The identifiers found at text offsets in the last tree asked about: the calls and the names queries look up
 *  the same names, and the calls query runs twice on each root (roles, then hooks). */
let lastTree: unknown = null;
const named = new Map<number, SyntaxNode>();
/** The calls query's last root and its matches (roles and hooks ask for the same root, one after the other). */
let lastCalls: { node: SyntaxNode; matches: Parser.QueryMatch[] } | null = null;

/** Lets go of the trees the fast queries keep (called when an instrument call ends). */
export function forgetTrees(): void {
  lastTree = null;
  named.clear();
  lastCalls = null;
  forgetFunctions();
}

/** The node of type `type` spanning exactly [start, end), if the smallest named node there is one. */
function nodeAt(node: SyntaxNode, start: number, end: number, type: string): SyntaxNode | null {
  if (node.tree !== lastTree) {
    lastTree = node.tree;
    named.clear();
  }
  let found = named.get(start);
  if (found === undefined) {
    found = node.namedDescendantForIndex(start, end);
    named.set(start, found);
  }
  return found.type === type && found.startIndex === start && found.endIndex === end ? found : null;
}

/** Captures of `((TYPE) @capture (#any-of? @capture names...))` under `node`, in source order. */
function wordCaptures(type: string, capture: string, names: string[]): (node: SyntaxNode) => Parser.QueryCapture[] {
  const pattern = new RegExp(`(?<![A-Za-z0-9_$])(?:${names.join('|')})(?![A-Za-z0-9_$])`, 'g');
  return (node) => {
    const text = node.text;
    const from = node.startIndex;
    const out: Parser.QueryCapture[] = [];
    for (const hit of text.matchAll(pattern)) {
      const start = from + hit.index;
      const found = nodeAt(node, start, start + hit[0].length, type);
      if (found) out.push({ name: capture, node: found });
    }
    return out;
  };
}

/**
 * node-tree-sitter evaluates `#any-of?` in JavaScript, after building a node object for every identifier in the
 * file (a third of the instrumenter's time on a large driver). The names are rare: find them in the text, then
 * ask the tree which node each occurrence is. The captures are those of the query, in source order.
 */
export function nameQuery(source: string): CQuery | undefined {
  const m = /^(?:\s*;[^\n]*\n)*\s*\(\(identifier\) @(\w+)\s*\(#any-of\? @\1((?:\s+"\w+")+)\)\)\s*$/.exec(source);
  if (!m) return undefined;
  const captures = wordCaptures('identifier', m[1]!, quoted(m[2]!));
  return { captures, matches: (node) => captures(node).map((c) => ({ pattern: 0, captures: [c] })) };
}

function quoted(list: string): string[] {
  return [...list.matchAll(/"(\w+)"/g)].map((n) => n[1]!);
}

/**
 * The same for a query on the type of a declaration, `(declaration type: (type_identifier) @type (#any-of? @type ...))
 * @declaration`: its matches are every declaration with a typedef'd type (most local variables) before the check.
 */
export function declarationQuery(source: string): CQuery | undefined {
  const m = /^(?:\s*;[^\n]*\n)*\s*\(declaration\s+type: \(type_identifier\) @(\w+)\s+\(#any-of\? @\1((?:\s+"\w+")+)\)\) @(\w+)\s*$/.exec(source);
  if (!m) return undefined;
  const [, typeName, list, declarationName] = m as unknown as [string, string, string, string];
  const types = wordCaptures('type_identifier', typeName, quoted(list));
  const matches = (node: SyntaxNode): Parser.QueryMatch[] =>
    types(node).flatMap((type) => {
      const declaration = type.node.parent;
      if (declaration?.type !== 'declaration' || declaration.childForFieldName('type')?.id !== type.node.id) return [];
      if (declaration.startIndex < node.startIndex || declaration.endIndex > node.endIndex) return [];
      return [{ pattern: 0, captures: [{ name: declarationName, node: declaration }, type] }];
    });
  return { matches, captures: (node) => matches(node).flatMap((x) => x.captures) };
}

/**
 * The same for the calls query, `(call_expression function: (identifier) @callee arguments: (argument_list) @args
 * (#any-of? @callee ...)) @call`: its matches are every call of the file before the names are checked.
 */
export function callQuery(source: string): CQuery | undefined {
  const m =
    /^(?:\s*;[^\n]*\n)*\s*\(call_expression\s+function: \(identifier\) @(\w+)\s+arguments: \(argument_list\) @(\w+)\s+\(#any-of\? @\1((?:\s+"\w+")+)\)\) @(\w+)\s*$/.exec(
      source,
    );
  if (!m) return undefined;
  const [, calleeName, argsName, list, callName] = m as unknown as [string, string, string, string, string];
  const callees = nameQuery(`((identifier) @${calleeName} (#any-of? @${calleeName}${list}))`)!;
  const find = (node: SyntaxNode): Parser.QueryMatch[] => {
    const end = node.endIndex;
    return callees.captures(node).flatMap((callee) => {
      const call = callee.node.parent;
      // The callee is the call's function when it starts the call (the only other child is the argument list); the
      // call then starts inside `node`, which holds the callee.
      if (call?.type !== 'call_expression' || call.startIndex !== callee.node.startIndex) return [];
      const args = call.childForFieldName('arguments');
      if (args?.type !== 'argument_list' || call.endIndex > end) return [];
      return [{ pattern: 0, captures: [{ name: callName, node: call }, callee, { name: argsName, node: args }] }];
    });
  };
  const matches = (node: SyntaxNode): Parser.QueryMatch[] => {
    if (lastCalls?.node.tree !== node.tree || lastCalls.node.id !== node.id) lastCalls = { node, matches: find(node) };
    return lastCalls.matches;
  };
  return { matches, captures: (node) => matches(node).flatMap((x) => x.captures) };
}

/**
 * The same for the returns query, `(KEYWORD_statement) @x (function_definition) @y`, asked once per routine body:
 * the statements are found from their keyword in the text, the function definitions among the tree's by range.
 */
export function statementQuery(source: string): CQuery | undefined {
  const m = /^(?:\s*;[^\n]*\n)*\s*\((\w+)_statement\) @(\w+)\s+\(function_definition\) @(\w+)\s*$/.exec(source);
  if (!m) return undefined;
  const [, keyword, statementName, functionName] = m as unknown as [string, string, string, string];
  const type = `${keyword}_statement`;
  const pattern = new RegExp(`(?<![A-Za-z0-9_$])${keyword}(?![A-Za-z0-9_$])`, 'g');
  const matches = (node: SyntaxNode): Parser.QueryMatch[] => {
    const out: Parser.QueryMatch[] = [];
    const text = node.text;
    const from = node.startIndex;
    for (const hit of text.matchAll(pattern)) {
      const start = from + hit.index;
      const found = node.namedDescendantForIndex(start, start + keyword.length);
      if (found.type === type && found.startIndex === start) out.push({ pattern: 0, captures: [{ name: statementName, node: found }] });
    }
    const nested = functionsWithin(node);
    if (nested.length === 0) return out;
    // Both lists are in source order: merged by start (a statement and a definition never start together).
    const all = [...out, ...nested.map((fn) => ({ pattern: 1, captures: [{ name: functionName, node: fn }] }))];
    return all.sort((a, b) => (a.captures[0]?.node.startIndex ?? 0) - (b.captures[0]?.node.startIndex ?? 0));
  };
  return { matches, captures: (node) => matches(node).flatMap((x) => x.captures) };
}

/** A query's patterns without comments and with single spaces, to recognise the queries that have a fast form. */
function normalised(source: string): string {
  return source.replace(/^\s*;[^\n]*$/gm, '').replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
}

/** A node's field child, when it has that type. */
function fieldOf(node: SyntaxNode, field: string, type: string): SyntaxNode | null {
  const child = node.childForFieldName(field);
  return child && (type === '_' || child.type === type) ? child : null;
}

/** Matches of `(function_definition declarator: (_) @d body: (compound_statement) @b) @f`: the tree's definitions by range. */
function functionMatches(fnName: string, declaratorName: string, bodyName: string): CQuery['matches'] {
  return (node) =>
    functionsWithin(node).flatMap((fn) => {
      const declarator = fieldOf(fn, 'declarator', '_');
      const body = fieldOf(fn, 'body', 'compound_statement');
      if (!declarator || !body) return [];
      return [{ pattern: 0, captures: [{ name: fnName, node: fn }, { name: declaratorName, node: declarator }, { name: bodyName, node: body }] }];
    });
}

/**
 * Matches of patterns on preprocessor directives, `(TYPE FIELD: (TYPE) @capture ...)`: a directive starts with `#`,
 * so each `#` of the text is asked which node starts there (few per file, against a walk of the whole tree).
 */
function directiveMatches(patterns: Array<{ type: string; fields: Array<{ field: string; type: string; capture: string }> }>): CQuery['matches'] {
  return (node) => {
    const text = node.text;
    const from = node.startIndex;
    const out: Parser.QueryMatch[] = [];
    for (let at = text.indexOf('#'); at >= 0; at = text.indexOf('#', at + 1)) {
      const start = from + at;
      const found = node.namedDescendantForIndex(start, start + 1);
      const pattern = patterns.findIndex((p) => p.type === found.type);
      if (pattern < 0 || found.startIndex !== start) continue;
      const captures: Parser.QueryCapture[] = [];
      for (const f of (patterns[pattern] as (typeof patterns)[number]).fields) {
        const child = fieldOf(found, f.field, f.type);
        if (!child) break;
        captures.push({ name: f.capture, node: child });
      }
      if (captures.length === (patterns[pattern] as (typeof patterns)[number]).fields.length) out.push({ pattern, captures });
    }
    return out;
  };
}

/**
 * Matches of the dispatch-table stores, `(assignment_expression left: (subscript_expression argument: (field_expression
 * field: (field_identifier) @f)) right: (_) @v (#eq? @f "NAME")) @s`: from each occurrence of NAME up.
 */
function storeMatches(fieldName: string, valueName: string, storeName: string, word: string): CQuery['matches'] {
  const fields = wordCaptures('field_identifier', fieldName, [word]);
  return (node) => {
    const end = node.endIndex;
    return fields(node).flatMap((field) => {
      // Each parent is the expected node when the child starts it (the argument and the left side come first).
      const access = field.node.parent;
      if (access?.type !== 'field_expression' || access.endIndex !== field.node.endIndex) return [];
      const subscript = access.parent;
      if (subscript?.type !== 'subscript_expression' || subscript.startIndex !== access.startIndex) return [];
      const store = subscript.parent;
      if (store?.type !== 'assignment_expression' || store.startIndex !== subscript.startIndex || store.endIndex > end) return [];
      const value = fieldOf(store, 'right', '_');
      if (!value || store.startIndex < node.startIndex) return [];
      return [{ pattern: 0, captures: [{ name: fieldName, node: field.node }, { name: valueName, node: value }, { name: storeName, node: store }] }];
    });
  };
}

/** The fast form of a query run over whole files (functions, macros, includes, dispatch-table stores), if it has one. */
export function fileQuery(source: string): CQuery | undefined {
  const q = normalised(source);
  let m: RegExpExecArray | null;
  let matches: CQuery['matches'] | undefined;
  if ((m = /^\(function_definition declarator: \(_\) @(\w+) body: \(compound_statement\) @(\w+)\) @(\w+)$/.exec(q))) {
    matches = functionMatches(m[3]!, m[1]!, m[2]!);
  } else if ((m = /^\(preproc_include path: \(string_literal\) @(\w+)\)$/.exec(q))) {
    matches = directiveMatches([{ type: 'preproc_include', fields: [{ field: 'path', type: 'string_literal', capture: m[1]! }] }]);
  } else if (
    (m = /^\(preproc_function_def name: \(identifier\) @(\w+) value: \(preproc_arg\) @(\w+)\) \(preproc_def name: \(identifier\) @\1 value: \(preproc_arg\) @\2\)$/.exec(q))
  ) {
    const fields = [{ field: 'name', type: 'identifier', capture: m[1]! }, { field: 'value', type: 'preproc_arg', capture: m[2]! }];
    matches = directiveMatches([{ type: 'preproc_function_def', fields }, { type: 'preproc_def', fields }]);
  } else if (
    (m = /^\(assignment_expression left: \(subscript_expression argument: \(field_expression field: \(field_identifier\) @(\w+)\)\) right: \(_\) @(\w+) \(#eq\? @\1 "(\w+)"\)\) @(\w+)$/.exec(q))
  ) {
    matches = storeMatches(m[1]!, m[2]!, m[4]!, m[3]!);
  }
  if (!matches) return undefined;
  const found = matches;
  return { matches: found, captures: (node) => found(node).flatMap((x) => x.captures).sort((a, b) => a.node.startIndex - b.node.startIndex) };
}
