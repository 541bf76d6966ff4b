// `spincheck init` end to end with real processes: on the example queue driver (its own harness and build files left
// behind) and on the WDM sample driver (DDK headers: the kernel model, run under Wine), then a build of what it wrote
// with make and CMake through spincheck-cc, a run of the starter harness and the report; a second init writes
// nothing; the CI files parse as YAML and their commands, run here, make the files they upload.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin } from '../helpers/bins.js';
import { queueDriverSeeds } from '../helpers/queue-driver-seeds.js';
import { haveTool, run } from '../helpers/tools.js';
import { wrapperEnv } from '../wrapper/helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The harness init writes compiles without a warning, with the driver and the kit. */
const STRICT = 'CFLAGS=-O1 -g -Wall -Wextra -Werror';

interface JsonReport {
  violations: Array<{ kind: string; location: { file: string; line: number; function: string } }>;
  files: Array<{ file: string; noRunData: boolean; routines: Array<{ name: string; role: string; entries: number }> }>;
}

/** A directory with package.json's commands under their names, as a global npm install puts them on PATH. */
const binDir = ((): string => {
  const d = mkdtempSync(join(tmpdir(), 'spincheck-init-bin-'));
  for (const name of ['spincheck', 'spincheck-cc'] as const) symlinkSync(bin(name), join(d, name));
  return d;
})();

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e = wrapperEnv({ SPINCHECK_OPTIONS: '', KMODEL_VERBOSE: '', ...extra });
  return { ...e, PATH: `${binDir}:${e.PATH ?? ''}` };
}

function copyDriver(example: string, leave: RegExp): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'spincheck-init-')), example);
  cpSync(join(root, 'examples', example), dir, { recursive: true, filter: (src) => !leave.test(src.slice(join(root, 'examples', example).length)) });
  return dir;
}

function spincheck(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [bin('spincheck'), ...args], { cwd, env: env(extra) });
}

