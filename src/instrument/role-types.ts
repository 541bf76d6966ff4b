// The type names that give a function its role or its routine shape (read by the role finder, the shape test and
// the decoration-macro blanking, which must never take them for macros).
import type { Role } from '../model/index.js';

export const ROLE_TYPES: Record<string, Role> = {
  DRIVER_DISPATCH: 'dispatch',
  DRIVER_DISPATCH_RAISED: 'dispatch',
  DRIVER_DISPATCH_PAGED: 'dispatch',
  DRIVER_CANCEL: 'cancel',
};

/** Return types of routine-shaped definitions: `NTSTATUS|VOID f(PDEVICE_OBJECT, PIRP)`. */
export const ROUTINE_RETURN_TYPES: ReadonlySet<string> = new Set(['NTSTATUS', 'VOID', 'void']);
