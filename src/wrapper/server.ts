// The warm server: keeps the wrapper (tree-sitter, compiled queries) loaded and serves the native launcher's compiles.
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import type { Outcome, RunOptions } from './exec.js';
import { FrameReader, decodeRequest, encodeFrame, envEntries } from './protocol.js';
import type { Frame } from './protocol.js';
import { jobsFromMakeflags } from './pool.js';
import type { InstrumentPool } from './pool.js';
import { runWrapper } from './wrapper.js';

export interface ServeOptions {
  /** The socket path the launcher connects to; the server binds a private name and renames it into place. */
  socketPath: string;
  /** Exit after this long without a connection. */
  idleMs: number;
  /** The launcher's "a server is starting" marker, removed once the socket is in place. */
  markerPath?: string;
  /** Stops taking compiles (SIGTERM): the socket goes at once, compiles being served finish. */
  stop?: AbortSignal;
  /** Instruments files in worker processes, several at once; without it, in the server's own thread. */
  pool?: InstrumentPool;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/** Listens until idle; resolves when the server has shut down. */
export function serve(options: ServeOptions): Promise<void> {
  const { socketPath } = options;
  const bound = `${socketPath}.${process.pid}`;
  const pidPath = `${socketPath}.pid`;
  let active = 0;
  let ino = -1;
  let timer: NodeJS.Timeout | null = null;
  const server = createServer((socket) => {
    active++;
    if (timer) clearTimeout(timer);
    serveConnection(socket, options.pool).finally(() => {
      active--;
      if (active === 0) armIdle();
    });
  });
  const ownsSocket = (): boolean => {
    try {
      return statSync(socketPath).ino === ino;
    } catch {
      return false;
    }
  };
  const shutDown = (): void => {
    if (timer) clearTimeout(timer);
    if (ownsSocket()) {
      rmSync(socketPath, { force: true });
      rmSync(pidPath, { force: true });
    }
    server.close();
    options.pool?.close();
  };
  const armIdle = (): void => {
    timer = setTimeout(() => {
      if (active === 0) shutDown();
    }, options.idleMs);
  };
  options.stop?.addEventListener('abort', shutDown);
  return new Promise((resolvePromise, reject) => {
    server.on('error', reject);
    server.on('close', () => resolvePromise());
    rmSync(bound, { force: true });
    server.listen(bound, () => {
      // Several launchers may start servers at once: the last rename wins, the others idle out unreached.
      renameSync(bound, socketPath);
      ino = statSync(socketPath).ino;
      writeFileSync(pidPath, `${process.pid}\n`);
      if (options.markerPath) rmSync(options.markerPath, { force: true });
      armIdle();
    });
  });
}

/** One launcher: its request, the runs it does for the wrapper, the exit status. */
function serveConnection(socket: Socket, pool: InstrumentPool | undefined): Promise<void> {
  const reader = new FrameReader();
  const abort = new AbortController();
  let pending: ((o: Outcome) => void) | null = null;
  let running: Promise<void> | null = null;
  const send = (type: Parameters<typeof encodeFrame>[0], fields: (string | Uint8Array)[]): void => {
    if (!socket.destroyed) socket.write(encodeFrame(type, fields));
  };
  return new Promise((done) => {
    const stop = (): void => {
      abort.abort();
      pending?.({ status: null, signal: 'SIGTERM' });
      pending = null;
    };
    const finish = (): void => {
      // The launcher is gone (done, or killed): an unfinished session stops at its next step and cleans up.
      stop();
      void (running ?? Promise.resolve()).then(done);
    };
    socket.on('close', finish);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        if (frame.type === 'Q' && !running) {
          running = session(frame);
        } else if (frame.type === 'I') {
          // The launcher was interrupted: stop, clean up, then answer so that it dies after the cleanup.
          stop();
        } else if (frame.type === 'D' && pending) {
          const resolveRun = pending;
          pending = null;
          resolveRun(runOutcome(frame));
        } else {
          socket.destroy();
        }
      }
    });
    const session = async (frame: Frame): Promise<void> => {
      try {
        const request = decodeRequest(frame);
        pool?.noteJobs(jobsFromMakeflags(request.env.MAKEFLAGS));
        const outcome = await runWrapper({
          argv: request.argv,
          env: request.env,
          cwd: request.cwd,
          self: { invokedAs: request.invokedAs },
          stderrIsTTY: request.stderrIsTTY,
          writeStderr: (data) => send('E', [data]),
          writeStdout: (data) => send('O', [data]),
          abort: abort.signal,
          origin: `the warm server (pid ${process.pid})`,
          ...(pool ? { instrument: (text, opts, search) => pool.run(text, opts, search) } : {}),
          runner: (file, args, options) =>
            new Promise<Outcome>((resolveRun) => {
              // The launcher is gone or interrupted: nobody would run this, so the session must not wait.
              if (abort.signal.aborted) return resolveRun({ status: null, signal: 'SIGTERM' });
              pending = resolveRun;
              send('R', runFields(file, args, options));
            }),
        });
        send('X', outcome.signal ? ['signal', String(constants.signals[outcome.signal] ?? 15)] : ['status', String(outcome.status ?? 1)]);
      } catch {
        // A wrapper bug: the launcher runs the Node wrapper itself, which fails open or says what went wrong.
        send('F', []);
      }
      socket.end();
    };
  });
}

function runFields(file: string, args: readonly string[], options: RunOptions): string[] {
  const capture = `${options.captureStdout ? 'o' : ''}${options.captureStderr ? 'e' : ''}`;
  return [file, options.argv0 ?? file, options.cwd, capture, String(args.length), ...args, ...envEntries(options.env)];
}

function runOutcome(frame: Frame): Outcome {
  const [kind, value, stdout, stderr] = frame.fields;
  const how = kind?.toString();
  const n = Number.parseInt(value?.toString() ?? '', 10);
  const captured = { ...(stdout?.length ? { stdout } : {}), ...(stderr?.length ? { stderr } : {}) };
  if (how === 'signal') return { status: null, signal: SIGNAL_NAMES.get(n) ?? 'SIGTERM', ...captured };
  if (how === 'status') return { status: n, signal: null, ...captured };
  return { status: 127, signal: null, stderr: stderr ?? Buffer.from(`spincheck: cannot run the compiler\n`) };
}
