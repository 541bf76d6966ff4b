// The kernel model's PnP and synchronous-request calls, on two small drivers of our own (test/kernel-model/pnp: a
// bus driver with one PDO, a function driver over it), built through spincheck-cc and run under Wine with the
// harness as the PnP manager: KmAddDevice, KmStartDevice; IoBuildSynchronousFsdRequest (IRP_MJ_PNP, a buffered
// IRP_MJ_READ) and IoBuildDeviceIoControlRequest (METHOD_BUFFERED, METHOD_NEITHER internal, one that pends) with
// their status blocks, events and output copied back at completion; IoInvalidateDeviceRelations starting a new
// child PDO once; IoRegisterDeviceInterface/IoSetDeviceInterfaceState and KmFindInterface; removal.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTool, run } from '../helpers/tools.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string) => join(root, 'dist', 'bin', `${name}.js`);
const MINGW = 'x86_64-w64-mingw32-gcc';
const ready = haveTool('make') && haveTool(MINGW) && haveTool('wine');

describe.runIf(ready)("the kernel model's PnP, synchronous requests and device interfaces", () => {
  let dir: string;
  let data: string;
  const env = () => ({ ...process.env, SPINCHECK_DIR: data, SPINCHECK_OPTIONS: '', KMODEL_VERBOSE: '', KMODEL_ISOLATE: '' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spincheck-pnp-'));
    data = join(dir, 'data');
    cpSync(join(root, 'test', 'kernel-model', 'pnp'), dir, { recursive: true });
    const make = run('make', ['-C', dir, `CC=${bin('spincheck-cc')} ${MINGW}`, `KM=${join(root, 'templates', 'kernel-model')}`], { env: env() });
    expect(make.stderr).not.toMatch(/error|warning|undefined reference/);
    expect(make.status).toBe(0);
  }, 600_000);

  it('starts the stack and its child, answers each built request, and removes them', () => {
    const r = run(process.execPath, [bin('spincheck'), 'run', '--data-dir', data, '--format', 'json', '--', './harness.exe'], { cwd: dir, env: env() });
    const lines = r.stdout.replace(/\r/g, '').split('\n').filter((l) => l.startsWith('pnp-harness: '));
    expect(lines.filter((l) => l.startsWith('pnp-harness: FAILED')), r.stdout).toEqual([]);
    expect(lines).toHaveLength(13);
    expect(lines).toContain('pnp-harness: ok: the invalidated bus relations start the new child once');
    expect(lines).toContain('pnp-harness: ok: at its completion: event, status block, output');
    const json = r.stdout.indexOf('{\n');
    const report = JSON.parse(r.stdout.slice(json)) as { violations: unknown[]; findings: unknown[] };
    expect(report.violations).toEqual([]);
    expect(report.findings).toEqual([]); // no pool left: the IDs, the relations and the link were freed
    expect(r.status).toBe(0);
  });
});
