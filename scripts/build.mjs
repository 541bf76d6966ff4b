// Bundles the command-line entry points into dist/bin with esbuild (one file each, fast start-up), and builds the
// spincheck-cc bin entry (a Node stub; in a checkout the native launcher is built and installed over it at once).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

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

// The bin entry is a Node stub: the package must run wherever Node does, with install scripts disabled. Its first run
// compiles the native launcher into the per-user cache and installs it over the stub (src/launcher/native.ts).
const launcher = 'dist/bin/spincheck-cc';
writeFileSync(launcher, "#!/usr/bin/env node\nimport('./spincheck-cc-start.js');\n");
chmodSync(launcher, 0o755);

// A checkout gets its launcher now, as an installed package does on first use; a packed tarball never holds one.
const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '');
if (!packing && process.platform !== 'win32' && !process.env.SPINCHECK_NO_LAUNCHER) {
  const r = spawnSync(process.execPath, ['dist/bin/spincheck.js', 'doctor', '--build-launcher'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) process.stderr.write('spincheck build: no native launcher; spincheck-cc starts Node for every compile\n');
}
