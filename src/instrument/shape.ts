// Recognises routine-shaped definitions, NTSTATUS|VOID f(PDEVICE_OBJECT, PIRP), and finds their IRP parameter.
import type { SyntaxNode } from './parse.js';
import { ROUTINE_RETURN_TYPES } from './role-types.js';
import { declaredName } from './syntax.js';

const DEVICE_TYPES = /^(PDEVICE_OBJECT|DEVICE_OBJECT\s*\*|struct\s+_DEVICE_OBJECT\s*\*)$/;
const IRP_TYPES = /^(PIRP|IRP\s*\*|struct\s+_IRP\s*\*)$/;

/** Parameters as [type text, name] pairs, or null when the list is unusual. */
function parameters(fn: SyntaxNode): Array<{ type: string; name: string | null }> | null {
  let d = fn.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  const list = d?.childForFieldName('parameters');
  if (!list) return null;
  const out: Array<{ type: string; name: string | null }> = [];
  for (const p of list.namedChildren) {
    if (p.type === 'comment') continue;
    if (p.type !== 'parameter_declaration') return null;
    const type = p.childForFieldName('type')?.text ?? '';
    const declarator = p.childForFieldName('declarator');
    const name = declaredName(declarator)?.text ?? null;
    const stars = declarator && declarator.type === 'pointer_declarator' ? ' *' : '';
    out.push({ type: `${type}${stars}`.replace(/\s+/g, ' ').trim(), name });
  }
  return out;
}

/** What a definition's header says of it as a routine (its parameters are read once: each read is a call into the addon). */
export interface RoutineShape {
  /** `NTSTATUS f(PDEVICE_OBJECT, PIRP)` or `VOID f(PDEVICE_OBJECT, PIRP)`. */
  candidate: boolean;
  /** Name of the IRP parameter of a two-parameter routine, for reading Irp->CancelIrql at entry. */
  irp: string | null;
}

export function routineShape(fn: SyntaxNode): RoutineShape {
  const params = parameters(fn);
  const irp = params?.length === 2 ? params[1] : undefined;
  const irpTyped = irp !== undefined && IRP_TYPES.test(irp.type);
  const candidate =
    irpTyped &&
    DEVICE_TYPES.test(params?.[0]?.type ?? '') &&
    ROUTINE_RETURN_TYPES.has(fn.childForFieldName('type')?.text ?? '') &&
    fn.childForFieldName('declarator')?.type === 'function_declarator';
  return { candidate, irp: irpTyped ? irp.name : null };
}
