// Dependency files (G3/G4): put the original source path back where the compiler wrote the temp copy's.
import { readFileSync, statSync } from 'node:fs';
import { writeAtomic } from '../io/write-atomic.js';
import { basename, resolve } from 'node:path';
import type { ParsedCommand } from './command.js';

/** Escapes a path the way gcc writes it into a make rule: space `\ `, `$` `$$`, `#` `\#`. */
export function makeEscape(path: string): string {
  let out = '';
  for (const ch of path) {
    if (ch === ' ' || ch === '\t') out += `\\${ch}`;
    else if (ch === '$') out += '$$';
    else if (ch === '#') out += '\\#';
    else out += ch;
  }
  return out;
}

export interface PathSwap {
  /** Path the compiler saw (the temp copy, or a temp object). */
  from: string;
  /** Path a plain build would have written. */
  to: string;
}

/** Replaces every swapped path in a dependency file's text, matching whole make words only. */
export function rewriteDepText(text: string, swaps: readonly PathSwap[]): string {
  let out = text;
  for (const swap of swaps) {
    const from = makeEscape(swap.from);
    const to = makeEscape(swap.to);
    let idx = out.indexOf(from);
    while (idx >= 0) {
      const after = out[idx + from.length];
      const before = idx === 0 ? undefined : out[idx - 1];
      const startOk = before === undefined || /\s/.test(before);
      const endOk = after === undefined || after === ':' || /\s/.test(after);
      if (startOk && endOk) {
        out = out.slice(0, idx) + to + out.slice(idx + from.length);
        idx = out.indexOf(from, idx + to.length);
      } else {
        idx = out.indexOf(from, idx + 1);
      }
    }
  }
  return out;
}

/** How a compiler wraps the first rule of a dependency file (gcc: mkdeps.cc, clang: DependencyFile.cpp). */
export type DepStyle = 'gcc' | 'clang';

/** Splits the first rule (up to the first line not ending in a backslash) into make words, escapes kept. */
function firstRule(text: string): { words: string[]; end: number } {
  const words: string[] = [];
  let cur = '';
  let i = 0;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && text[i + 1] === '\n') {
      if (cur) words.push(cur);
      cur = '';
      i++;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += ch + text[i + 1];
      i++;
    } else if (ch === '\n') {
      break;
    } else if (ch === ' ' || ch === '\t') {
      if (cur) words.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur) words.push(cur);
  return { words, end: i };
}

function unescapedLength(word: string): number {
  return word.replace(/\\([ #\t])/g, '$1').replace(/\$\$/g, '$').length;
}

/** Writes a rule the way the compiler does, so a rewritten file wraps exactly like a plain build's. */
export function formatRule(targets: readonly string[], deps: readonly string[], style: DepStyle): string {
  let out = '';
  if (style === 'gcc') {
    let col = 0;
    const put = (name: string): void => {
      if (col) {
        if (col + name.length > 72) {
          out += ' \\\n';
          col = 0;
        }
        col++;
        out += ' ';
      }
      col += name.length;
      out += name;
    };
    targets.forEach(put);
    out += ':';
    col++;
    deps.forEach(put);
    return `${out}\n`;
  }
  let col = 0;
  for (const t of targets) {
    if (col === 0) col += t.length;
    else if (col + t.length + 2 > 75) {
      col = t.length + 2;
      out += ' \\\n  ';
    } else {
      col += t.length + 1;
      out += ' ';
    }
    out += t;
  }
  out += ':';
  col += 1;
  for (const d of deps) {
    const n = unescapedLength(d);
    if (col + n + 1 + 2 > 75) {
      out += ' \\\n ';
      col = 2;
    }
    out += ` ${d}`;
    col += n + 1;
  }
  return `${out}\n`;
}

/** Rewrites swapped paths and re-wraps the first rule as `style` would have written it. */
export function rewriteDepFile(text: string, swaps: readonly PathSwap[], style: DepStyle): string {
  const replaced = rewriteDepText(text, swaps);
  if (replaced === text) return text;
  const { words, end } = firstRule(replaced);
  const colon = words.findIndex((w) => w.endsWith(':') && !w.endsWith('\\:'));
  if (colon < 0) return replaced;
  const targets = words.slice(0, colon + 1).map((w, k) => (k === colon ? w.slice(0, -1) : w)).filter(Boolean);
  const deps = words.slice(colon + 1);
  return formatRule(targets, deps, style) + replaced.slice(end + 1);
}

function stripExt(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? path.slice(0, dot) : path;
}

/**
 * Dependency files a compile of `sourcePath` may have written, by every naming rule gcc and clang use:
 * -MF, -Wp,-MD,f, DEPENDENCIES_OUTPUT/SUNPRO_DEPENDENCIES, -o with .d, the source basename with .d,
 * and gcc 11+'s `a-<base>.d` for links without -o.
 */
export function depFileCandidates(cmd: ParsedCommand, sourcePath: string, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  if (cmd.deps.file) out.push(cmd.deps.file);
  out.push(...cmd.deps.wpFiles);
  for (const name of ['DEPENDENCIES_OUTPUT', 'SUNPRO_DEPENDENCIES']) {
    const v = env[name]?.trim();
    if (v) out.push(v.split(/\s+/)[0]!);
  }
  if (cmd.deps.enabled && !cmd.deps.file) {
    const base = stripExt(basename(sourcePath));
    if (cmd.output) out.push(`${stripExt(cmd.output)}.d`);
    out.push(`${base}.d`, `a-${base}.d`);
  }
  return [...new Set(out)];
}

/** Rewrites the dependency files written since `since` (ms); returns the files changed. */
export function rewriteDepFiles(
  files: readonly string[],
  cwd: string,
  swaps: readonly PathSwap[],
  since: number,
  style: DepStyle,
): string[] {
  const changed: string[] = [];
  // Dependency files are bytes: compare in latin1, with the paths' UTF-8 bytes seen the same way.
  const asBytes = (p: string): string => Buffer.from(p, 'utf8').toString('latin1');
  const byteSwaps = swaps.map((s) => ({ from: asBytes(s.from), to: asBytes(s.to) }));
  for (const file of files) {
    const abs = resolve(cwd, file);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st?.isFile() || st.mtimeMs + 1000 < since) continue;
    const text = readFileSync(abs, 'latin1');
    const next = rewriteDepFile(text, byteSwaps, style);
    if (next !== text) {
      writeAtomic(abs, next, 'latin1');
      changed.push(file);
    }
  }
  return changed;
}
