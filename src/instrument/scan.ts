// The cheap pre-scan (no tree-sitter): could a file need instrumentation at all?
import type { RoleConfig } from './types.js';

const RELEVANT = /\b(IoAcquireCancelSpinLock|IoReleaseCancelSpinLock|IoSetCancelRoutine|IoStartPacket|MajorFunction|DRIVER_DISPATCH|DRIVER_CANCEL|_Dispatch_type_|_Function_class_|PIRP|IRP)\b/;

/** True when the text names the lock API, a routine-role marker or an IRP, or the configuration names routines. */
export function mentionsRelevantName(source: string, roles?: RoleConfig): boolean {
  if (roles?.allFunctions) return true;
  if (roles && ((roles.dispatch?.length ?? 0) > 0 || (roles.cancel?.length ?? 0) > 0)) return true;
  return RELEVANT.test(source);
}
