#!/usr/bin/env node
// Entry point of `npm run bench`: bundles the TypeScript benchmark (bench/*.ts, with the spincheck modules it
// measures in-process) into test-output/bench/.build with esbuild, then runs it. Needs `npm run build` first.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test-output/bench/.build');
if (!existsSync(join(root, 'dist/bin/spincheck-cc.js'))) {
  process.stderr.write('bench: dist/bin is missing: run `npm run build` first\n');
  process.exit(2);
}
const newestSource = newest(join(root, 'src'));
const built = statSync(join(root, 'dist/bin/spincheck.js')).mtimeMs;
if (newestSource.mtimeMs > built) {
  process.stderr.write(`bench: dist/bin is older than ${newestSource.path}: run \`npm run build\` first (\`npm run bench\` does)\n`);
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

/** The most recently modified file under dir (the sources dist/bin is built from). */
function newest(dir) {
  let best = { path: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const { mtimeMs } = statSync(path);
    if (mtimeMs > best.mtimeMs) best = { path, mtimeMs };
  }
  return best;
}
