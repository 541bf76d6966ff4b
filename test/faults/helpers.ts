// Shared by the fault-injection tests: a full disk as a small tmpfs.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { scratch } from '../wrapper/helpers.js';

// A 64 KiB tmpfs filled to the last block.
const fulls: string[] = [];
/** Mounts a 64 KiB tmpfs and fills it; null (a loud skip) where mount fails outside CI. */
export function fullDisk(): string | null {
  const dir = join(scratch('full'), 'fs');
  mkdirSync(dir);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) {
    if (process.env.CI) throw new Error(`cannot mount a tmpfs on this CI machine: ${m.stderr}`);
    console.warn(`\n*** SKIPPING full-disk tests: mount -t tmpfs failed (${m.stderr.trim() || m.error?.message}) ***\n`);
    return null;
  }
  fulls.push(dir);
  spawnSync('dd', ['if=/dev/zero', `of=${join(dir, 'fill')}`, 'bs=1k', 'count=1000'], { stdio: 'ignore' });
  return dir;
}
/** Unmounts every tmpfs fullDisk() mounted (afterAll). */
export function unmountFullDisks(): void {
  for (const d of fulls.splice(0)) spawnSync('umount', ['-l', d]);
}

