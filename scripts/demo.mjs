// `npm run demo`: builds the example driver through spincheck-cc with make, runs both harnesses, shows the reports.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'queue-driver');
const bins = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin;
const bin = (name) => join(root, bins[name]);
const dataDir = join(example, '.spincheck');

function step(title, cmd, args, { allowFailure = false, cwd = example, data = dataDir } = {}) {
  process.stdout.write(`\n\u001b[1m== ${title}\u001b[0m\n$ ${[cmd, ...args].join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, SPINCHECK_DIR: data } });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFailure) {
    process.stderr.write(`demo: '${cmd}' failed with status ${r.status}\n`);
    process.exit(1);
  }
  return r.status;
}

rmSync(dataDir, { recursive: true, force: true });
step('Build the driver and its harness through spincheck-cc (clean and with seeded bugs)', 'make', [
  '-s', '-B', `CC=${bin('spincheck-cc')}`,
]);
step('Check the sources without building them: the compile-time path check', process.execPath, [
  bin('spincheck'), 'check', `-I${join(root, 'templates', 'harness-kit')}`, 'driver.c', 'queue.c', 'flush.c',
]);
step('Run the clean harness', process.execPath, [bin('spincheck'), 'run', '--', './harness']);
const status = step('Run the harness built with seeded bugs', process.execPath, [bin('spincheck'), 'run', '--', './harness-buggy'], {
  allowFailure: true,
});
process.stdout.write(
  '\nThe seeded build has four bugs on the cancel spin lock and four on the driver\'s device lock (QueueLock):\n' +
    'QdDeviceControl returns on its error path holding it (spin-lock-exit-held) and releases it with the cancel\n' +
    'lock\'s IRQL (irql-mismatch), cleanup calls QdStopQueue, which takes it, while holding it\n' +
    '(spin-lock-double-acquire), and the DPC releases it twice (spin-lock-release-not-held).\n',
);
process.stdout.write(`\nThe seeded-bug run exited with status ${status}: spincheck report and run fail on violations.\n`);
const reportDir = join(example, 'spincheck-report');
step('Write the HTML and SARIF reports of both runs', process.execPath, [
  bin('spincheck'), 'report', dataDir, '--format', 'html', '--format', 'sarif', '--format', 'lcov', '--output', reportDir,
  '--fail-on', 'none',
]);
process.stdout.write(`\nHTML report: ${join(reportDir, 'spincheck.html')}\n`);
process.stdout.write(`SARIF (GitHub code scanning, VS Code): ${join(reportDir, 'spincheck.sarif')}\n`);
process.stdout.write(`Data of both runs: ${dataDir} (try: node ${bin('spincheck')} report ${dataDir})\n`);

// The kernel model (needs mingw-w64 and Wine): a StartIo driver with a seeded double completion, under the
// cancellation campaign; each injected run is a process of its own, and the bugchecks are model findings.
const have = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
if (have('x86_64-w64-mingw32-gcc') && have('wine')) {
  const tone = mkdtempSync(join(tmpdir(), 'spincheck-demo-tone-'));
  cpSync(join(root, 'test', 'kernel-model', 'tone'), tone, { recursive: true });
  const toneData = join(tone, '.spincheck');
  step('Build a StartIo driver unchanged against the DDK headers, on the kernel model', 'make', [
    '-s', `CC=${bin('spincheck-cc')} x86_64-w64-mingw32-gcc`, `KM=${join(root, 'templates', 'kernel-model')}`, 'seed.exe',
  ], { cwd: tone, data: toneData });
  step('Cancellation campaign on its seeded double completion (under Wine)', process.execPath, [
    bin('spincheck'), 'run', '--', './seed.exe', '--inject',
  ], { cwd: tone, data: toneData, allowFailure: true });
  process.stdout.write('\nEach injected run is a process of its own: the runs that complete an IRP twice end with bug check 0x44,\n' +
    'the campaign goes on to its summary, and the report lists them as kmodel/double-completion findings.\n');
} else {
  process.stdout.write('\n(The kernel-model part of the demo needs x86_64-w64-mingw32-gcc and wine.)\n');
}
