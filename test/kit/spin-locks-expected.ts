// What test/kit/spin-locks.c prints on the harness kit (shared by the kit's and the kernel model's tests).

/** The program's output, on the kit and on the kernel model alike. */
export const SPIN_LOCKS_STDOUT = [
  'held at 2, saved 0',
  'released to 0',
  'handle names the lock: 1, saved 0, at 2',
  'handle released to 0',
  'convert as the only reader: 1',
  // The other thread's log: each acquire returned only after the main thread's release (the stage it set then).
  'try while held: 0',
  'acquired at stage 3',
  'try while a handle holds it: 0',
  'in-stack acquired at stage 7',
  'shared beside a reader; exclusive try: 0',
  'shared try while exclusive: 0',
  'shared acquired at stage 13',
  'VPB lock acquired at stage 17',
  'ForDpc at DISPATCH_LEVEL: saved 2, at 2',
  'DPC-level forms leave the IRQL at 2',
  'ForDpc at PASSIVE_LEVEL: saved 0, at 2',
  'exclusive: saved 0, at 2',
  'restored to 0',
  'three nested, two released out of order: c held 1, a free 1',
  'the last released to 0',
  'cancel lock inside a spin lock: saved 2',
  'interrupt lock at 8, saved 0',
  'reinitialised while held: try 1',
  // The refused release (the lock was reinitialised) left the IRQL at DISPATCH_LEVEL; the second acquire nested.
  'after the misuse at 2, the second acquire saved 2',
  '',
].join('\n');
