// Builds the runtime's test addon (build/runtime-c/Release/spincheck_test.node) with cmake-js; prints its path.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const out = path.join(root, 'build', 'runtime-c');
const args = [cmakeJs, 'compile', '-d', path.join(root, 'src', 'runtime-c'), '-O', out, '--log-level', 'warn'];
const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  process.stderr.write(`spincheck: building the runtime addon failed (cmake-js exit ${r.status ?? r.signal})\n`);
  process.exit(1);
}
process.stdout.write(`${path.join(out, 'Release', 'spincheck_test.node')}\n`);
