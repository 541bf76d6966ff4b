// Bundles the command-line entry points into dist/bin with esbuild (one file each, fast start-up).
import { build } from 'esbuild';
import { chmodSync, readdirSync, rmSync } from 'node:fs';

rmSync('dist/bin', { recursive: true, force: true });
const entries = readdirSync('src/bin').filter((f) => f.endsWith('.ts')).map((f) => `src/bin/${f}`);
await build({
  entryPoints: entries,
  outdir: 'dist/bin',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  external: ['tree-sitter', 'tree-sitter-c', 'execa'],
  loader: { '.scm': 'text', '.h': 'text' },
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
for (const entry of entries) chmodSync(`dist/bin/${entry.slice('src/bin/'.length, -3)}.js`, 0o755);
