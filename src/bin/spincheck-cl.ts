// spincheck-cl: drop-in cl / clang-cl compiler wrapper (thin: argv, env and cwd in, exit status out).
import { constants } from 'node:os';
import { CL_DIALECT } from '../wrapper/cl/dialect.js';
import { runWrapper } from '../wrapper/wrapper.js';

const outcome = await runWrapper({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  self: { invokedAs: process.argv[1] ?? 'spincheck-cl' },
  stderrIsTTY: process.stderr.isTTY === true,
  writeStderr: (data) => process.stderr.write(data),
}, CL_DIALECT);
if (outcome.signal) {
  // Die the way the compiler died, so make sees the same thing (G26).
  process.removeAllListeners(outcome.signal);
  process.kill(process.pid, outcome.signal);
  process.exitCode = 128 + (constants.signals[outcome.signal] ?? 1);
} else {
  process.exitCode = outcome.status ?? 1;
}
