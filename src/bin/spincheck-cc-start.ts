// spincheck-cc's first hop, the package's bin entry until the native launcher replaces it: builds the launcher into
// the per-user cache and runs it; Node runs the compile where it cannot be built (Windows, no C compiler).
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLauncher, installOverStub, launcherPlace } from '../launcher/native.js';

const distBin = dirname(fileURLToPath(import.meta.url));
const env = process.env;
/** How spincheck-cc was invoked: the launcher script says so ($0); else this stub's own path as run. */
const invokedAs = env.SPINCHECK_SELF || process.argv[1] || 'spincheck-cc';

/** Runs the compile through the launcher at `file` (argv[0] = how this stub was invoked); false if it cannot start. */
function runLauncher(file: string): boolean {
  const r = spawnSync(file, process.argv.slice(2), { stdio: 'inherit', argv0: invokedAs });
  if (r.error) return false;
  if (r.signal) {
    process.removeAllListeners(r.signal);
    process.kill(process.pid, r.signal);
  }
  process.exitCode = r.status ?? 1;
  return true;
}

async function main(): Promise<void> {
  if (process.platform !== 'win32' && !env.SPINCHECK_NO_LAUNCHER) {
    const place = launcherPlace(distBin, env);
    const built = buildLauncher(place, env);
    if (built.ok) {
      installOverStub(place);
      if (runLauncher(built.file)) return;
    } else if (!built.busy && built.firstFailure) {
      process.stderr.write(
        `spincheck: note: the native launcher could not be built (${built.reason}); each compile starts Node instead (slower). 'spincheck doctor' says more\n`,
      );
    }
  }
  env.SPINCHECK_SELF = invokedAs;
  await import('./spincheck-cc.js');
}

await main();
