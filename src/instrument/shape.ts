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

/** True for `NTSTATUS f(PDEVICE_OBJECT, PIRP)` and `VOID f(PDEVICE_OBJECT, PIRP)` definitions. */
export function isCandidateShape(fn: SyntaxNode): boolean {
  const ret = fn.childForFieldName('type')?.text ?? '';
  const params = parameters(fn);
  return (
    ROUTINE_RETURN_TYPES.has(ret) &&
    fn.childForFieldName('declarator')?.type === 'function_declarator' &&
    params?.length === 2 &&
    DEVICE_TYPES.test(params[0]?.type ?? '') &&
    IRP_TYPES.test(params[1]?.type ?? '')
  );
}

/** Name of the IRP parameter of a (DEVICE_OBJECT, IRP) routine, for reading Irp->CancelIrql at entry. */
export function candidateIrp(fn: SyntaxNode): string | null {
  const params = parameters(fn);
  const irp = params?.length === 2 ? params[1] : undefined;
  return irp && IRP_TYPES.test(irp.type) ? irp.name : null;
}