/** Runs a harness through `spincheck run` and returns its JSON report. */
function runHarness(cwd: string, program: string, ...args: string[]) {
  const r = spincheck(['run', '--format', 'json', '--', program, ...args], cwd);
  const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{\n'))) as JsonReport;
  const entries = Object.fromEntries(report.files.flatMap((f) => f.routines.map((x) => [x.name, x.entries])));
  return { ...r, report, entries };
}

/** Every file under `dir` with its size, mtime and text (to show that a second init changed nothing). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = `${statSync(p).mtimeMs} ${readFileSync(p, 'latin1')}`;
    }
  };
  walk(dir);
  return out;
}

/** Debian's Python, which Debian's python3-yaml serves (.ci/run installs it), before any other python3 on PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** A YAML file as data, through PyYAML (no YAML parser among the project's dependencies). */
function yaml(file: string): unknown {
  const r = run(PYTHON, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', file]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

function havePyYaml(): boolean {
  if (!haveTool(PYTHON)) return false;
  if (run(PYTHON, ['-c', 'import yaml']).status === 0) return true;
  if (process.env.CI) throw new Error("python3's yaml module (Debian: python3-yaml) is missing on this CI machine");
  console.warn('\n*** SKIPPING: python3-yaml is not installed (the CI-file tests need it) ***\n');
  return false;
}

/** The commands of a CI job that build and run (installs left out: the tools are here). */
const jobCommands = (lines: string[]) => lines.filter((c) => !/apt-get|npm install/.test(c));

describe.runIf(haveTool('make') && haveTool('gcc'))('spincheck init on the example queue driver (harness kit)', () => {
  let dir: string;
  let first: ReturnType<typeof spincheck>;

  beforeAll(() => {
    dir = copyDriver('queue-driver', /^\/(harness\.c|Makefile|CMakeLists\.txt)$|\.o$|\/harness(-buggy)?$|\.spincheck/);
    first = spincheck(['init', '--ci', 'github'], dir);
  }, 60_000);

  it('finds the routines and writes the harness, the kit, the fragments and the workflow', () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('dispatch routines: QdCleanup, QdCreateClose, QdDeviceControl, QdFlush, QdRead; cancel routines: QdCancelRead');
    expect(first.stdout).toContain('the harness sends: IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_DEVICE_CONTROL, IRP_MJ_CLEANUP, IRP_MJ_CLOSE');
    for (const f of ['spincheck/harness.c', 'spincheck/spincheck.mk', 'spincheck/spincheck.cmake', 'spincheck/CMakeLists.txt',
      'spincheck/harness-kit/wdm_user.c', 'spincheck/io-core/io_core.h', '.github/workflows/spincheck.yml', 'spincheck.config.json']) {
      expect(statSync(join(dir, f)).isFile(), f).toBe(true);
    }
    expect(readFileSync(join(dir, 'spincheck/harness-kit/wdm_user.c'), 'utf8')).toBe(readFileSync(join(root, 'templates/harness-kit/wdm_user.c'), 'utf8'));
  });

  it('make builds it through spincheck-cc; the run enters every routine sent and the cancel routine, without violations', () => {
    const make = run('make', ['-f', 'spincheck/spincheck.mk', STRICT], { cwd: dir, env: env() });
    expect(make.status, make.stderr).toBe(0);
    expect(make.stdout).toMatch(/spincheck-cc cc .* -c -o spincheck\/build\/queue\.o queue\.c/);
    const r = runHarness(dir, 'spincheck/build/harness');
    expect(r.status, r.stderr).toBe(0);
    expect(r.report.violations).toEqual([]);
    for (const routine of ['QdCreateClose', 'QdRead', 'QdDeviceControl', 'QdCleanup', 'QdCancelRead']) expect(r.entries[routine], routine).toBeGreaterThan(0);
    expect(r.entries.QdFlush).toBe(0); // registered nowhere: the harness cannot send it, and says so
    expect(readFileSync(join(dir, 'spincheck/harness.c'), 'utf8')).toContain('so not called: QdFlush');
  }, 120_000);

  it('with -DSEEDED_BUGS and --inject, the violations reported are seeded ones, at their lines', () => {
    const make = run('make', ['-f', 'spincheck/spincheck.mk', 'SPINCHECK_OUT=spincheck/build-seeded', 'CPPFLAGS=-DSEEDED_BUGS'], { cwd: dir, env: env() });
    expect(make.status, make.stderr).toBe(0);
    const r = runHarness(dir, 'spincheck/build-seeded/harness', '--inject');
    expect(r.status).toBe(66);
    const seeds = queueDriverSeeds(dir).map((s) => `${s.kind} ${s.file}:${s.line}`);
    const got = r.report.violations.map((v) => `${v.kind} ${v.location.file.split('/').pop()}:${v.location.line}`);
    expect(got.length).toBeGreaterThanOrEqual(3);
    for (const v of got) expect(seeds).toContain(v);
  }, 120_000);

  it.runIf(haveTool('cmake'))('CMake builds it through spincheck-cc (compiles and link); the run checks the same routines', () => {
    const configure = run('cmake', ['-S', 'spincheck', '-B', 'spincheck/build-cmake'], { cwd: dir, env: env() });
    expect(configure.status, configure.stderr).toBe(0);
    const build = run('cmake', ['--build', 'spincheck/build-cmake'], { cwd: dir, env: env() });
    expect(build.status, build.stderr).toBe(0);
    const r = runHarness(dir, 'spincheck/build-cmake/harness');
    expect(r.status, r.stderr).toBe(0);
    for (const routine of ['QdCreateClose', 'QdRead', 'QdDeviceControl', 'QdCleanup', 'QdCancelRead']) expect(r.entries[routine], routine).toBeGreaterThan(0);
  }, 180_000);

  it('a second init overwrites nothing, a file the user edited included', () => {
    const written = readFileSync(join(dir, 'spincheck/harness.c'), 'utf8');
    writeFileSync(join(dir, 'spincheck/harness.c'), '/* my own harness */\n');
    const before = snapshot(dir);
    const again = spincheck(['init', '--ci', 'github'], dir);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('wrote 0 file(s)');
    expect(again.stdout).toContain('skipped spincheck/harness.c: exists: kept');
    expect(snapshot(dir)).toEqual(before);
    writeFileSync(join(dir, 'spincheck/harness.c'), written);
  });

  it.runIf(havePyYaml())('the GitHub workflow parses; its build and run commands make the SARIF it uploads', () => {
    const wf = yaml(join(dir, '.github/workflows/spincheck.yml')) as {
      on: Record<string, unknown>; permissions: Record<string, string>;
      jobs: { spincheck: { steps: Array<{ uses?: string; run?: string; if?: string; with?: Record<string, string> }> } };
    };
    expect(Object.keys(wf.on)).toEqual(['push', 'pull_request']);
    expect(wf.permissions['security-events']).toBe('write');
    const steps = wf.jobs.spincheck.steps;
    expect(steps.map((s) => s.uses ?? 'run')).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'run', 'run', 'run', 'github/codeql-action/upload-sarif@v3']);
    const upload = steps[5]!;
    expect(upload.if).toBe('always()');
    rmSync(join(dir, 'spincheck/build'), { recursive: true, force: true });
    rmSync(join(dir, 'spincheck-report'), { recursive: true, force: true });
    for (const cmd of jobCommands(steps.flatMap((s) => (s.run ? s.run.trim().split('\n') : [])))) {
      const r = run('sh', ['-c', cmd], { cwd: dir, env: env() });
      expect(r.status, `${cmd}\n${r.stderr}`).toBe(0);
    }
    const sarif = JSON.parse(readFileSync(join(dir, upload.with!.sarif_file!), 'utf8')) as { runs: Array<{ tool: { driver: { name: string } } }> };
    expect(sarif.runs[0]?.tool.driver.name).toBe('spincheck');
  }, 180_000);
});

