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
  const a: Ancestry = { fn: null, inError: false, inBlock: false, fnInBlock: false };
  for (let p = node.parent; p; p = p.parent) {
    const type = p.type;
    if (type === 'ERROR') a.inError = true;
    else if (type === 'compound_statement' || type === 'function_definition') {
      a.inBlock = true;
      if (a.fn) a.fnInBlock = true;
      else if (type === 'function_definition') a.fn = p;
    }
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
