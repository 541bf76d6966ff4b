// Finds the real tools tests need; a missing tool fails under CI and skips loudly elsewhere.
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';

/** True when `name` runs; under CI a missing tool is an error, elsewhere a loud warning. */
export function haveTool(name: string, versionArg = '--version'): boolean {
  // In the temp dir: some tools write files where they run (csmith leaves platform.info).
  const r = spawnSync(name, [versionArg], { stdio: 'ignore', cwd: tmpdir() });
  if (r.status === 0 || (r.error === undefined && r.status !== null)) return true;
  if (process.env.CI) throw new Error(`required tool '${name}' is missing on this CI machine (.ci/run installs it)`);
  console.warn(`\n*** SKIPPING: '${name}' is not installed (tests that need it are skipped outside CI) ***\n`);
  return false;
}

/** Runs a program with an argument array; returns status and output. */
export function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const r = spawnSync(cmd, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
