// The IRP major function codes (wdm.h), in code order, and the ones a starter harness cannot send without a minor.
const MAJORS = [
  'IRP_MJ_CREATE', 'IRP_MJ_CREATE_NAMED_PIPE', 'IRP_MJ_CLOSE', 'IRP_MJ_READ', 'IRP_MJ_WRITE', 'IRP_MJ_QUERY_INFORMATION',
  'IRP_MJ_SET_INFORMATION', 'IRP_MJ_QUERY_EA', 'IRP_MJ_SET_EA', 'IRP_MJ_FLUSH_BUFFERS', 'IRP_MJ_QUERY_VOLUME_INFORMATION',
  'IRP_MJ_SET_VOLUME_INFORMATION', 'IRP_MJ_DIRECTORY_CONTROL', 'IRP_MJ_FILE_SYSTEM_CONTROL', 'IRP_MJ_DEVICE_CONTROL',
  'IRP_MJ_INTERNAL_DEVICE_CONTROL', 'IRP_MJ_SHUTDOWN', 'IRP_MJ_LOCK_CONTROL', 'IRP_MJ_CLEANUP', 'IRP_MJ_CREATE_MAILSLOT',
  'IRP_MJ_QUERY_SECURITY', 'IRP_MJ_SET_SECURITY', 'IRP_MJ_POWER', 'IRP_MJ_SYSTEM_CONTROL', 'IRP_MJ_DEVICE_CHANGE',
  'IRP_MJ_QUERY_QUOTA', 'IRP_MJ_SET_QUOTA', 'IRP_MJ_PNP',
] as const;

/** Majors whose IRPs mean nothing without a minor function or parameters the starter cannot guess. */
export const NEEDS_MINOR: ReadonlySet<string> = new Set(['IRP_MJ_PNP', 'IRP_MJ_POWER', 'IRP_MJ_SYSTEM_CONTROL', 'IRP_MJ_SHUTDOWN']);

/** Majors sent last, in this order, after the cancels: the end of a handle's life. */
const LAST = ['IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE'];

export const knownMajor = (name: string): boolean => (MAJORS as readonly string[]).includes(name);

/** The order a starter harness sends majors in: create first, the others by code, then cleanup and close. */
export function sendOrder(a: string, b: string): number {
  const rank = (m: string): number => (LAST.includes(m) ? 100 + LAST.indexOf(m) : (MAJORS as readonly string[]).indexOf(m));
  return rank(a) - rank(b);
}

export const isLast = (major: string): boolean => LAST.includes(major);
