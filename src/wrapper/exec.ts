// The one module that starts processes: argument arrays only, never a shell; plain child_process (design §6).
import { spawn, spawnSync } from 'node:child_process';

export interface Outcome {
  /** Exit status, or null when killed by a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  /** Captured standard error, when asked for. */
  stderr?: Buffer;
  /** Captured standard output, when asked for (cl prints its diagnostics there). */
  stdout?: Buffer;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** argv[0] as the user spelled the program (G22); the file started is `file`. */
  argv0?: string;
  /** Capture stderr instead of inheriting it (the instrumented compile, so a failure can be hidden). */
  captureStderr?: boolean;
  /** Capture stdout too (cl writes errors to stdout: a hidden failure must hide them). */
  captureStdout?: boolean;
}

/** Runs one program and waits for it: `run` here, or the launcher's own spawn when the warm server plans. */
export type Runner = (file: string, args: readonly string[], options: RunOptions) => Promise<Outcome>;

let current: import('node:child_process').ChildProcess | null = null;

/** Runs a program with inherited stdio (stderr optionally captured) and waits for it. */
export function run(file: string, args: readonly string[], options: RunOptions): Promise<Outcome> {
  return new Promise((resolvePromise) => {
    const chunks: Buffer[] = [];
    const outChunks: Buffer[] = [];
    let child: import('node:child_process').ChildProcess;
    try {
      child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env,
        argv0: options.argv0 ?? file,
        stdio: ['inherit', options.captureStdout ? 'pipe' : 'inherit', options.captureStderr ? 'pipe' : 'inherit'],
      });
    } catch (e) {
      resolvePromise({ status: 127, signal: null, stderr: Buffer.from(`${(e as Error).message}\n`) });
      return;
    }
    current = child;
    child.stderr?.on('data', (d: Buffer) => chunks.push(d));
    child.stdout?.on('data', (d: Buffer) => outChunks.push(d));
    child.on('error', (e) => {
      current = null;
      const message = Buffer.from(`spincheck: cannot run ${file}: ${e.message}\n`);
      resolvePromise({ status: 127, signal: null, stderr: message });
    });
    child.on('close', (status, signal) => {
      current = null;
      resolvePromise({
        status,
        signal,
        ...(options.captureStderr ? { stderr: Buffer.concat(chunks) } : {}),
        ...(options.captureStdout ? { stdout: Buffer.concat(outChunks) } : {}),
      });
    });
  });
}

/** Sends a signal to the running child, if any (SIGINT/SIGTERM forwarding). */
export function signalChild(signal: NodeJS.Signals): boolean {
  if (!current || current.exitCode !== null) return false;
  return current.kill(signal);
}

export interface Captured {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Runs a helper program to completion with its output captured (runtime build, `-dumpmachine`, `ar`). */
export function capture(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Captured {
  const r = spawnSync(file, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    ...(r.error ? { error: r.error } : {}),
  };
}
