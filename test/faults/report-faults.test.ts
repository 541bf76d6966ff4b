// Issue 11, the report's side: output that cannot be written (full disk, a file in the way), a missing data
// directory: one `spincheck: error:` line naming the file, status 2, no half-written file, no stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { CLI, ROOT, ensureBuilt, scratch, wrapperEnv, writeTree } from '../wrapper/helpers.js';
import { fullDisk, unmountFullDisks } from './helpers.js';

const REPORT_CLI = join(ROOT, 'dist/bin/spincheck.js');
const hasGcc = haveTool('gcc');

const PROG_C = `typedef unsigned char KIRQL;
typedef long NTSTATUS;
typedef struct _IRP { KIRQL CancelIrql; int Pending; } IRP, *PIRP;
typedef struct _DEVICE_OBJECT { int Id; } DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef NTSTATUS DRIVER_DISPATCH(PDEVICE_OBJECT DeviceObject, PIRP Irp);
void IoAcquireCancelSpinLock(KIRQL *Irql) { *Irql = 0; }
void IoReleaseCancelSpinLock(KIRQL Irql) { (void)Irql; }
DRIVER_DISPATCH Leaky;
NTSTATUS Leaky(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
    if (Irp->Pending)
        return 1;
    IoReleaseCancelSpinLock(irql);
    return 0;
}
int main(void) { DEVICE_OBJECT dev = { 1 }; IRP irp = { 0, 1 }; Leaky(&dev, &irp); return 0; }
`;

function report(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [REPORT_CLI, 'report', ...args], { cwd, env: wrapperEnv(), timeout: 60000, encoding: 'utf8' });
  if (r.error) throw r.error;
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return r;
}

let project = '';
beforeAll(() => {
  ensureBuilt();
  if (!hasGcc) return;
  project = scratch('report-faults');
  writeTree(project, { 'leaky.c': PROG_C });
  const b = spawnSync(CLI, ['gcc', 'leaky.c', '-o', 'leaky'], { cwd: project, env: wrapperEnv(), encoding: 'utf8' });
  expect(b.status).toBe(0);
  const run = spawnSync(join(project, 'leaky'), [], { cwd: project, env: wrapperEnv(), encoding: 'utf8' });
  expect(run.status).toBe(66);
});
afterAll(unmountFullDisks);

describe.runIf(hasGcc)('spincheck report: faults writing the output', () => {
  it('the report itself works on this data (status 1: one violation)', () => {
    expect(report(['.spincheck'], project).status).toBe(1);
  });

  for (const [format, name] of [['html', 'out.html'], ['sarif', 'out.sarif'], ['text', 'out.txt']] as const) {
    it(`--format ${format} onto a full disk: one line naming the file, status 2, nothing half-written`, () => {
      const full = fullDisk();
      if (!full) return;
      const r = report(['.spincheck', '--format', format, '--output', join(full, name)], project);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`spincheck: error: cannot write ${join(full, name)}: ENOSPC: no space left on device, write\n`);
      expect(readdirSync(full)).toEqual(['fill']);
    });
  }

  it('--output under a regular file: one line naming the path, status 2', () => {
    const d = scratch('report-blocker');
    writeFileSync(join(d, 'blocker'), 'a file\n');
    const r = report([join(project, '.spincheck'), '--format', 'html', '--output', join(d, 'blocker/out.html')], d);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^spincheck: error: cannot write ${join(d, 'blocker/out.html')}: E(EXIST|NOTDIR)[^\\n]*\\n$`));
    expect(readdirSync(d)).toEqual(['blocker']);
  });

  it('a data directory that does not exist: one line, status 2, nothing written', () => {
    const d = scratch('report-nodata');
    const r = report([join(d, 'missing'), '--format', 'html', '--output', 'out'], d);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^spincheck: error: .*missing: no such data directory[^\n]*\n$/);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });
});
