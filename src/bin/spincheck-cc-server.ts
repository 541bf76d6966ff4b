// spincheck-cc-server: the warm server the native spincheck-cc launcher starts on demand (argv: socket, marker).
import { fileURLToPath } from 'node:url';
import { InstrumentPool } from '../wrapper/pool.js';
import { serve } from '../wrapper/server.js';

const [socketPath, markerPath] = process.argv.slice(2);
const idleSeconds = Number.parseFloat(process.env.SPINCHECK_SERVER_IDLE ?? '');
if (!socketPath) {
  process.stderr.write('usage: spincheck-cc-server SOCKET [MARKER]\n');
  process.exitCode = 2;
} else {
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => stop.abort());
  // SPINCHECK_SERVER_WORKERS=0: instrument in the server's own thread, one file at a time (as before the pool).
  const workers = process.env.SPINCHECK_SERVER_WORKERS === undefined ? undefined : Number.parseInt(process.env.SPINCHECK_SERVER_WORKERS, 10);
  const pool =
    workers === 0
      ? undefined
      : new InstrumentPool({
          script: fileURLToPath(new URL('./spincheck-instrument-worker.js', import.meta.url)),
          ...(workers && workers > 0 ? { size: workers } : {}),
        });
  try {
    await serve({
      ...(pool ? { pool } : {}),
      socketPath,
      idleMs: (idleSeconds > 0 ? idleSeconds : 300) * 1000,
      stop: stop.signal,
      ...(markerPath ? { markerPath } : {}),
    });
  } catch (e) {
    process.stderr.write(`spincheck-cc-server: ${(e as Error).message}\n`);
    process.exitCode = 1;
    pool?.close();
  }
}
