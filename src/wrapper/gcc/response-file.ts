// gcc-style response files (G12): `@file` expansion (libiberty's buildargv quoting) and writing new ones.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const MAX_DEPTH = 64;

/** Splits response-file text the way libiberty does: blanks separate, quotes group, backslash escapes. */
export function splitResponseText(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inArg = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inArg = true;
    } else if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inArg = true;
    } else if (/\s/.test(ch)) {
      if (inArg) out.push(cur);
      cur = '';
      inArg = false;
    } else {
      cur += ch;
      inArg = true;
    }
  }
  if (inArg) out.push(cur);
  return out;
}

/** Quotes one argument for a gcc response file. */
export function quoteResponseArg(arg: string): string {
  if (arg !== '' && !/[\s'"\\]/.test(arg)) return arg;
  return `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

/** Expands `@file` arguments recursively; an unreadable `@file` stays literal, as gcc keeps it. */
export function expandResponseFiles(args: readonly string[], cwd: string): { args: string[]; expanded: boolean } {
  let expanded = false;
  const walk = (list: readonly string[], depth: number): string[] => {
    const out: string[] = [];
    for (const arg of list) {
      if (arg.startsWith('@') && arg.length > 1 && depth < MAX_DEPTH) {
        let text: string;
        try {
          text = readFileSync(resolve(cwd, arg.slice(1)), 'utf8');
        } catch {
          out.push(arg);
          continue;
        }
        expanded = true;
        out.push(...walk(splitResponseText(text), depth + 1));
      } else {
        out.push(arg);
      }
    }
    return out;
  };
  return { args: walk(args, 0), expanded };
}

/** Text of a response file holding `args`. */
export function responseFileText(args: readonly string[]): string {
  return args.map(quoteResponseArg).join('\n') + '\n';
}
