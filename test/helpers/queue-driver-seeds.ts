// The seeded bugs of examples/queue-driver (its -DSEEDED_BUGS build): each violation's kind, SARIF rule, place,
// routine and acquire, found in the sources by text, for the end-to-end and report tests.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCK_FORM_BY_NAME } from '../../src/model/lock-api.js';

export interface Seed {
  kind: string;
  /** SARIF ruleId: `<LockRule>/<kind>`; the alternation kinds under the rule of the form called (lock-api.ts). */
  rule: string;
  file: 'driver.c' | 'queue.c';
  line: number;
  function: string;
  /** `file:line` of the acquire the violation names, or null. */
  acquire: string | null;
}

const kitUser = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates', 'harness-kit', 'wdm_user.c');

/** SDV's rule of the lock form `name` (lock-api.ts). */
function ruleOf(name: string): string {
  const form = LOCK_FORM_BY_NAME.get(name);
  if (!form) throw new Error(`${name} is not in lock-api.ts`);
  return form.rule;
}

/** The seeds of the driver copied to `drv`, in file and line order (the order every report lists them in). */
export function queueDriverSeeds(drv: string): Seed[] {
  const text = {
    'driver.c': readFileSync(join(drv, 'driver.c'), 'utf8'),
    'queue.c': readFileSync(join(drv, 'queue.c'), 'utf8'),
    'wdm_user.c': readFileSync(kitUser, 'utf8'),
  };
  /** 1-based line of the n-th (0-based) line of `file` containing `needle`. */
  const at = (file: keyof typeof text, needle: string, nth = 0): number => {
    const hits = text[file].split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
    const line = hits[nth];
    if (line === undefined) throw new Error(`'${needle}' (${nth}) not found in ${file}`);
    return line;
  };
  const cancelSeeds: Seed[] = [
    { kind: 'dispatch-exit-held', rule: 'CancelSpinLock/dispatch-exit-held', file: 'driver.c', line: at('driver.c', 'return QdQueueRead('), function: 'QdRead', acquire: `queue.c:${at('queue.c', 'IoAcquireCancelSpinLock(&irql);', 0)}` },
    { kind: 'release-not-held', rule: 'CancelSpinLock/release-not-held', file: 'driver.c', line: at('driver.c', 'IoReleaseCancelSpinLock(irql);', 2), function: 'QdCleanup', acquire: null },
    { kind: 'cancel-exit-held', rule: 'CancelSpinLock/cancel-exit-held', file: 'queue.c', line: at('queue.c', 'return;', 0), function: 'QdCancelRead', acquire: `wdm_user.c:${at('wdm_user.c', 'IoAcquireCancelSpinLock(&Irql);')}` },
    { kind: 'irql-mismatch', rule: 'CancelSpinLock/irql-mismatch', file: 'queue.c', line: at('queue.c', 'IoReleaseCancelSpinLock(irp->CancelIrql);'), function: 'QdCompleteCurrent', acquire: `queue.c:${at('queue.c', 'IoAcquireCancelSpinLock(&irql);', 2)}` },
  ];
  const deviceLockAcquire = `driver.c:${at('driver.c', 'KeAcquireSpinLock(&ext->QueueLock, &lockIrql);')}`;
  const spinSeeds: Seed[] = [
    // QdDeviceControl's stopped-queue error path returns holding the device lock.
    { kind: 'spin-lock-exit-held', rule: 'CancelSpinLock/spin-lock-exit-held', file: 'driver.c', line: at('driver.c', 'return STATUS_INVALID_DEVICE_REQUEST;'), function: 'QdDeviceControl', acquire: deviceLockAcquire },
    // ... and its success path releases the device lock with the IRQL the cancel lock's acquire saved.
    { kind: 'irql-mismatch', rule: 'CancelSpinLock/irql-mismatch', file: 'driver.c', line: at('driver.c', 'KeReleaseSpinLock(&ext->QueueLock, cancelIrql);'), function: 'QdDeviceControl', acquire: deviceLockAcquire },
    // The DPC-style completion releases the device lock twice.
    { kind: 'spin-lock-release-not-held', rule: `${ruleOf('KeReleaseSpinLockFromDpcLevel')}/spin-lock-release-not-held`, file: 'queue.c', line: at('queue.c', 'KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);', 1), function: 'QdCompleteCurrent', acquire: null },
    // Cleanup holds the device lock (in-stack) around QdStopQueue, which takes it again.
    { kind: 'spin-lock-double-acquire', rule: `${ruleOf('KeAcquireSpinLock')}/spin-lock-double-acquire`, file: 'queue.c', line: at('queue.c', 'KeAcquireSpinLock(&ext->QueueLock, &irql);'), function: 'QdStopQueue', acquire: `driver.c:${at('driver.c', 'KeAcquireInStackQueuedSpinLock(&ext->QueueLock, &handle);')}` },
  ];
  return [...cancelSeeds, ...spinSeeds].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
