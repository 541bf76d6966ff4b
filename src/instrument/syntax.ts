// Small helpers over tree-sitter nodes: names of declarators, error checks, enclosing functions.
import type { SyntaxNode } from './parse.js';

/** The identifier a declarator declares (through pointers, parentheses, function and array declarators). */
export function declaredName(declarator: SyntaxNode | null): SyntaxNode | null {
  let node = declarator;
  while (node) {
    if (node.type === 'identifier') return node;
    const inner = node.childForFieldName('declarator');
    if (inner) node = inner;
    else if (node.type === 'parenthesized_declarator') node = node.namedChildren[0] ?? null;
    else return null;
  }
  return null;
}

/** True when the node or an ancestor is an ERROR node, or the node contains errors. */
export function isBroken(node: SyntaxNode): boolean {
  if (node.hasError || node.isMissing) return true;
  for (let p = node.parent; p; p = p.parent) if (p.type === 'ERROR') return true;
  return false;
}

/** The function definition that contains the node, if any. */
export function enclosingFunction(node: SyntaxNode): SyntaxNode | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

/** Name of a function definition, or null when its header does not parse. */
export function functionName(fn: SyntaxNode): string | null {
  return declaredName(fn.childForFieldName('declarator'))?.text ?? null;
}

/** The top-level (translation-unit child) ancestor of a node. */
export function topLevel(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent && n.parent.type !== 'translation_unit') n = n.parent;
  return n;
}

/** A call's arguments (its argument list's named children but comments): type, range and text, read with a cursor. */
export interface Argument {
  type: string;
  start: number;
  end: number;
  text: string;
}

export function argumentsOf(args: SyntaxNode): Argument[] {
  const out: Argument[] = [];
  const c = args.walk();
  if (!c.gotoFirstChild()) return out;
  do {
    const type = c.nodeType;
    if (c.nodeIsNamed && type !== 'comment') out.push({ type, start: c.startIndex, end: c.endIndex, text: c.nodeText });
  } while (c.gotoNextSibling());
  return out;
}

/** The innermost right-hand side of a chain of assignments `a = b = F`. */
export function assignedValue(value: SyntaxNode): SyntaxNode {
  let v = value;
  while (v.type === 'assignment_expression') v = v.childForFieldName('right') ?? v;
  while (v.type === 'parenthesized_expression' && v.namedChildren.length === 1) v = v.namedChildren[0] ?? v;
  return v;
}

/** What one walk up from a node finds (each `parent` read builds a node object: call sites walk once). */
export interface Ancestry {
  /** The innermost function definition around the node. */
  fn: SyntaxNode | null;
  /** An ancestor is an ERROR node. */
  inError: boolean;
  /** An ancestor is a block or a function definition (insideBlock of the node). */
  inBlock: boolean;
  /** An ancestor of `fn` is a block or a function definition (insideBlock of `fn`). */
  fnInBlock: boolean;
}

export function ancestry(node: SyntaxNode): Ancestry {
  // Inside a function without errors there is no ERROR node: the function's own ancestry says the rest.
  const inner = node.type === 'function_definition' ? null : innermostFunction(node);
  if (inner && !inner.hasError) {
    const above = functionAncestry(inner);
    return { fn: inner, inError: above.inError, inBlock: true, fnInBlock: above.inBlock };
  }
  let inError = false;
  let inBlock = false;
  for (let p = node.parent; p; p = p.parent) {
    const type = p.type;
    if (type === 'ERROR') inError = true;
    else if (type === 'compound_statement') inBlock = true;
    else if (type === 'function_definition') {
      const above = functionAncestry(p);
      return { fn: p, inError: inError || above.inError, inBlock: true, fnInBlock: above.inBlock };
    }
  }
  return { fn: null, inError, inBlock, fnInBlock: false };
}

/** The ancestry of each function definition of the last tree asked about: every call site in it shares the walk above it. */
let lastTree: unknown = null;
const functions = new Map<number, Ancestry>();
/** The function definitions of that tree in source order, their ranges, and the index of the one around each. */
let defined: Defined | null = null;

/** Lets go of the last tree (a warm worker would otherwise keep it alive until its next file). */
export function forgetFunctions(): void {
  lastTree = null;
  functions.clear();
  defined = null;
}

function sameTree(node: SyntaxNode): void {
  if (node.tree === lastTree) return;
  lastTree = node.tree;
  functions.clear();
  defined = null;
}

type Defined = { nodes: SyntaxNode[]; starts: number[]; ends: number[]; outer: number[] };

/** The function definitions of a node's tree, found once per tree. */
function definedFunctions(node: SyntaxNode): Defined {
  sameTree(node);
  if (!defined) {
    const nodes = node.tree.rootNode.descendantsOfType('function_definition');
    const starts = nodes.map((n) => n.startIndex);
    const ends = nodes.map((n) => n.endIndex);
    const outer: number[] = [];
    const open: number[] = [];
    nodes.forEach((_, i) => {
      while (open.length > 0 && (ends[open.at(-1) as number] as number) <= (starts[i] as number)) open.pop();
      outer.push(open.at(-1) ?? -1);
      open.push(i);
    });
    defined = { nodes, starts, ends, outer };
  }
  return defined;
}

/** The index of the first of `starts` (ascending) at or after `at`. */
function firstFrom(starts: readonly number[], at: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] as number) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The innermost function definition around a node, found by ranges (each step up would be a call into the addon). */
function innermostFunction(node: SyntaxNode): SyntaxNode | null {
  const { nodes, starts, ends, outer } = definedFunctions(node);
  const start = node.startIndex;
  const end = node.endIndex;
  for (let i = firstFrom(starts, start + 1) - 1; i >= 0; i = outer[i] as number) {
    if ((ends[i] as number) >= end && ((starts[i] as number) < start || (ends[i] as number) > end)) return nodes[i] as SyntaxNode;
  }
  return null;
}

/** The function definitions under a node (itself included), in source order: found by ranges, not by a walk. */
export function functionsWithin(node: SyntaxNode): SyntaxNode[] {
  const { nodes, starts, ends } = definedFunctions(node);
  const end = node.endIndex;
  const out: SyntaxNode[] = [];
  for (let i = firstFrom(starts, node.startIndex); i < starts.length && (starts[i] as number) < end; i++) if ((ends[i] as number) <= end) out.push(nodes[i] as SyntaxNode);
  return out;
}

function functionAncestry(fn: SyntaxNode): Ancestry {
  sameTree(fn);
  let a = functions.get(fn.id);
  if (!a) {
    a = ancestry(fn);
    functions.set(fn.id, a);
  }
  return a;
}

/** isBroken() of a node whose ancestry is known. */
export function brokenWith(node: SyntaxNode, a: Ancestry): boolean {
  return node.hasError || node.isMissing || a.inError;
}

/** True for a node inside a block or another function: a function definition there is a parse artefact. */
export function insideBlock(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'compound_statement' || p.type === 'function_definition') return true;
  return false;
}
