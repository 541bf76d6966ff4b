// Bundles the command-line entry points into dist/bin with esbuild (one file each, fast start-up), and builds the
// native spincheck-cc launcher beside them (src/launcher; a JS stand-in where no C compiler or no POSIX).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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

/** Identifies this build: a launcher only talks to a warm server of the same bundles in the same place. */
function buildId() {
  const hash = createHash('sha256').update(resolve('dist/bin'));
  const files = readdirSync('dist/bin', { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name))
    .sort();
  for (const f of files) hash.update(f).update(readFileSync(f));
  hash.update(process.execPath);
  return hash.digest('hex').slice(0, 16);
}

/** Compiles the launcher with the first C compiler that works; false if none does. */
function buildLauncher(out) {
  if (process.platform === 'win32' || process.env.SPINCHECK_NO_LAUNCHER) return false;
  const defines = [`-DSPINCHECK_BUILD_ID="${buildId()}"`, `-DSPINCHECK_NODE=${JSON.stringify(process.execPath)}`];
  for (const cc of [process.env.SPINCHECK_LAUNCHER_CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    const r = spawnSync(cc, ['-std=c99', '-O2', ...defines, '-o', out, 'src/launcher/spincheck-cc.c'], { stdio: 'pipe' });
    if (r.status === 0) return true;
  }
  return false;
}

const launcher = 'dist/bin/spincheck-cc';
if (!buildLauncher(launcher)) {
  writeFileSync(launcher, "#!/usr/bin/env node\nimport('./spincheck-cc.js');\n");
  if (process.platform !== 'win32') {
    process.stderr.write('spincheck build: no C compiler for the native launcher; spincheck-cc starts Node for every compile\n');
  }
}
chmodSync(launcher, 0o755);
