// Does a link contain instrumented code? A byte scan of its object and archive inputs for the hooks' name prefix.
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParsedCommand } from './command.js';

/** Every instrumented object names the hooks (`spincheck_enter`...): defined as weak stubs on ELF, referenced
 *  elsewhere, in the symbol table of plain objects, archives, shared objects and LTO/bitcode objects alike. */
const MARKER = Buffer.from('spincheck_', 'latin1');
const CHUNK = 1 << 20;
/** One read buffer for every file of a link (allocating one per file costs more than the scan). */
let shared: Buffer | null = null;

/** True when the file's bytes contain the marker; unreadable files count as not instrumented. */
export function mentionsHooks(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    shared ??= Buffer.allocUnsafe(CHUNK + MARKER.length);
    const buf = shared;
    let kept = 0;
    for (;;) {
      const n = readSync(fd, buf, kept, CHUNK, null);
      if (n === 0) return false;
      const end = kept + n;
      if (buf.subarray(0, end).indexOf(MARKER) >= 0) return true;
      // Keep the tail: a marker may straddle two reads.
      kept = Math.min(MARKER.length - 1, end);
      buf.copy(buf, 0, end - kept, end);
    }
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** True when one of the link's object, archive or shared-object inputs contains instrumented code. */
export function linksInstrumented(cmd: ParsedCommand, cwd: string): boolean {
  return cmd.inputs.some((x) => x.language === 'linker-input' && mentionsHooks(resolve(cwd, x.path)));
}
