// The Linux kernel's build habits through spincheck-cc, on small self-made cases: Kbuild's `-Wp,-MMD,dir/.f.o.d`
// dependency files, `-include` of a generated config header, and the `-x c /dev/null` compiler probes of
// cc-option / cc-disable-warning (exit status and output identical to the real compiler's).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTool } from '../helpers/tools.js';
import { CLI, ROOT, scratchDir, sh, siteDbs, wrapperEnv } from './helpers.js';

const DRIVER = `/* Kbuild-style source: the config header is force-included, not included. */
#include "wdm-lite.h"
#ifdef CONFIG_QUEUE_CANCEL
void QueueCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}
#endif
NTSTATUS QueueDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    (void)DeviceObject;
    IoAcquireCancelSpinLock(&irql);
    IoSetCancelRoutine(Irp, QueueCancel);
    IoReleaseCancelSpinLock(irql);
    return CONFIG_QUEUE_STATUS;
}
`;

describe.runIf(haveTool('gcc'))("the Linux kernel's habits", () => {
  const dir = scratchDir('kbuild');
  mkdirSync(join(dir, 'include/generated'), { recursive: true });
  mkdirSync(join(dir, 'drivers/queue'), { recursive: true });
  writeFileSync(join(dir, 'include/generated/autoconf.h'), '#define CONFIG_QUEUE_CANCEL 1\n#define CONFIG_QUEUE_STATUS 0\n');
  writeFileSync(join(dir, 'include/wdm-lite.h'), readFileSync(join(ROOT, 'test/golden/wdm-lite.h')));
  writeFileSync(join(dir, 'drivers/queue/queue.c'), DRIVER);
  const flags = (dep: string): string[] => [
    `-Wp,-MMD,${dep}`, '-nostdinc', '-isystem', '/usr/lib/gcc/x86_64-linux-gnu/12/include', '-Iinclude',
    '-include', 'include/generated/autoconf.h', '-D__KERNEL__', '-O2', '-Wall', '-Wextra', '-Werror',
    '-fno-strict-aliasing', '-fno-common', '-DKBUILD_MODNAME="queue"', '-c', '-o', 'drivers/queue/queue.o', 'drivers/queue/queue.c',
  ];
  const gccInclude = sh('gcc', ['-print-file-name=include'], dir, process.env).stdout.trim();
  const withInclude = (args: string[]): string[] => args.map((a) => (a === '/usr/lib/gcc/x86_64-linux-gnu/12/include' ? gccInclude : a));

  it('-Wp,-MMD,dir/.f.o.d and -include of the config header: the .d equals a plain build, hooks compiled in', () => {
    sh('gcc', withInclude(flags('drivers/queue/.queue.o.plain.d')), dir, process.env);
    const plainDep = readFileSync(join(dir, 'drivers/queue/.queue.o.plain.d'), 'utf8');
    const data = join(dir, 'data');
    const r = sh(CLI, ['gcc', ...withInclude(flags('drivers/queue/.queue.o.d'))], dir, wrapperEnv({ SPINCHECK_STRICT: '1', SPINCHECK_DIR: data }));
    expect(r.stderr).toBe('');
    expect(readFileSync(join(dir, 'drivers/queue/.queue.o.d'), 'utf8')).toBe(plainDep);
    expect(plainDep).toContain('include/generated/autoconf.h');
    const nm = sh('nm', ['drivers/queue/queue.o'], dir, process.env).stdout;
    expect(nm).toMatch(/ [UW] spincheck_acquire_pre\b/);
    const [db] = siteDbs(data);
    // The routine under #ifdef CONFIG_QUEUE_CANCEL is there: the config header was seen.
    expect(db?.routines?.map((x) => (x as { name: string }).name).sort()).toEqual(['QueueCancel', 'QueueDispatch']);
  });

  const probes: Array<[string, string[]]> = [
    ['cc-option accepted', ['-Werror', '-fno-stack-protector', '-c', '-x', 'c', '/dev/null', '-o', '/dev/null']],
    ['cc-option refused', ['-Werror', '-fno-such-option-anywhere', '-c', '-x', 'c', '/dev/null', '-o', '/dev/null']],
    ['cc-disable-warning', ['-Werror', '-Wno-unused-but-set-variable', '-c', '-x', 'c', '/dev/null', '-o', '/dev/null']],
    ['cc-option with -S to stdout', ['-Werror', '-O2', '-S', '-x', 'c', '/dev/null', '-o', '-']],
    ['macro dump', ['-E', '-dM', '-x', 'c', '/dev/null']],
    ['as-option style', ['-c', '-x', 'assembler-with-cpp', '/dev/null', '-o', '/dev/null']],
    ['ld-option style link of /dev/null', ['-x', 'c', '/dev/null', '-nostdlib', '-shared', '-o', '/dev/null']],
  ];
  it.each(probes)('probe: %s gives the real compiler\'s status and output', (_label, args) => {
    const real = sh('gcc', args, dir, process.env, true);
    const wrapped = sh(CLI, ['gcc', ...args], dir, wrapperEnv({ SPINCHECK_DIR: join(dir, 'probe-data') }), true);
    expect(wrapped.status).toBe(real.status);
    expect(wrapped.stdout).toBe(real.stdout);
    expect(wrapped.stderr).toBe(real.stderr);
  });
});
