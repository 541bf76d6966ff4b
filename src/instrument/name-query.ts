// Fast forms of queries for rare names, `((identifier) @c (#any-of? @c "A" "B"))` and two shapes around it: the names
// are found in the text first.
import type Parser from 'tree-sitter';
import type { CQuery, SyntaxNode } from './parse.js';
import { functionsWithin } from './syntax.js';

/** The identifiers found at text offsets in the last tree asked about: the calls and the names queries look up
 *  the same names, and the calls query runs twice on each root (roles, then hooks). */
let lastTree: unknown = null;
const named = new Map<number, SyntaxNode>();

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
  let last: { node: SyntaxNode; matches: Parser.QueryMatch[] } | null = null;
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
  // The last node's matches are kept (roles and hooks ask for the same root, one after the other).
  const matches = (node: SyntaxNode): Parser.QueryMatch[] => {
    if (last?.node.tree !== node.tree || last.node.id !== node.id) last = { node, matches: find(node) };
    return last.matches;
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
