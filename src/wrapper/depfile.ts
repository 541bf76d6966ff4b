// Dependency files (G3/G4): put the original source path back where the compiler wrote the temp copy's.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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

/** Writes `text` to `path` atomically (temp name in the same directory, then rename). */
export function writeAtomic(path: string, data: string | Uint8Array, encoding: BufferEncoding = 'utf8'): void {
  const tmp = join(dirname(path), `.${basename(path)}.spincheck-${process.pid}-${Math.random().toString(36).slice(2)}`);
  if (typeof data === 'string') writeFileSync(tmp, data, encoding);
  else writeFileSync(tmp, data);
  renameSync(tmp, path);
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
export function rewriteDepFiles(files: readonly string[], cwd: string, swaps: readonly PathSwap[], since: number): string[] {
  const changed: string[] = [];
  // Dependency files are bytes: compare in latin1, with the paths' UTF-8 bytes seen the same way.
  const asBytes = (p: string): string => Buffer.from(p, 'utf8').toString('latin1');
  const byteSwaps = swaps.map((s) => ({ from: asBytes(s.from), to: asBytes(s.to) }));
  for (const file of files) {
    const abs = resolve(cwd, file);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st?.isFile() || st.mtimeMs + 1000 < since) continue;
    const text = readFileSync(abs, 'latin1');
    const next = rewriteDepText(text, byteSwaps);
    if (next !== text) {
      writeAtomic(abs, next, 'latin1');
      changed.push(file);
    }
  }
  return changed;
}
