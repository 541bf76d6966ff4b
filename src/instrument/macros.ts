// Finds calls of named functions inside a #define body, with their argument range, by scanning the text.
import { skipParens, skipQuoted } from './annotations.js';

export interface MacroCall {
  name: string;
  start: number;
  end: number;
  argStart?: number;
  argEnd?: number;
  reason?: string;
}

/** Calls of `names` between `from` and `to` (a macro body): one argument each, or a reason why not. */
export function findMacroCalls(text: string, from: number, to: number, names: Set<string>): MacroCall[] {
  const found: MacroCall[] = [];
  const word = /[A-Za-z_][A-Za-z0-9_]*|"|'|\/\*|\/\//g;
  word.lastIndex = from;
  let m: RegExpExecArray | null;
  while ((m = word.exec(text)) !== null && m.index < to) {
    const token = m[0];
    if (token === '"' || token === "'") {
      word.lastIndex = skipQuoted(text, m.index) + 1;
      continue;
    }
    if (token === '/*') {
      const close = text.indexOf('*/', m.index + 2);
      word.lastIndex = close < 0 ? to : close + 2;
      continue;
    }
    if (token === '//') break;
    if (!names.has(token)) continue;
    let open = m.index + token.length;
    while (open < to && /[ \t]/.test(text[open] ?? '')) open++;
    if (text[open] !== '(') continue;
    const close = skipParens(text, open);
    if (close < 0 || close > to) {
      found.push({ name: token, start: m.index, end: to, reason: 'macro call spans beyond the #define' });
      continue;
    }
    const inner = text.slice(open + 1, close - 1);
    const lead = inner.length - inner.trimStart().length;
    const trail = inner.length - inner.trimEnd().length;
    const call: MacroCall = { name: token, start: m.index, end: close };
    if (inner.trim() === '' || hasTopLevelComma(inner) || /\\\r?\n/.test(inner)) {
      call.reason = 'macro call without exactly one argument on one line';
    } else {
      call.argStart = open + 1 + lead;
      call.argEnd = close - 1 - trail;
    }
    found.push(call);
    word.lastIndex = close;
  }
  return found;
}

function hasTopLevelComma(arg: string): boolean {
  let depth = 0;
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '"' || c === "'") i = skipQuoted(arg, i);
    else if (c === ',' && depth === 0) return true;
  }
  return false;
}
