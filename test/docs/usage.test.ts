// Runs every ```sh doctest block of the user docs, in order, in a copy of the example driver, with the
// built commands on PATH: documented examples cannot rot.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';
import { bin as installed } from '../helpers/bins.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = ['docs/usage.md'];

/** The doctest blocks of a markdown file, with the line each starts on. */
export function doctestBlocks(markdown: string): Array<{ line: number; code: string }> {
  const blocks: Array<{ line: number; code: string }> = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```sh doctest\s*$/.test(lines[i] ?? '')) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

function sandbox(): { cwd: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'spincheck-doc-'));
  cpSync(join(root, 'templates'), join(dir, 'templates'), { recursive: true });
  cpSync(join(root, 'examples', 'queue-driver'), join(dir, 'examples', 'queue-driver'), {
    recursive: true,
    filter: (src) => !/\.(o|d)$|harness(-buggy)?$|\.spincheck/.test(src),
  });
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const name of ['spincheck', 'spincheck-cc'] as const) symlinkSync(installed(name), join(bin, name));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, SPINCHECK_OPTIONS: '' };
  delete env.SPINCHECK_DIR;
  delete env.SPINCHECK_CC;
  return { cwd: join(dir, 'examples', 'queue-driver'), env };
}

const tools = haveTool('make') && haveTool('gcc') && haveTool('cmake');

describe.runIf(tools).each(DOCS)('examples in %s', (doc) => {
  const blocks = doctestBlocks(readFileSync(join(root, doc), 'utf8'));
  const box = sandbox();

  it('has examples to run', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  for (const block of blocks) {
    it(`line ${block.line} runs as written`, () => {
      const r = run('bash', ['-euo', 'pipefail', '-c', block.code], box);
      expect(r.status, `${doc}:${block.line}\n${block.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(0);
    });
  }
});
