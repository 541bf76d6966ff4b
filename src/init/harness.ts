// The starter harness `spincheck init` writes (pure): one IRP of each major function the driver registers, each
// pending one cancelled, cleanup and close last; `--inject` repeats it with the face's cancellation injection.
import type { FaceName } from './faces.js';
import { NEEDS_MINOR, isLast, sendOrder } from './majors.js';
import type { DriverSurvey } from './survey.js';

interface Send {
  major: string;
  routine: string;
}

/** The majors to send (in send order, with their routine) and the ones left out because they need a minor. */
export function plannedSends(survey: DriverSurvey): { sends: Send[]; unsent: Send[] } {
  const all = survey.dispatch.flatMap((d) => d.majors.map((major) => ({ major, routine: d.name })));
  const seen = new Set<string>();
  const unique = all.filter((s) => !seen.has(s.major) && seen.add(s.major)).sort((a, b) => sendOrder(a.major, b.major));
  return { sends: unique.filter((s) => !NEEDS_MINOR.has(s.major)), unsent: unique.filter((s) => NEEDS_MINOR.has(s.major)) };
}

function header(survey: DriverSurvey, run: string): string[] {
  const { unsent } = plannedSends(survey);
  const registered = survey.dispatch.filter((d) => d.majors.length === 0).map((d) => d.name);
  const lines = [
    '/* harness.c: the starter harness `spincheck init` wrote for this driver. It is yours: edit it, add scenarios.',
    '   It sends one IRP of each major function the driver registers, cancels each that is still pending, then',
    '   sends cleanup and close.',
    `     ${run}             one run`,
    `     ${run} --inject    the same, then once more per cancel window with that IRP cancelled there`,
    `   Dispatch routines: ${survey.dispatch.map((d) => `${d.name} (${d.majors.join(', ') || 'no major seen'})`).join(', ') || 'none found'}.`,
    `   Cancel routines: ${survey.cancel.join(', ') || 'none found'} (entered by the cancels).`,
  ];
  if (unsent.length > 0) lines.push(`   Not sent (they need a minor function): ${unsent.map((s) => s.major).join(', ')}.`);
  if (registered.length > 0) lines.push(`   Not stored in MajorFunction[] where init could see it, so not called: ${registered.join(', ')}.`);
  lines[lines.length - 1] += ' */';
  return lines;
}

/** The scenario's sends: the majors before cleanup and close, a cancel of each IRP pending, then cleanup, close, and
 * a last cancel; `send` gives the lines for one IRP and its index in the array `irps`. */
function sendsThenCancels<T extends { major: string }>(items: T[], irps: string, send: (item: T, index: number) => string[]): string[] {
  if (items.length === 0) {
    return [
      '    /* init found no MajorFunction[] store to send IRPs to: send the driver\'s requests here. */',
      '    fprintf(stderr, "harness: no IRP sent, nothing checked (edit %s)\\n", __FILE__);',
      '    NothingSent = 1;',
      `    CancelPending(${irps}, 0);`,
    ];
  }
  const first = items.filter((x) => !isLast(x.major));
  const last = items.filter((x) => isLast(x.major));
  return [
    ...first.flatMap((x, i) => send(x, i)),
    `    CancelPending(${irps}, ${first.length});`,
    ...last.flatMap((x, i) => send(x, first.length + i)),
    `    CancelPending(${irps}, SENT);`,
  ];
}

function kitExtension(survey: DriverSurvey): string[] {
  const ext = survey.extension;
  if (!ext) {
    return [
      '/* The device extension: init found no (PTYPE)...->DeviceExtension cast in the driver\'s sources, so this is a',
      '   zeroed block; put the driver\'s own extension type here and set it up as its AddDevice would. */',
      'static union { LIST_ENTRY Align; unsigned char Bytes[4096]; } Extension;',
      '',
      'static void SetUpExtension(void)',
      '{',
      '    memset(&Extension, 0, sizeof Extension);',
      '}',
    ];
  }
  return [
    `/* The device extension (${ext.type}, ${ext.header}), set up as the driver's AddDevice would: add what else it needs. */`,
    `static ${ext.type} Extension;`,
    '',
    'static void SetUpExtension(void)',
    '{',
    '    memset(&Extension, 0, sizeof Extension);',
    ...ext.init.map((f) => `    ${f.call}(&Extension.${f.field});`),
    '}',
  ];
}

