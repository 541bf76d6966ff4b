// Names locks, handles and conditions by normalised expression text, so two spellings of one place compare equal.

/** Whitespace and comments removed. */
function compact(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '').replace(/\s+/g, '');
}

/** Outer parentheses removed while they enclose the whole text. */
function stripParens(text: string): string {
  let t = text;
  while (t.startsWith('(') && t.endsWith(')') && closes(t) === t.length - 1) t = t.slice(1, -1);
  return t;
}

/** Index of the parenthesis closing the one at 0. */
function closes(t: string): number {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** A leading cast (compacted text): `(PKSPIN_LOCK)`, `(structfoo*)`; a parenthesised name is a cast only before an operand. */
const CAST = /^\([A-Za-z_]\w*\**\)(?=[&(A-Za-z_*])/;

/** The place a pointer expression points to: `&ext->Lock`, `&(ext->Lock)`, `(PKSPIN_LOCK)&ext->Lock` -> `ext->Lock`. */
export function placeKey(text: string): string {
  let t = stripParens(compact(text));
  for (let cast = CAST.exec(t); cast; cast = CAST.exec(t)) t = stripParens(t.slice(cast[0].length));
  if (t.startsWith('&')) t = stripParens(t.slice(1));
  return canonical(t);
}

/** `(&X)->Y` is `X.Y`; `(*X).Y` is `X->Y`. */
export function canonical(text: string): string {
  return compact(text)
    .replace(/\(&([A-Za-z_][\w.>-]*)\)->/g, '$1.')
    .replace(/\(\*([A-Za-z_][\w.>-]*)\)\./g, '$1->');
}

/** An all-capitals name called like a function: a macro such as `CONTAINING_RECORD` or a driver's `EXT(x)`. */
const MACRO_CALL = /\b[A-Z][A-Z0-9_]*\(/g;

/** True when a lock expression names one place (no calls but macros, no variable index). */
export function nameable(key: string): boolean {
  if (/[A-Za-z_]\w*\(/.test(key.replace(MACRO_CALL, '('))) return false;
  for (const m of key.matchAll(/\[([^\]]*)\]/g)) if (!/^\d+$/.test(m[1] ?? '')) return false;
  return /^[A-Za-z_*]/.test(key);
}

/** The first identifier of a key (the variable it starts from; a macro's name is not one). */
export function rootName(key: string): string | null {
  return /[A-Za-z_]\w*/.exec(key.replace(MACRO_CALL, (m) => ' '.repeat(m.length)))?.[0] ?? null;
}

/** Replaces the root variable of a key with an expression (a callee's parameter by the caller's argument). */
export function substituteRoot(key: string, root: string, replacement: string): string {
  const arg = placeKey(replacement);
  if (key === root) return arg;
  const at = key.search(new RegExp(`(?<![\\w.>])${root}(?!\\w)`));
  if (at > 0) return canonical(`${key.slice(0, at)}${/^[\w.>-]+$/.test(arg) ? arg : `(${arg})`}${key.slice(at + root.length)}`);
  const rest = key.slice(key.indexOf(root) + root.length);
  if (rest.startsWith('->')) {
    const raw = compact(replacement);
    if (raw.startsWith('&')) return canonical(`${placeKey(raw)}.${rest.slice(2)}`);
    return canonical(`${/^[\w.>-]+$/.test(arg) ? arg : `(${arg})`}${rest}`);
  }
  return canonical(`${/^[\w.>-]+$/.test(arg) ? arg : `(${arg})`}${rest}`);
}

/** True when `key` reads the variable or place `written` (a write to it may change what the key names or means). */
export function mentions(key: string, written: string): boolean {
  if (key === written) return true;
  let at = key.indexOf(written);
  while (at >= 0) {
    const before = key[at - 1] ?? '';
    const after = key[at + written.length] ?? '';
    if (!/[\w.]/.test(before) && !(before === '>' && key[at - 2] === '-') && !/\w/.test(after)) return true;
    at = key.indexOf(written, at + 1);
  }
  return false;
}
