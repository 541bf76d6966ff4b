// Finds calls of named functions inside a #define body, with their argument range, by scanning the text.
import { skipParens, skipQuoted } from './annotations.js';

export interface MacroCall {
  name: string;
  start: number;
  end: number;
  /** Each argument's range (trimmed), when readable. */
  args?: Array<[number, number]>;
  reason?: string;
}

/** Calls of `names` between `from` and `to` (a macro body): their arguments, or a reason why not. */
export function findMacroCalls(text: string, from: number, to: number, names: ReadonlySet<string>): MacroCall[] {
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
    const call: MacroCall = { name: token, start: m.index, end: close };
    if (/\\\r?\n/.test(inner)) call.reason = 'macro call not on one line';
    else call.args = splitArguments(text, open + 1, close - 1);
    found.push(call);
    word.lastIndex = close;
  }
  return found;
}

/** The top-level comma-separated arguments between `from` and `to`, trimmed; none when the text is blank. */
function splitArguments(text: string, from: number, to: number): Array<[number, number]> {
  const cuts: number[] = [from - 1];
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '"' || c === "'") i = skipQuoted(text, i);
    else if (c === ',' && depth === 0) cuts.push(i);
  }
  cuts.push(to);
  if (cuts.length === 2 && text.slice(from, to).trim() === '') return [];
  const args: Array<[number, number]> = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    let a = (cuts[k] as number) + 1;
    let b = cuts[k + 1] as number;
    while (a < b && /\s/.test(text[a] ?? '')) a++;
    while (b > a && /\s/.test(text[b - 1] ?? '')) b--;
    args.push([a, b]);
  }
  return args;
}
