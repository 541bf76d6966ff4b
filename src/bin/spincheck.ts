// `spincheck` entry point: reads argv/env and calls the subcommand.
import { checkCommand } from '../cli/check.js';
import { doctorCommand } from '../cli/doctor.js';
import { initCommand } from '../cli/init.js';
import { instrumentCommand } from '../cli/instrument.js';
import { kitCommand } from '../cli/kit.js';
import type { CliEnv } from '../cli/report.js';
import { reportCommand } from '../cli/report.js';
import { runCommand } from '../cli/run.js';

const USAGE = `usage: spincheck <command> [options]
  report [DIRS...] [--format text|json|sarif|lcov|cobertura|html|junit]... [--output PATH] [--source-root DIR]
                   [--fail-on none|violations,unchecked,static] [--min-site-coverage N] [--strict]
  run [report options] [--data-dir DIR] -- COMMAND [ARGS...]
  check [--verbose] [compiler flags] FILE...   (the compile-time path check, as compiler warnings)
  doctor [--build-launcher]
  init [--ci github|gitlab] [DIR]   (a starter harness, the kit, make/CMake fragments, CI files; overwrites nothing)
  kit --path
  instrument [--sites] [--dialect gnu|msvc] [--include-dir DIR]... FILE
`;

async function main(): Promise<number> {
  const [command, ...argv] = process.argv.slice(2);
  const io: CliEnv = {
    argv,
    env: process.env,
    cwd: process.cwd(),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
  };
  switch (command) {
    case 'report':
      return reportCommand(io);
    case 'run':
      return runCommand(io);
    case 'check':
      return checkCommand(io);
    case 'doctor':
      return doctorCommand(io);
    case 'init':
      return initCommand(io);
    case 'kit':
      return kitCommand(io);
    case 'instrument':
      return instrumentCommand(io, (b) => process.stdout.write(b));
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case '--version':
      process.stdout.write(`${process.env.npm_package_version ?? '0.1.0'}\n`);
      return 0;
    default:
      process.stderr.write(`spincheck: ${command ? `unknown command '${command}'` : 'no command given'}\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`spincheck: error: ${message}\n`);
    if (process.env.SPINCHECK_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 2;
  },
);
