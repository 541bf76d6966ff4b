// The cheap pre-scan (no tree-sitter): could a file need instrumentation at all?
import { LOCK_FORMS } from '../model/lock-api.js';
import type { RoleConfig } from './types.js';

const LOCK_NAMES = LOCK_FORMS.map((f) => f.name).join('|');
const RELEVANT = new RegExp(`\\b(${LOCK_NAMES}|IoSetCancelRoutine|IoStartPacket|MajorFunction|DRIVER_DISPATCH|DRIVER_CANCEL|_Dispatch_type_|_Function_class_|PIRP|IRP)\\b`);

/** A call of any lock-API form. */
export const LOCK_CALL = new RegExp(`\\b(${LOCK_NAMES})\\s*\\(`);

/** True when the text names the lock API, a routine-role marker or an IRP, or the configuration names routines. */
export function mentionsRelevantName(source: string, roles?: RoleConfig): boolean {
  if (roles?.allFunctions) return true;
  if (roles && ((roles.dispatch?.length ?? 0) > 0 || (roles.cancel?.length ?? 0) > 0)) return true;
  return RELEVANT.test(source);
}