function kitHarness(survey: DriverSurvey): string {
  const { sends } = plannedSends(survey);
  const entryCall = !survey.entry ? 'LoadTable' : survey.entry.params === 1 ? 'DriverEntry' : 'Entry';
  const includes = [...new Set(survey.extension ? [survey.extension.header] : [])].map((h) => `#include "${h.split('/').pop()}"`);
  const entryDecl = !survey.entry
    ? [
        '/* No file defines DriverEntry: the harness fills the dispatch table itself. */',
        ...survey.dispatch.map((d) => `DRIVER_DISPATCH ${d.name};`),
        'static NTSTATUS LoadTable(PDRIVER_OBJECT DriverObject)',
        '{',
        '    (void)DriverObject;',
        ...survey.dispatch.flatMap((d) => d.majors.map((m) => `    DriverObject->MajorFunction[${m}] = ${d.name};`)),
        '    return STATUS_SUCCESS;',
        '}',
      ]
    : survey.entry.params === 1
      ? ['NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject);']
      : [
          `/* DriverEntry (${survey.entry.file}) takes ${survey.entry.params} parameters; the kit's loader passes the driver object only. */`,
          'NTSTATUS DriverEntry();',
          'static NTSTATUS Entry(PDRIVER_OBJECT DriverObject)',
          '{',
          '    return DriverEntry(DriverObject, NULL);',
          '}',
        ];
  const send = (s: Send, i: number) => [`    WdmSend(&Irps[${i}], ${s.major});${' '.repeat(Math.max(1, 40 - s.major.length))}/* ${s.routine} */`];
  return [
    ...header(survey, `${'spincheck/build/harness'}`),
    '#include <stdio.h>',
    '#include <string.h>',
    '',
    '#include "wdm_harness.h"',
    ...includes,
    '',
    ...entryDecl,
    '',
    ...kitExtension(survey),
    '',
    `#define SENT ${Math.max(sends.length, 1)}`,
    ...NOTHING_SENT,
    '',
    '/* IoCancelIrp on each IRP the driver has not completed. */',
    'static void CancelPending(IRP *Irps, int Count)',
    '{',
    '    int i;',
    '    for (i = 0; i < Count; i++)',
    '        if (!Irps[i].Completed) WdmCancel(&Irps[i]);',
    '}',
    '',
    'static void Scenario(void *Context)',
    '{',
    '    IRP Irps[SENT];',
    '',
    '    (void)Context;',
    '    memset(Irps, 0, sizeof Irps);',
    '    SetUpExtension();',
    `    WdmLoadDriver(${entryCall}, &Extension);`,
    ...sendsThenCancels(sends, 'Irps', send),
    '}',
    '',
    'int main(int argc, char **argv)',
    '{',
    '    if (argc > 1 && strcmp(argv[1], "--inject") == 0) {',
    '        printf("harness: %lu runs with an injected cancel\\n", (unsigned long)WdmInjectCancellation(Scenario, NULL));',
    '        return NothingSent ? 3 : 0;',
    '    }',
    '    Scenario(NULL);',
    '    printf("harness: one run\\n");',
    '    return NothingSent ? 3 : 0;',
    '}',
    '',
  ].join('\n');
}

/** How the kernel-model harness builds each major's IRP (buffered reads and writes, the driver's IOCTL codes). */
function kmBuild(major: string, survey: DriverSurvey): string[] {
  if (major === 'IRP_MJ_READ') return ['KmBuildRead(dev, 64, file)'];
  if (major === 'IRP_MJ_WRITE') return ['KmBuildWrite(dev, Data, sizeof Data, file)'];
  if (major === 'IRP_MJ_DEVICE_CONTROL') {
    const codes = survey.ioctls.map((c) => c.name);
    return (codes.length > 0 ? codes : ['0 /* your IOCTL codes here */']).map((c) => `KmBuildIoctl(dev, ${c}, Data, sizeof Data, 64, file)`);
  }
  return [`KmBuildIrp(dev, ${major}, 0, file)`];
}

