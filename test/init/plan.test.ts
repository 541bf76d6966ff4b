// spincheck init's pure parts: the survey of a driver's sources (through the instrumenter's role detection), the
// starter harness, the build fragments, and the rule that nothing existing is overwritten.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findRoles } from '../../src/instrument/index.js';
import { harnessText, plannedSends } from '../../src/init/harness.js';
import { cmakeFragment, makeFragment } from '../../src/init/fragments.js';
import { decide, planInit } from '../../src/init/plan.js';
import { surveyProject } from '../../src/init/survey.js';
import type { ProjectFile } from '../../src/init/survey.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function example(name: string, leave: RegExp): ProjectFile[] {
  const dir = join(root, 'examples', name);
  return readdirSync(dir)
    .filter((f) => /\.[ch]$/.test(f) && !leave.test(f))
    .map((f) => ({ path: f, text: readFileSync(join(dir, f), 'utf8') }));
}

describe('findRoles: the instrumenter\'s role detection, with dispatch-table subscripts', () => {
  it('records each MajorFunction[] subscript, chained stores and loops included', () => {
    const src = [
      'void DriverEntry(PDRIVER_OBJECT d) {',
      '  int i;',
      '  for (i = 0; i < IRP_MJ_MAXIMUM_FUNCTION; i++) d->MajorFunction[i] = Pass;',
      '  d->MajorFunction[IRP_MJ_CREATE] = d->MajorFunction[IRP_MJ_CLOSE] = CreateClose;',
      '  d->MajorFunction[IRP_MJ_READ] = Read;',
      '}',
      'VOID Queue(PIRP irp) { IoSetCancelRoutine(irp, Cancel); }',
    ].join('\n');
    const { roles, defined } = findRoles(src, {});
    const byName = Object.fromEntries(roles.map((r) => [r.name, [r.role, r.majors.join(',')]]));
    expect(byName).toEqual({
      Pass: ['dispatch', 'i'],
      CreateClose: ['dispatch', 'IRP_MJ_CREATE,IRP_MJ_CLOSE'],
      Read: ['dispatch', 'IRP_MJ_READ'],
      Cancel: ['cancel', ''],
    });
    expect(defined.map((d) => [d.name, d.params])).toEqual([['DriverEntry', 1], ['Queue', 1]]);
  });
});

describe('surveyProject', () => {
  it('the queue driver: the kit face, its routines and majors, its extension set up from driver.h', () => {
    const s = surveyProject(example('queue-driver', /^harness\.c$/));
    expect(s.face).toBe('kit');
    expect(s.sources).toEqual(['driver.c', 'flush.c', 'queue.c']);
    expect(s.dispatch).toEqual([
      { name: 'QdCleanup', majors: ['IRP_MJ_CLEANUP'] },
      { name: 'QdCreateClose', majors: ['IRP_MJ_CREATE', 'IRP_MJ_CLOSE'] },
      { name: 'QdDeviceControl', majors: ['IRP_MJ_DEVICE_CONTROL'] },
      { name: 'QdFlush', majors: [] },
      { name: 'QdRead', majors: ['IRP_MJ_READ'] },
    ]);
    expect(s.cancel).toEqual(['QdCancelRead']);
    expect(s.entry).toEqual({ file: 'driver.c', params: 1 });
    expect(s.extension).toEqual({
      type: 'QUEUE_EXTENSION',
      header: 'driver.h',
      init: [
        { field: 'PendingReads', call: 'InitializeListHead' },
        { field: 'QueueLock', call: 'KeInitializeSpinLock' },
      ],
    });
  });

  it('a file defining main (a test of its own) and a copy of the kit are left out of the driver', () => {
    const s = surveyProject([
      ...example('queue-driver', /^$/),
      { path: 'kit/wdm_user.c', text: 'int x;' },
      { path: 'spincheck/harness.c', text: 'int main(void) { return 0; }' },
    ]);
    expect(s.sources).toEqual(['driver.c', 'flush.c', 'queue.c']);
    expect(s.leftOut.map((l) => l.path)).toEqual(['harness.c', 'kit/wdm_user.c']);
  });

  it('a DDK include, Wine\'s `"ddk/wdm.h"` spelling too, picks the kernel model; wdm_user.h the kit', () => {
    const face = (text: string) => surveyProject([{ path: 'd.c', text }]).face;
    expect(face('#include "ddk/wdm.h"\n')).toBe('kernel-model');
    expect(face('#include <ntifs.h>\n')).toBe('kernel-model');
    expect(face('#include "wdm_user.h"\n')).toBe('kit');
  });

  it('the WDM sample (DDK headers): the kernel-model face, with its IOCTL codes', () => {
    const s = surveyProject(example('wdm-driver', /^harness\.c$/));
    expect(s.face).toBe('kernel-model');
    expect(s.extension).toBeNull();
    expect(s.ioctls.map((i) => i.name)).toEqual(['IOCTL_WDS_WAIT_EVENT', 'IOCTL_WDS_SIGNAL', 'IOCTL_WDS_STATS']);
    expect(s.cancel).toContain('WdsCancelTransfer');
  });
});

