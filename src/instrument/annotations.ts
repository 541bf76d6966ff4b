// Blanks SAL annotations, calling-convention and decoration macros to spaces (same length) before parsing, keeping
// role hints.
import type { Role } from '../model/index.js';
import { blankDecorations } from './decorations.js';

/** A role read from an annotation (`_Dispatch_type_`, `_Function_class_`), applying to the next declared function. */
export interface RoleHint {
  end: number;
  role: Role;
  source: 'dispatch-type-annotation' | 'role-type';
}

export interface BlankedText {
  text: string;
  hints: RoleHint[];
}

/** SAL 2 (`_In_`, `_IRQL_requires_max_(...)`) is `_` + capital + ... + `_`; SAL 1 and DDK macros are listed. */
const SAL2 = /^_[A-Z][A-Za-z0-9_]*_$/;
const WORDS = new Set([
  'IN', 'OUT', 'OPTIONAL', 'INOUT', 'NTAPI', 'WINAPI', 'APIENTRY', 'CALLBACK', 'STDCALL', 'FASTCALL', 'DDKAPI',
  'NTSYSAPI', 'NTKERNELAPI', 'NTHALAPI', 'NTSYSCALLAPI', 'DECLSPEC_IMPORT', 'DECLSPEC_EXPORT', 'DECLSPEC_NOINLINE',
  'DECLSPEC_NORETURN', 'DECLSPEC_ALIGN', 'DECLSPEC_CACHEALIGN', 'DECLSPEC_SELECTANY', 'DECLSPEC_NOTHROW', 'EXTERN_C',
  'CODE_SEG', 'INIT_FUNCTION', 'INIT_SECTION', 'PAGED', 'NONPAGED', 'DRIVER_INITIALIZE_SECTION', '__drv_dispatchType',
  '__drv_dispatchType_other', '__in', '__out', '__inout', '__in_opt', '__out_opt', '__inout_opt', '__checkReturn',
  '__success', '__callback', '__reserved', '__nullterminated', '__in_bcount', '__out_bcount', '__in_ecount',
  '__out_ecount', '__deref_out', '__deref_out_opt', '__deref_inout', '__in_z', '__in_opt_z', '__out_z',
]);
const SAL1_PREFIX = /^__(drv_|deref_|in_|out_|inout_|field_|bcount|ecount)/;

function isAnnotation(word: string): boolean {
  return SAL2.test(word) || WORDS.has(word) || SAL1_PREFIX.test(word);
}

/** Index just past the balanced parenthesis group starting at `open` (which must be '('), or -1. */
export function skipParens(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
    else if (c === '"' || c === "'") i = skipQuoted(text, i);
  }
  return -1;
}

/** Index of the closing quote of the literal opening at `i`. */
export function skipQuoted(text: string, i: number): number {
  const quote = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === quote || text[j] === '\n') return j;
  }
  return text.length;
}

function roleOf(word: string, args: string): RoleHint['role'] | undefined {
  if (word === '_Dispatch_type_' || word === '__drv_dispatchType' || word === '__drv_dispatchType_other') {
    return 'dispatch';
  }
  if (word === '_Function_class_') {
    if (/\bDRIVER_CANCEL\b/.test(args)) return 'cancel';
    if (/\bDRIVER_DISPATCH\w*\b/.test(args)) return 'dispatch';
  }
  return undefined;
}

/** Returns the text with annotations replaced by spaces (newlines kept) and the role hints they carried. */
export function blankAnnotations(source: string): BlankedText {
  const out: string[] = [];
  let copied = 0;
  const hints: RoleHint[] = [];
  const word = /[A-Za-z_][A-Za-z0-9_]*/g;
  let m: RegExpExecArray | null;
  while ((m = word.exec(source)) !== null) {
    const name = m[0];
    if (!isAnnotation(name)) continue;
    const start = m.index;
    let end = start + name.length;
    let after = end;
    while (after < source.length && (source[after] === ' ' || source[after] === '\t')) after++;
    if (source[after] === '(') {
      const close = skipParens(source, after);
      if (close < 0) continue;
      end = close;
    }
    const role = roleOf(name, source.slice(start, end));
    if (role) {
      hints.push({ end, role, source: name === '_Function_class_' ? 'role-type' : 'dispatch-type-annotation' });
    }
    out.push(source.slice(copied, start), source.slice(start, end).replace(/[^\r\n]/g, ' '));
    copied = end;
    word.lastIndex = end;
  }
  out.push(source.slice(copied));
  return { text: blankDecorations(out.join('')), hints };
}