const MINGW = 'x86_64-w64-mingw32-gcc';

describe.runIf(haveTool('make') && haveTool(MINGW) && haveTool('wine'))('spincheck init on the WDM sample driver (DDK headers: the kernel model)', () => {
  let dir: string;
  let first: ReturnType<typeof spincheck>;

  beforeAll(() => {
    dir = copyDriver('wdm-driver', /^\/(harness\.c|Makefile|CMakeLists\.txt|seeds)|\.(o|exe)$|\.spincheck/);
    first = spincheck(['init', '--ci', 'gitlab'], dir);
  }, 60_000);

  it('picks the kernel model, copies it, and sends each IOCTL code the driver defines', () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('kernel model (the DDK headers); driver sources: driver.c events.c transfer.c');
    expect(readFileSync(join(dir, 'spincheck/kernel-model/kmodel.mk'), 'utf8')).toBe(readFileSync(join(root, 'templates/kernel-model/kmodel.mk'), 'utf8'));
    expect(readFileSync(join(dir, 'spincheck/harness.c'), 'utf8')).toContain('KmBuildIoctl(dev, IOCTL_WDS_WAIT_EVENT,');
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('local: spincheck.gitlab-ci.yml');
  });

  it.runIf(havePyYaml())('the GitLab job parses; its commands build through spincheck-cc, run under Wine and make the reports it keeps', () => {
    expect(yaml(join(dir, '.gitlab-ci.yml'))).toEqual({ include: [{ local: 'spincheck.gitlab-ci.yml' }] });
    const job = (yaml(join(dir, 'spincheck.gitlab-ci.yml')) as { spincheck: { script: string[]; artifacts: { when: string; reports: { junit: string; coverage_report: { coverage_format: string; path: string } } } } }).spincheck;
    expect(job.artifacts.when).toBe('always');
    expect(job.artifacts.reports.coverage_report.coverage_format).toBe('cobertura');
    for (const cmd of jobCommands(job.script)) {
      const r = run('sh', ['-c', cmd], { cwd: dir, env: env() });
      expect(r.status, `${cmd}\n${r.stdout}\n${r.stderr}`).toBe(0);
    }
    expect(readFileSync(join(dir, job.artifacts.reports.junit), 'utf8')).toContain('<testsuite');
    expect(readFileSync(join(dir, job.artifacts.reports.coverage_report.path), 'utf8')).toContain('<class ');
  }, 300_000);

  it('the run enters every dispatch routine sent and the cancel routine, without violations', () => {
    const make = run('make', ['-f', 'spincheck/spincheck.mk', STRICT], { cwd: dir, env: env() });
    expect(make.status, make.stderr).toBe(0);
    const r = runHarness(dir, 'spincheck/build/harness.exe', '--inject');
    expect(r.status, r.stderr).toBe(0);
    expect(r.report.violations).toEqual([]);
    for (const routine of ['WdsCreateClose', 'WdsReadWrite', 'WdsDeviceControl', 'WdsCleanup', 'WdsCancelTransfer']) {
      expect(r.entries[routine], routine).toBeGreaterThan(0);
    }
  }, 300_000);
});

describe.runIf(haveTool('make') && haveTool(MINGW) && haveTool('wine'))('spincheck init on a driver of the real-code corpus that creates no device', () => {
  it('serial_write.c: its routines found, built unchanged on the kernel model; the harness says it sent nothing and exits 3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-init-corpus-'));
    cpSync(join(root, 'test', 'real', 'drivers', 'serial_write.c'), join(dir, 'serial_write.c'));
    const init = spincheck(['init'], dir);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toContain('dispatch routines: SerialWrite; cancel routines: SerialCancelCurrentWrite, SerialCancelQueued');
    expect(init.stdout).toContain('the harness sends: IRP_MJ_WRITE');
    const make = run('make', ['-f', 'spincheck/spincheck.mk'], { cwd: dir, env: env() });
    expect(make.status, make.stderr).toBe(0);
    const r = runHarness(dir, 'spincheck/build/harness.exe');
    expect(r.stderr).toContain('harness: DriverEntry created no device: no IRP sent, nothing checked (edit spincheck/harness.c)');
    expect(r.status).toBe(3);
    expect(r.entries.SerialWrite).toBe(0);
  }, 300_000);
});
