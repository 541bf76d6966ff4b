// Atomic file writes shared by every stage that writes: a temp name in the same directory, then rename.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes `data` to `path` atomically; on failure (full disk, vanished directory) no temp file is left. */
export function writeAtomic(path: string, data: string | Uint8Array, encoding: BufferEncoding = 'utf8'): void {
  const tmp = join(dirname(path), `.${basename(path)}.spincheck-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    if (typeof data === 'string') writeFileSync(tmp, data, encoding);
    else writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The directory itself is missing or not a directory: there is nothing to remove.
    }
    throw e;
  }
}
