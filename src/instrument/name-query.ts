// A fast form of the one-pattern query `((identifier) @c (#any-of? @c "A" "B"))`: the names are found in the text first.
import type Parser from 'tree-sitter';
import type { CQuery, SyntaxNode } from './parse.js';

/** The identifiers found at text offsets in the last tree asked about: the calls and the names queries look up
 *  the same names, and the calls query runs twice on each root (roles, then hooks). */
let lastTree: unknown = null;
const identifiers = new Map<number, SyntaxNode | null>();

function identifierAt(node: SyntaxNode, start: number, end: number): SyntaxNode | null {
  if (node.tree !== lastTree) {
    lastTree = node.tree;
    identifiers.clear();
  }
  let found = identifiers.get(start);
  if (found === undefined) {
    const n = node.namedDescendantForIndex(start, end);
    found = n.type === 'identifier' && n.startIndex === start && n.endIndex === end ? n : null;
    identifiers.set(start, found);
  }
  return found;
}

/**
 * node-tree-sitter evaluates `#any-of?` in JavaScript, after building a node object for every identifier in the
 * file (a third of the instrumenter's time on a large driver). The names are rare: find them in the text, then
 * ask the tree which node each occurrence is. The captures are those of the query, in source order.
 */
export function nameQuery(source: string): CQuery | undefined {
  const m = /^(?:\s*;[^\n]*\n)*\s*\(\(identifier\) @(\w+)\s*\(#any-of\? @\1((?:\s+"\w+")+)\)\)\s*$/.exec(source);
  if (!m) return undefined;
  const capture = m[1]!;
  const names = [...m[2]!.matchAll(/"(\w+)"/g)].map((n) => n[1]!);
  const pattern = new RegExp(`(?<![A-Za-z0-9_$])(?:${names.join('|')})(?![A-Za-z0-9_$])`, 'g');
  const captures = (node: SyntaxNode): Parser.QueryCapture[] => {
    const text = node.text;
    const out: Parser.QueryCapture[] = [];
    for (const hit of text.matchAll(pattern)) {
      const start = node.startIndex + hit.index;
      const end = start + hit[0].length;
      const found = identifierAt(node, start, end);
      if (found) out.push({ name: capture, node: found });
    }
    return out;
  };
  return { captures, matches: (node) => captures(node).map((c) => ({ pattern: 0, captures: [c] })) };
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
  const find = (node: SyntaxNode): Parser.QueryMatch[] =>
    callees.captures(node).flatMap((callee) => {
      const call = callee.node.parent;
      if (call?.type !== 'call_expression' || call.childForFieldName('function')?.id !== callee.node.id) return [];
      const args = call.childForFieldName('arguments');
      if (args?.type !== 'argument_list' || call.startIndex < node.startIndex || call.endIndex > node.endIndex) return [];
      return [{ pattern: 0, captures: [{ name: callName, node: call }, callee, { name: argsName, node: args }] }];
    });
  // The last node's matches are kept (roles and hooks ask for the same root, one after the other).
  const matches = (node: SyntaxNode): Parser.QueryMatch[] => {
    if (last?.node.tree !== node.tree || last.node.id !== node.id) last = { node, matches: find(node) };
    return last.matches;
  };
  return { matches, captures: (node) => matches(node).flatMap((x) => x.captures) };
}
