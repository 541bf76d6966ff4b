#!/usr/bin/env node
// Entry point of `npm run bench`: bundles the TypeScript benchmark (bench/*.ts, with the spincheck modules it
// measures in-process) into test-output/bench/.build with esbuild, then runs it. Needs `npm run build` first.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test-output/bench/.build');
if (!existsSync(join(root, 'dist/bin/spincheck-cc.js'))) {
  process.stderr.write('bench: dist/bin is missing: run `npm run build` first\n');
  process.exit(2);
}
await build({
  entryPoints: { main: join(root, 'bench/main.ts'), 'child/instrument': join(root, 'bench/child/instrument.ts') },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['tree-sitter', 'tree-sitter-c', 'execa'],
  loader: { '.scm': 'text', '.h': 'text' },
  logLevel: 'warning',
});
const { main } = await import(pathToFileURL(join(out, 'main.mjs')).href);
process.exitCode = await main(process.argv.slice(2), root, out);
