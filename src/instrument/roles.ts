// Finds dispatch and cancel routines: role types, annotations, dispatch-table stores, cancel-routine calls, config.
import type { Role, RoleSource } from '../model/index.js';
import type { BlankedText, RoleHint } from './annotations.js';
import { blankAnnotations } from './annotations.js';
import type { CParser, SyntaxNode } from './parse.js';
import { ROLE_TYPES } from './role-types.js';
import { argumentsOf, assignedValue, declaredName } from './syntax.js';
import type { InstrumentOptions, RoleConfig } from './types.js';

export interface RoleInfo {
  role: Role;
  source: RoleSource;
}


/** Calls that register a cancel routine, with the index of the routine argument. */
export const CANCEL_REGISTRARS: Record<string, { arg: number; source: RoleSource }> = {
  IoSetCancelRoutine: { arg: 1, source: 'set-cancel-routine' },
  IoStartPacket: { arg: 3, source: 'start-packet' },
};

const MAX_HEADERS = 64;

export class RoleTable {
  private readonly roles = new Map<string, RoleInfo>();
  /** Function-like macros whose body contains `return` (file and project headers). */
  readonly returnMacros = new Set<string>();
  /** Per dispatch routine stored into `MajorFunction[i]`: each subscript's text (`IRP_MJ_READ`, `i`...). */
  readonly majors = new Map<string, string[]>();

  /** Records a role; the first source found for a name wins. */
  add(name: string, role: Role, source: RoleSource): void {
    if (!this.roles.has(name)) this.roles.set(name, { role, source });
  }

  get(name: string): RoleInfo | undefined {
    return this.roles.get(name);
  }

  /** Every name with its role, in the order they were found. */
  entries(): Array<[string, RoleInfo]> {
    return [...this.roles];
  }

  private addMajor(name: string, subscript: string): void {
    const list = this.majors.get(name) ?? [];
    if (!list.includes(subscript)) list.push(subscript);
    this.majors.set(name, list);
  }

  /** A dispatch-table store `X->MajorFunction[subscript] = name`. */
  addStore(name: string, subscript: string | undefined): void {
    this.add(name, 'dispatch', 'major-function');
    if (subscript) this.addMajor(name, subscript);
  }
}

/** Role declarations and annotations of one parsed text (the file itself or a project header). */
function collectDeclared(
  parser: CParser,
  root: SyntaxNode,
  text: string,
  hints: RoleHint[],
  table: RoleTable,
  inHeader: boolean,
): void {
  for (const match of parser.queries.declarations.matches(root)) {
    const decl = match.captures.find((c) => c.name === 'declaration')?.node;
    const type = match.captures.find((c) => c.name === 'type')?.node;
    if (!decl || !type) continue;
    const role = ROLE_TYPES[type.text];
    if (!role) continue;
    for (const d of decl.childrenForFieldName('declarator')) {
      const name = declaredName(d);
      if (name) table.add(name.text, role, inHeader ? 'role-type-header' : 'role-type');
    }
  }
  for (const match of parser.queries.macros.matches(root)) {
    const name = match.captures.find((c) => c.name === 'name')?.node;
    const body = match.captures.find((c) => c.name === 'body')?.node;
    if (name && body && /\breturn\b/.test(body.text)) table.returnMacros.add(name.text);
  }
  for (const hint of hints) {
    const target = nextDeclared(root, hint.end, text);
    const source: RoleSource = inHeader && hint.source === 'role-type' ? 'role-type-header' : hint.source;
    if (target) table.add(target, hint.role, source);
  }
}

/**
 * Name declared by the declaration or function definition that starts after `offset` with only blanks between (the
 * outermost of those starting there). Found from the token there up, not among every declaration of the file.
 */
function nextDeclared(root: SyntaxNode, offset: number, text: string): string | null {
  let at = offset;
  while (at < text.length && /\s/.test(text[at] as string)) at++;
  if (at >= text.length) return null;
  let found: SyntaxNode | null = null;
  for (let n: SyntaxNode | null = root.descendantForIndex(at, at + 1); n && n.startIndex === at; n = n.parent) {
    if (n.type === 'declaration' || n.type === 'function_definition') found = n;
  }
  return found ? (declaredName(found.childForFieldName('declarator'))?.text ?? null) : null;
}

/** Roles found in the project headers the file includes with "..." (recursively, each header once). */
function collectHeaders(parser: CParser, root: SyntaxNode, options: InstrumentOptions, table: RoleTable): void {
  if (!options.resolveInclude) return;
  const seen = new Set<string>();
  const queue: Array<{ root: SyntaxNode; path: string | undefined }> = [{ root, path: options.sourceName }];
  while (queue.length > 0 && seen.size < MAX_HEADERS) {
    const item = queue.shift();
    if (!item) break;
    for (const capture of parser.queries.includes.captures(item.root)) {
      const spec = capture.node.text.slice(1, -1);
      const header = options.resolveInclude(spec, item.path);
      if (!header || seen.has(header.path)) continue;
      seen.add(header.path);
      const blanked = blankAnnotations(header.text);
      const headerRoot = parser.parse(blanked.text).rootNode;
      collectDeclared(parser, headerRoot, blanked.text, blanked.hints, table, true);
      queue.push({ root: headerRoot, path: header.path });
    }
  }
}

/** Functions stored into MajorFunction[] or passed as cancel routines in this file. */
function collectRegistered(parser: CParser, root: SyntaxNode, table: RoleTable): void {
  for (const match of parser.queries.majorFunction.matches(root)) {
    const value = match.captures.find((c) => c.name === 'value')?.node;
    const store = match.captures.find((c) => c.name === 'store')?.node;
    const subscript = store?.childForFieldName('left')?.childForFieldName('index')?.text;
    const target = value && assignedValue(value);
    if (target?.type === 'identifier') table.addStore(target.text, subscript);
  }
  for (const match of parser.queries.calls.matches(root)) {
    const callee = match.captures.find((c) => c.name === 'callee')?.node;
    const args = match.captures.find((c) => c.name === 'args')?.node;
    const registrar = callee && CANCEL_REGISTRARS[callee.text];
    if (!registrar || !args) continue;
    const arg = argumentsOf(args)[registrar.arg];
    if (arg?.type === 'identifier') table.add(arg.text, 'cancel', registrar.source);
  }
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Role given by the configuration for a function name, if any. */
export function configuredRole(name: string, config: RoleConfig | undefined): RoleInfo | undefined {
  if (!config) return undefined;
  if (config.cancel?.some((p) => globToRegExp(p).test(name))) return { role: 'cancel', source: 'config' };
  if (config.dispatch?.some((p) => globToRegExp(p).test(name))) return { role: 'dispatch', source: 'config' };
  if (config.allFunctions) return { role: 'dispatch', source: 'all-functions' };
  return undefined;
}

/** All roles known at compile time for this file (from each of its parses). */
export function collectRoles(
  parser: CParser,
  roots: SyntaxNode[],
  blanked: BlankedText,
  options: InstrumentOptions,
): RoleTable {
  const table = new RoleTable();
  for (const root of roots) collectDeclared(parser, root, blanked.text, blanked.hints, table, false);
  collectHeaders(parser, roots[0] as SyntaxNode, options, table);
  for (const root of roots) collectRegistered(parser, root, table);
  return table;
}
