// Finds a driver's device-extension type (from `(PX)Device->DeviceExtension` in its sources) and, in its headers,
// the fields a harness must set up as AddDevice would: list heads and spin locks. Pure.
import { blankAnnotations } from '../instrument/annotations.js';
import { cParser } from '../instrument/parse.js';
import type { SyntaxNode } from '../instrument/parse.js';

export interface Extension {
  /** The extension's value type (`QUEUE_EXTENSION`). */
  type: string;
  /** The header that defines it (project-relative). */
  header: string;
  /** Fields to set up, with the call that does it, in declaration order. */
  init: Array<{ field: string; call: string }>;
}

interface TextFile {
  path: string;
  text: string;
}

/** Field types a zeroed extension gets wrong, and the call that sets each up. */
const FIELD_SETUP: Record<string, string> = {
  LIST_ENTRY: 'InitializeListHead',
  KSPIN_LOCK: 'KeInitializeSpinLock',
};

const CAST = /\(\s*([A-Za-z_]\w*)\s*\)\s*[\w>.-]*?DeviceExtension\b/g;
const DECLARED = /\b([A-Za-z_]\w*)\s+\w+\s*=\s*[\w>.-]*?DeviceExtension\b/g;

/** Type names the sources cast DeviceExtension to (or declare a variable of, initialised from it), most used first. */
function extensionTypeNames(sources: TextFile[]): string[] {
  const counts = new Map<string, number>();
  for (const s of sources) {
    for (const re of [CAST, DECLARED]) for (const m of s.text.matchAll(re)) counts.set(m[1] as string, (counts.get(m[1] as string) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([name]) => name);
}

/** The type name a typedef declarator declares (through pointer declarators). */
function typedefName(declarator: SyntaxNode): string | null {
  let node: SyntaxNode | null = declarator;
  while (node && node.type !== 'type_identifier') node = node.childForFieldName('declarator');
  return node?.text ?? null;
}

/** The typedef struct in `root` that declares `name` (as the type or a pointer to it): its value type and fields. */
function typedefOf(root: SyntaxNode, name: string): { type: string; body: SyntaxNode } | null {
  for (const def of root.descendantsOfType('type_definition')) {
    const declarators = def.childrenForFieldName('declarator');
    if (!declarators.some((d) => typedefName(d) === name)) continue;
    const value = declarators.find((d) => d.type === 'type_identifier');
    const body = def.childForFieldName('type')?.childForFieldName('body');
    if (value && body) return { type: value.text, body };
  }
  return null;
}

/** Fields of a struct body whose type needs a setup call (plain fields, not arrays or pointers). */
function fieldsToSetUp(body: SyntaxNode): Extension['init'] {
  const init: Extension['init'] = [];
  for (const field of body.namedChildren.filter((n) => n.type === 'field_declaration')) {
    const call = FIELD_SETUP[field.childForFieldName('type')?.text ?? ''];
    if (!call) continue;
    for (const d of field.childrenForFieldName('declarator')) if (d.type === 'field_identifier') init.push({ field: d.text, call });
  }
  return init;
}

/** The device extension the sources use, defined in one of the headers; null when none is found. */
export function findExtension(sources: TextFile[], headers: TextFile[]): Extension | null {
  const names = extensionTypeNames(sources);
  if (names.length === 0) return null;
  const parser = cParser();
  for (const h of headers) {
    if (!names.some((n) => h.text.includes(n))) continue;
    const root = parser.parse(blankAnnotations(h.text).text).rootNode;
    for (const name of names) {
      const found = typedefOf(root, name);
      if (found) return { type: found.type, header: h.path, init: fieldsToSetUp(found.body) };
    }
  }
  return null;
}
