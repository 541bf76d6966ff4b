// Recognises routine-shaped definitions, NTSTATUS|VOID f(PDEVICE_OBJECT, PIRP), and finds their IRP parameter.
import type { SyntaxNode } from './parse.js';
import { ROUTINE_RETURN_TYPES } from './role-types.js';

const DEVICE_TYPES = /^(PDEVICE_OBJECT|DEVICE_OBJECT\s*\*|struct\s+_DEVICE_OBJECT\s*\*)$/;
const IRP_TYPES = /^(PIRP|IRP\s*\*|struct\s+_IRP\s*\*)$/;

type Cursor = ReturnType<SyntaxNode['walk']>;

/** Moves the cursor to the current node's first child in `field`; false, the cursor unmoved, when there is none. */
function toField(c: Cursor, field: string): boolean {
  if (!c.gotoFirstChild()) return false;
  do if (c.currentFieldName === field) return true;
  while (c.gotoNextSibling());
  c.gotoParent();
  return false;
}

/** Moves the cursor to the current node's first named child; false, the cursor unmoved, when there is none. */
function toFirstNamed(c: Cursor): boolean {
  if (!c.gotoFirstChild()) return false;
  do if (c.nodeIsNamed) return true;
  while (c.gotoNextSibling());
  c.gotoParent();
  return false;
}

/** declaredName() of the cursor's node, the cursor left where it was. */
function declaredNameAt(c: Cursor): string | null {
  let depth = 0;
  let name: string | null = null;
  for (;;) {
    const type = c.nodeType;
    if (type === 'identifier') {
      name = c.nodeText;
      break;
    }
    if (toField(c, 'declarator') || (type === 'parenthesized_declarator' && toFirstNamed(c))) depth++;
    else break;
  }
  for (; depth > 0; depth--) c.gotoParent();
  return name;
}

/** One parameter_declaration at the cursor: its type's text (with a pointer declarator's star) and its name. */
function parameter(c: Cursor): { type: string; name: string | null } {
  let type: string | null = null;
  let declarator: { stars: string; name: string | null } | null = null;
  if (c.gotoFirstChild()) {
    do {
      const field = c.currentFieldName;
      if (field === 'type' && type === null) type = c.nodeText;
      else if (field === 'declarator' && declarator === null) {
        declarator = { stars: c.nodeType === 'pointer_declarator' ? ' *' : '', name: declaredNameAt(c) };
      }
    } while (c.gotoNextSibling());
    c.gotoParent();
  }
  return { type: `${type ?? ''}${declarator?.stars ?? ''}`.replace(/\s+/g, ' ').trim(), name: declarator?.name ?? null };
}

/**
 * Parameters as [type text, name] pairs, or null when the list is unusual. Read with a tree cursor: every node
 * object (a field child, a child list) is a call into the addon and a weak reference for the garbage collector.
 */
function parameters(fn: SyntaxNode): Array<{ type: string; name: string | null }> | null {
  const c = fn.walk();
  if (!toField(c, 'declarator')) return null;
  while (c.nodeType !== 'function_declarator') if (!toField(c, 'declarator')) return null;
  if (!toField(c, 'parameters')) return null;
  const out: Array<{ type: string; name: string | null }> = [];
  if (!c.gotoFirstChild()) return out;
  do {
    const type: string = c.nodeType;
    if (!c.nodeIsNamed || type === 'comment') continue;
    if (type !== 'parameter_declaration') return null;
    out.push(parameter(c));
  } while (c.gotoNextSibling());
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
