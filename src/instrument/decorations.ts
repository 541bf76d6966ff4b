// Blanks decoration macros (export, linkage, section macros the instrumenter cannot see) before the type of a
// top-level declaration or definition: `MYDRVAPI VOID MyCancel(PDEVICE_OBJECT D, PIRP Irp)` parses as `VOID MyCancel(...)`.
import { ROLE_TYPES, ROUTINE_RETURN_TYPES } from './role-types.js';

/** Words that may stand in declaration specifiers without being a type name the user defined. */
const SPECIFIERS = new Set([
  'static', 'extern', 'inline', '__inline', '__inline__', '__forceinline', 'const', 'volatile', '__volatile__',
  'register', 'auto', 'restrict', '__restrict', '_Noreturn', '__extension__', '_Thread_local', '__thread', 'typedef',
]);
/** C's own type names: with one of these the type is known, so every other word before the name is a decoration. */
const BUILTIN_TYPES = new Set(['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', '__int64']);
const TAGS = new Set(['struct', 'union', 'enum']);
/** Statement keywords: a run with one of these is not a declaration (a guard against a misjudged nesting depth). */
const STATEMENTS = new Set(['return', 'if', 'else', 'while', 'for', 'do', 'switch', 'case', 'default', 'goto', 'break', 'continue', 'sizeof']);
/** Compiler keywords that take a parenthesised argument inside declaration specifiers. */
const WITH_ARGS = new Set(['__attribute__', '__declspec', '_Alignas', '__asm__']);
/** The character after the specifiers that shows a declarator follows (and, except `*`, that the last word named it). */
const DECLARATOR_END = new Set(['(', ';', ',', '=', '[']);
/** Type names spincheck knows: with one of them among the specifiers, every other word there is a macro (an unknown
 *  calling-convention macro after the type included). */
const KNOWN_TYPES: ReadonlySet<string> = new Set([...ROUTINE_RETURN_TYPES, ...Object.keys(ROLE_TYPES)]);

interface Word {
  text: string;
  start: number;
}

/** Index past a comment, string or character literal starting at `i`, or `i` when none starts there. */
function skipLexical(text: string, i: number): number {
  if (text.startsWith('/*', i)) {
    const end = text.indexOf('*/', i + 2);
    return end < 0 ? text.length : end + 2;
  }
  if (text.startsWith('//', i)) {
    const end = text.indexOf('\n', i);
    return end < 0 ? text.length : end;
  }
  const q = text[i];
  if (q !== '"' && q !== "'") return i;
  let j = i + 1;
  while (j < text.length && text[j] !== q && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Index past a preprocessor directive starting at `i` (with its continuation lines). */
function skipDirective(text: string, i: number): number {
  let j = i;
  for (;;) {
    const end = text.indexOf('\n', j);
    if (end < 0) return text.length;
    if (text[end - 1] !== '\\' && !(text[end - 1] === '\r' && text[end - 2] === '\\')) return end;
    j = end + 1;
  }
}

/** Index past a balanced (...) group at `open`, skipping comments and literals; text.length when unbalanced. */
function skipGroup(text: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const past = skipLexical(text, i);
    if (past !== i) {
      i = past;
      continue;
    }
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
    i++;
  }
  return text.length;
}

const isWordStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
const isBlank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/**
 * Reads the declaration specifiers of a top-level statement starting at `i`: the decoration words to blank (none
 * unless the statement is clearly a declaration with more words before its declarator than a type and a name) and
 * the index where scanning goes on.
 */
function specifiers(text: string, i: number): { decorations: Word[]; next: number } {
  const words: Word[] = [];
  let typeKnown = false;
  let j = i;
  for (;;) {
    while (isBlank(text[j])) j++;
    const past = skipLexical(text, j);
    if (past !== j) {
      j = past;
      continue;
    }
    if (!isWordStart(text[j])) break;
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(j, j + 256));
    const word = m![0];
    const start = j;
    j += word.length;
    if (WITH_ARGS.has(word)) {
      while (isBlank(text[j])) j++;
      if (text[j] === '(') j = skipGroup(text, j);
    } else if (TAGS.has(word)) {
      typeKnown = true;
      while (isBlank(text[j])) j++;
      const tag = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(j, j + 256));
      if (tag) j += tag[0].length;
      while (isBlank(text[j])) j++;
      if (text[j] === '{') return { decorations: [], next: j };
    } else if (BUILTIN_TYPES.has(word)) {
      typeKnown = true;
    } else if (STATEMENTS.has(word)) {
      return { decorations: [], next: j };
    } else if (!SPECIFIERS.has(word)) {
      words.push({ text: word, start });
    }
  }
  const c = text[j];
  const named = c !== undefined && DECLARATOR_END.has(c);
  if (!named && c !== '*') return { decorations: [], next: j };
  // Before '(' ';' ',' '=' '[' the last word is the declared name; before '*' all words are specifiers.
  const specs = named ? words.slice(0, -1) : words;
  const known = specs.findIndex((w) => KNOWN_TYPES.has(w.text));
  const decorations = typeKnown ? specs : known >= 0 ? specs.filter((_, k) => k !== known) : specs.slice(0, -1);
  return { decorations, next: j };
}

/** Returns `text` with decoration macros before top-level declarations replaced by spaces (same length). */
export function blankDecorations(text: string): string {
  const out: string[] = [];
  let depth = 0;
  let atStatement = true;
  let lineStart = true;
  // A byte-order mark, as read (UTF-8) or as bytes (Latin-1), is not part of the first line.
  const bom = /^(\uFEFF|\u00EF\u00BB\u00BF)/.exec(text);
  let i = bom ? bom[0].length : 0;
  let copied = 0;
  while (i < text.length) {
    const c = text[i];
    if (lineStart && c === '#') {
      i = skipDirective(text, i);
      continue;
    }
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (isBlank(c)) {
      i++;
      continue;
    }
    lineStart = false;
    const past = skipLexical(text, i);
    if (past !== i) {
      i = past;
      continue;
    }
    const linkage = /^extern\s*"C"\s*\{/.exec(text.slice(i, i + 64));
    if (linkage) {
      // C++ linkage braces (usually under #ifdef __cplusplus) do not nest declarations.
      i += linkage[0].length;
      atStatement = true;
      continue;
    }
    if (depth === 0 && atStatement && isWordStart(c)) {
      const { decorations, next } = specifiers(text, i);
      for (const d of decorations) {
        out.push(text.slice(copied, d.start), ' '.repeat(d.text.length));
        copied = d.start + d.text.length;
      }
      atStatement = false;
      i = Math.max(next, i + 1);
      continue;
    }
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth = Math.max(0, depth - 1);
    if (depth === 0 && (c === ';' || c === '}')) atStatement = true;
    i++;
  }
  out.push(text.slice(copied));
  return out.join('');
}
