// The installed commands as package.json's "bin" names them (spincheck-cc is the native launcher where it builds).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BINS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;

/** Absolute path of the command `name` as npm installs it. */
export function bin(name: 'spincheck' | 'spincheck-cc' | 'spincheck-cl'): string {
  return join(ROOT, BINS[name]!);
}
