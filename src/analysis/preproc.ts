// Conditional compilation inside function bodies: `#if`/`#ifdef` decided from known macros, or left as a branch.
import type { SyntaxNode } from '../instrument/parse.js';

/** Macros known to the analysis: name -> value, or null when known to be undefined. */
export type Macros = ReadonlyMap<string, string | null>;

/** Macros a file defines or undefines itself, then the command line's (which win, as the compiler sees them first
 *  but a file rarely redefines a configuration macro). */
export function knownMacros(source: string, command: ReadonlyArray<readonly [string, string | null]> = []): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const m of source.matchAll(/^[ \t]*#[ \t]*(define|undef)[ \t]+([A-Za-z_]\w*)(?![\w(])[ \t]*([^\n]*)/gm)) {
    out.set(m[2] as string, m[1] === 'undef' ? null : (m[3] ?? '').replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim() || '1');
  }
  for (const [name, value] of command) out.set(name, value);
  return out;
}

function integer(text: string): number | null {
  const m = /^(0x[0-9a-f]+|\d+)[ul]*$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
}

const BINARY: Record<string, (a: number, b: number) => number> = {
  '&&': (a, b) => Number(a !== 0 && b !== 0),
  '||': (a, b) => Number(a !== 0 || b !== 0),
  '==': (a, b) => Number(a === b),
  '!=': (a, b) => Number(a !== b),
  '<': (a, b) => Number(a < b),
  '>': (a, b) => Number(a > b),
  '<=': (a, b) => Number(a <= b),
  '>=': (a, b) => Number(a >= b),
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
};

/** The value of a `#if` condition, or null when it depends on a macro the analysis does not know. */
export function evaluate(n: SyntaxNode, macros: Macros): number | null {
  switch (n.type) {
    case 'number_literal':
      return integer(n.text);
    case 'preproc_defined': {
      const name = n.namedChildren[0]?.text ?? '';
      return macros.has(name) ? Number(macros.get(name) !== null) : null;
    }
    case 'identifier': {
      if (!macros.has(n.text)) return null;
      const v = macros.get(n.text);
      return v === null ? 0 : integer(v ?? '');
    }
    case 'parenthesized_expression':
      return n.namedChildren[0] ? evaluate(n.namedChildren[0], macros) : null;
    case 'unary_expression': {
      const a = n.childForFieldName('argument');
      const v = a ? evaluate(a, macros) : null;
      return v === null || n.child(0)?.type !== '!' ? null : Number(v === 0);
    }
    case 'binary_expression': {
      const op = BINARY[n.childForFieldName('operator')?.type ?? ''];
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!op || !left || !right) return null;
      const a = evaluate(left, macros);
      const b = evaluate(right, macros);
      // Short circuits decide with one side unknown: `0 && X`, `1 || X`.
      if (a === 0 && n.childForFieldName('operator')?.type === '&&') return 0;
      if (a !== null && a !== 0 && n.childForFieldName('operator')?.type === '||') return 1;
      return a === null || b === null ? null : op(a, b);
    }
    default:
      return null;
  }
}

/** A conditional group's test: its text (a fact key: the same test decides the same way) and its value if known. */
export function groupTest(group: SyntaxNode, macros: Macros): { text: string; negated: boolean; value: number | null } {
  if (group.type === 'preproc_ifdef' || group.type === 'preproc_elifdef') {
    const name = group.childForFieldName('name')?.text ?? '';
    const negated = /ndef$/.test(group.child(0)?.type ?? '');
    const defined = macros.has(name) ? macros.get(name) !== null : null;
    return { text: `defined(${name})`, negated, value: defined === null ? null : Number(defined !== negated) };
  }
  const condition = group.childForFieldName('condition');
  return { text: condition?.text.replace(/\s+/g, ' ') ?? '', negated: false, value: condition ? evaluate(condition, macros) : null };
}
