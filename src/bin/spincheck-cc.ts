// spincheck-cc: drop-in gcc/clang/mingw-w64 compiler wrapper (thin: argv, env and cwd in, exit status out).
import { constants } from 'node:os';
import { runWrapper } from '../wrapper/wrapper.js';

// The native launcher, when it runs this file itself, says how it was invoked (a masquerade symlink named gcc...).
const invokedAs = process.env.SPINCHECK_SELF || process.argv[1] || 'spincheck-cc';
delete process.env.SPINCHECK_SELF;

const outcome = await runWrapper({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  self: { invokedAs },
  stderrIsTTY: process.stderr.isTTY === true,
  writeStderr: (data) => process.stderr.write(data),
});
if (outcome.signal) {
  // Die the way the compiler died, so make sees the same thing (G26).
  process.removeAllListeners(outcome.signal);
  process.kill(process.pid, outcome.signal);
  process.exitCode = 128 + (constants.signals[outcome.signal] ?? 1);
} else {
  process.exitCode = outcome.status ?? 1;
}
