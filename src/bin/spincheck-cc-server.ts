// spincheck-cc-server: the warm server the native spincheck-cc launcher starts on demand (argv: socket, marker).
import { serve } from '../wrapper/server.js';

const [socketPath, markerPath] = process.argv.slice(2);
const idleSeconds = Number.parseFloat(process.env.SPINCHECK_SERVER_IDLE ?? '');
if (!socketPath) {
  process.stderr.write('usage: spincheck-cc-server SOCKET [MARKER]\n');
  process.exitCode = 2;
} else {
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => stop.abort());
  try {
    await serve({
      socketPath,
      idleMs: (idleSeconds > 0 ? idleSeconds : 300) * 1000,
      stop: stop.signal,
      ...(markerPath ? { markerPath } : {}),
    });
  } catch (e) {
    process.stderr.write(`spincheck-cc-server: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