describe('the starter harness', () => {
  it('sends create first, cleanup and close last, cancels pending IRPs between, and leaves out majors needing a minor', () => {
    const s = surveyProject([
      { path: 'd.c', text: [
        'NTSTATUS DriverEntry(PDRIVER_OBJECT d) {',
        '  d->MajorFunction[IRP_MJ_CLOSE] = Close; d->MajorFunction[IRP_MJ_PNP] = Pnp;',
        '  d->MajorFunction[IRP_MJ_WRITE] = Write; d->MajorFunction[IRP_MJ_CREATE] = Create;',
        '  d->MajorFunction[IRP_MJ_CLEANUP] = Cleanup; return 0; }',
      ].join('\n') },
    ]);
    const { sends, unsent } = plannedSends(s);
    expect(sends.map((x) => x.major)).toEqual(['IRP_MJ_CREATE', 'IRP_MJ_WRITE', 'IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE']);
    expect(unsent.map((x) => x.major)).toEqual(['IRP_MJ_PNP']);
    const text = harnessText(s);
    const at = (needle: string) => text.indexOf(needle);
    expect(at('WdmSend(&Irps[1], IRP_MJ_WRITE)')).toBeGreaterThan(at('WdmSend(&Irps[0], IRP_MJ_CREATE)'));
    expect(at('CancelPending(Irps, 2)')).toBeGreaterThan(at('IRP_MJ_WRITE)'));
    expect(at('WdmSend(&Irps[2], IRP_MJ_CLEANUP)')).toBeGreaterThan(at('CancelPending(Irps, 2)'));
    expect(text).toContain('Not sent (they need a minor function): IRP_MJ_PNP');
    expect(text).toContain('WdmInjectCancellation(Scenario, NULL)');
    expect(text).not.toContain('IRP_MJ_PNP);');
  });

  it('without DriverEntry the harness fills the dispatch table itself', () => {
    const s = surveyProject([{ path: 'd.c', text: 'DRIVER_DISPATCH Rd;\nvoid Init(PDRIVER_OBJECT d) { d->MajorFunction[IRP_MJ_READ] = Rd; }\n' }]);
    const text = harnessText(s);
    expect(text).toContain('DriverObject->MajorFunction[IRP_MJ_READ] = Rd;');
    expect(text).toContain('WdmLoadDriver(LoadTable, &Extension);');
  });

  it('with nothing to send, the harness says so and exits 3 (a run that sent nothing is not a clean one)', () => {
    const text = harnessText(surveyProject([{ path: 'd.c', text: 'DRIVER_DISPATCH Rd;\nNTSTATUS Rd(PDEVICE_OBJECT d, PIRP i) { return 0; }\n' }]));
    expect(text).toContain('    NothingSent = 1;');
    expect(text).toContain('return NothingSent ? 3 : 0;');
    expect(text).not.toContain('WdmSend(');
  });

  it('the kernel-model harness builds reads, writes and each IOCTL code, and unloads the driver', () => {
    const text = harnessText(surveyProject(example('wdm-driver', /^harness\.c$/)));
    expect(text).toContain('#include "kmodel.h"');
    expect(text).toContain('#include "wdmsample.h"');
    for (const code of ['IOCTL_WDS_WAIT_EVENT', 'IOCTL_WDS_SIGNAL', 'IOCTL_WDS_STATS']) expect(text).toContain(`KmBuildIoctl(dev, ${code},`);
    expect(text).toContain('KmBuildRead(dev, 64, file)');
    expect(text).toContain('KmInjectCancellation(Scenario, NULL)');
    expect(text).toContain('KmUnloadDriver(driver);');
  });
});

