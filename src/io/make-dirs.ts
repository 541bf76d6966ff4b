// Creates a directory and its missing parents one level at a time (Node's recursive mkdir never returns under /proc).
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** mkdir -p: every missing level from the nearest existing ancestor down; the first failure is thrown as is. */
export function makeDirs(path: string): void {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    if (statSync(dir, { throwIfNoEntry: false })) break;
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (e) {
      // Another process made it between the check and here (a file of that name is still an error).
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw e;
    }
  }
}
