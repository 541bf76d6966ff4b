// cl response files (M11) and the CL/_CL_ variables (M13): Windows command-line quoting, UTF-16LE/UTF-8 text.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const MAX_DEPTH = 64;

/**
 * Splits text the way the Microsoft C runtime splits a command line (and cl a response file):
 * blanks and newlines separate; `"` groups; 2n backslashes before `"` give n and the quote groups,
 * 2n+1 give n and a literal `"`; `""` inside quotes is a literal `"`; other backslashes are literal.
 */
export function splitWindowsCommandLine(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inArg = false;
  let quoted = false;
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === '\\') {
      let n = 0;
      while (text[i] === '\\') n++, i++;
      if (text[i] === '"') {
        cur += '\\'.repeat(n >> 1);
        if (n % 2 === 1) {
          cur += '"';
          i++;
        }
      } else {
        cur += '\\'.repeat(n);
      }
      inArg = true;
      continue;
    }
    if (ch === '"') {
      inArg = true;
      if (quoted && text[i + 1] === '"') {
        cur += '"';
        i += 2;
        continue;
      }
      quoted = !quoted;
      i++;
      continue;
    }
    if (!quoted && (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\0')) {
      if (inArg) out.push(cur);
      cur = '';
      inArg = false;
      i++;
      continue;
    }
    cur += ch;
    inArg = true;
    i++;
  }
  if (inArg) out.push(cur);
  return out;
}

/** Quotes one argument so that splitWindowsCommandLine gives it back. */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  for (let i = 0; i < arg.length; ) {
    let n = 0;
    while (arg[i] === '\\') n++, i++;
    if (i === arg.length) {
      out += '\\'.repeat(n * 2);
      break;
    }
    if (arg[i] === '"') out += `${'\\'.repeat(n * 2 + 1)}"`;
    else out += `${'\\'.repeat(n)}${arg[i]}`;
    i++;
  }
  return `${out}"`;
}

/**
 * Text of a response file: one line (clang-cl ends an option's arguments at a line end), UTF-16LE with a byte-order
 * mark so that any path survives (cl and clang-cl read both UTF-16LE and UTF-8).
 */
export function responseFileBytes(args: readonly string[]): Buffer {
  const text = args.map(quoteWindowsArg).join(' ') + '\r\n';
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** Decodes a response file: UTF-16LE or UTF-16BE with BOM, UTF-8 with or without BOM, else Latin-1. */
export function decodeResponseFile(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return body.toString('latin1');
  }
}

/** Expands `@file` arguments recursively; an unreadable `@file` stays literal (the compiler reports it). */
export function expandClResponseFiles(args: readonly string[], cwd: string): { args: string[]; expanded: boolean } {
  let expanded = false;
  const walk = (list: readonly string[], depth: number): string[] => {
    const out: string[] = [];
    for (const arg of list) {
      if (arg.startsWith('@') && arg.length > 1 && depth < MAX_DEPTH) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(resolve(cwd, arg.slice(1)));
        } catch {
          out.push(arg);
          continue;
        }
        expanded = true;
        out.push(...walk(splitWindowsCommandLine(decodeResponseFile(bytes)), depth + 1));
      } else {
        out.push(arg);
      }
    }
    return out;
  };
  return { args: walk(args, 0), expanded };
}

/** Options from the CL or _CL_ variable: split like a command line, the first `#` of each option read as `=`. */
export function clEnvOptions(value: string | undefined): string[] {
  if (!value) return [];
  return splitWindowsCommandLine(value).map((o) => o.replace('#', '='));
}
