// spincheck-instrument-worker: one process of the warm server's pool; instruments the files it is sent, one at a time.
import { instrumentHere } from '../wrapper/instrumenter.js';
import type { AnswerMessage, JobMessage } from '../wrapper/pool.js';

const answer = (m: AnswerMessage): void => {
  process.send?.(m);
};

process.on('message', (m: JobMessage) => {
  instrumentHere(m.text, m.options, m.search).then(
    (result) => answer({ id: m.id, result }),
    (e: unknown) => answer({ id: m.id, error: (e as Error).message ?? String(e) }),
  );
});
// The server is gone: nothing more will come.
process.on('disconnect', () => process.exit(0));
// Warm start: tree-sitter, the language and the compiled queries load before the first file arrives.
void instrumentHere('void w(void) { IoAcquireCancelSpinLock(0); }', { tuId: 'warm-up' }, { cwd: '/', main: '/w.c', dirs: [] });
