// A fast form of the one-pattern query `((identifier) @c (#any-of? @c "A" "B"))`: the names are found in the text first.
import type Parser from 'tree-sitter';
import type { CQuery, SyntaxNode } from './parse.js';

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
      const found = node.namedDescendantForIndex(start, end);
      if (found.type === 'identifier' && found.startIndex === start && found.endIndex === end) out.push({ name: capture, node: found });
    }
    return out;
  };
  return { captures, matches: (node) => captures(node).map((c) => ({ pattern: 0, captures: [c] })) };
}