describe('build fragments', () => {
  it('name every driver source and the project header directories, and go through spincheck-cc', () => {
    const s = surveyProject([
      { path: 'src/a.c', text: '#include "a.h"\n' },
      { path: 'src/b c.c', text: '' },
      { path: 'include/a.h', text: '' },
    ]);
    const mk = makeFragment(s);
    expect(mk).toMatch(/^SPINCHECK_SRCS := src\/a\.c src\/b\\ c\.c spincheck\/harness\.c spincheck\/harness-kit\/wdm_user\.c spincheck\/harness-kit\/wdm_harness\.c$/m);
    expect(mk).toMatch(/^SPINCHECK_INCLUDES := -I\$\(SPINCHECK_TOP\)include -I\$\(SPINCHECK_HERE\)\/harness-kit$/m);
    expect(mk).toContain('\t$(SPINCHECK_WRAPPER) $(CC) $(CPPFLAGS)');
    const cm = cmakeFragment(s);
    expect(cm).toContain('add_executable(spincheck_harness "${SPINCHECK_TOP}/src/a.c" "${SPINCHECK_TOP}/src/b c.c" "${SPINCHECK_TOP}/spincheck/harness.c")');
    expect(cm).toContain('include("${CMAKE_CURRENT_LIST_DIR}/spincheck-cc.cmake")');
  });
});

describe('nothing is overwritten', () => {
  it('an existing file is skipped (same text: unchanged), a missing one written; GitLab\'s entry file gets advice', () => {
    const plan = planInit(example('queue-driver', /^harness\.c$/), new Map([['harness-kit/wdm_user.h', 'kit'], ['kernel-model/kmodel.h', 'km']]), { ci: 'gitlab', version: '1.2.3' });
    const paths = plan.outputs.map((o) => o.path);
    expect(paths).toContain('spincheck/harness-kit/wdm_user.h');
    expect(paths).not.toContain('spincheck/kernel-model/kmodel.h');
    const existing = new Map<string, string>([
      ['spincheck/harness.c', '/* mine */'],
      ['spincheck/harness-kit/wdm_user.h', 'kit'],
      ['.gitlab-ci.yml', 'stages: [build]\n'],
    ]);
    const decisions = decide(plan.outputs, (p) => existing.get(p));
    const by = Object.fromEntries(decisions.map((d) => [d.output.path, d.action === 'skip' ? d.why : 'write']));
    expect(by['spincheck/harness.c']).toMatch(/^exists: kept/);
    expect(by['spincheck/harness-kit/wdm_user.h']).toBe('unchanged');
    expect(by['.gitlab-ci.yml']).toContain('include: [{ local: spincheck.gitlab-ci.yml }]');
    expect(by['spincheck.gitlab-ci.yml']).toBe('write');
    expect(by['spincheck/spincheck.mk']).toBe('write');
    expect(plan.outputs.find((o) => o.path === 'spincheck.gitlab-ci.yml')?.text).toContain('npm install -g spincheck@1.2.3');
  });
});