function kernelModelHarness(survey: DriverSurvey): string {
  const { sends } = plannedSends(survey);
  const builds = sends.flatMap((s) => kmBuild(s.major, survey).map((b) => ({ ...s, build: b })));
  const includes = [...new Set(survey.ioctls.map((c) => c.header))].map((h) => `#include "${h.split('/').pop()}"`);
  const send = (s: (typeof builds)[number], i: number) => [
    `    irps[${i}] = ${s.build};${' '.repeat(Math.max(1, 48 - s.build.length))}/* ${s.routine} */`,
    `    KmSendIrp(dev, irps[${i}]);`,
  ];
  return [
    ...header(survey, 'spincheck run -- spincheck/build/harness.exe'),
    '#include <stdio.h>',
    '#include <string.h>',
    '',
    '#include "kmodel.h"',
    ...includes,
    '',
    'DRIVER_INITIALIZE DriverEntry;',
    '',
    `#define SENT ${Math.max(builds.length, 1)}`,
    '',
    'static const char Data[64] = "spincheck";',
    ...NOTHING_SENT,
    '',
    '/* IoCancelIrp on each IRP the driver has not completed, then the deferred work that completes them. */',
    'static void CancelPending(PIRP *Irps, int Count)',
    '{',
    '    int i;',
    '    for (i = 0; i < Count; i++)',
    '        if (Irps[i] != NULL && !KmIrpCompleted(Irps[i])) KmCancelIrp(Irps[i]);',
    '    KmFireTimers();',
    '    KmRunWorkItems();',
    '}',
    '',
    'static void Scenario(void *Context)',
    '{',
    '    PIRP irps[SENT];',
    '    PDRIVER_OBJECT driver;',
    '    PDEVICE_OBJECT dev;',
    '    PFILE_OBJECT file;',
    '    int i;',
    '',
    '    (void)Context;',
    '    memset(irps, 0, sizeof irps);',
    '    driver = KmLoadDriver(DriverEntry, L"Driver", NULL);',
    '    if (driver == NULL)',
    '        return;',
    '    /* The first device DriverEntry created. A driver that creates its devices elsewhere (a PnP driver\'s',
    '       AddDevice, a bus enumeration) needs it done here: IoCreateDevice, or its AddDevice with a lower device. */',
    '    dev = driver->DeviceObject;',
    '    if (dev == NULL) {',
    '        fprintf(stderr, "harness: DriverEntry created no device: no IRP sent, nothing checked (edit %s)\\n", __FILE__);',
    '        NothingSent = 1;',
    '        KmUnloadDriver(driver);',
    '        return;',
    '    }',
    '    file = KmOpenFile(dev);',
    ...sendsThenCancels(builds, 'irps', send),
    '    for (i = 0; i < SENT; i++)',
    '        if (irps[i] != NULL && KmIrpCompleted(irps[i])) KmFreeIrp(irps[i]);',
    '    KmCloseFile(file);',
    '    KmUnloadDriver(driver);',
    '}',
    '',
    'int main(int argc, char **argv)',
    '{',
    '    int status;',
    '',
    '    Scenario(NULL);',
    '    if (argc > 1 && strcmp(argv[1], "--inject") == 0)',
    '        printf("harness: %lu injected cancellations\\n", (unsigned long)KmInjectCancellation(Scenario, NULL));',
    '    status = KmFinish();',
    '    return NothingSent ? 3 : status;',
    '}',
    '',
  ].join('\n');
}

/** The flag both harnesses set when they sent nothing: main then exits with 3, not as a clean run. */
const NOTHING_SENT = ['/* Set when no IRP could be sent: the harness then exits with 3, not as a clean run. */', 'static int NothingSent;'];

const HARNESS: Record<FaceName, (survey: DriverSurvey) => string> = {
  kit: kitHarness,
  'kernel-model': kernelModelHarness,
};

/** The starter harness's C text for the survey's face. */
export function harnessText(survey: DriverSurvey): string {
  return HARNESS[survey.face](survey);
}
