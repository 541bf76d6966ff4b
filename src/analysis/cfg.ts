// A control-flow graph of one function body, built from the tree-sitter tree (statements, not basic blocks).
import type { SyntaxNode } from '../instrument/parse.js';
import type { Macros } from './preproc.js';
import { groupTest } from './preproc.js';

export type CfgNode =
  | { k: 'nop'; next: number }
  | { k: 'eval'; expr: SyntaxNode; next: number }
  | { k: 'branch'; cond: SyntaxNode; t: number; f: number }
  | { k: 'switch'; value: SyntaxNode; targets: Array<{ label: SyntaxNode; to: number }> }
  /** A `#if` group the analysis cannot decide: the body (t) when the test `key` is !negated, else the rest (f). */
  | { k: 'pp'; at: SyntaxNode; key: string; negated: boolean; t: number; f: number }
  | { k: 'exit'; at: SyntaxNode; via: 'return' | 'fall-off' }
  | { k: 'stop' };

export interface Cfg {
  nodes: CfgNode[];
  entry: number;
  /** Set when the body holds something the graph cannot model; the function is then not analysed. */
  unsupported?: string;
}

interface Context {
  brk: number | null;
  cont: number | null;
  /** Where a `__leave` goes (after the innermost `__try`, through its `__finally`). */
  leave: number | null;
  /** Builds the exit of a `return` statement: through each enclosing `__finally`. */
  ret: (at: SyntaxNode) => number;
}

const SKIPPED = new Set(['comment', ';', '{', '}', 'type_definition', 'preproc_call', 'preproc_def', 'preproc_function_def']);

/** How each statement type becomes graph nodes: entry of `s` run before `next`. */
type Rule = (b: Builder, s: SyntaxNode, next: number, ctx: Context) => number;

const field = (s: SyntaxNode, name: string) => s.childForFieldName(name) as SyntaxNode;
const group: Rule = (b, s, next, ctx) => b.group(s, next, ctx);

const STATEMENTS: Record<string, Rule> = {
  compound_statement: (b, s, next, ctx) => b.list(s.namedChildren, next, ctx),
  expression_statement: (b, s, next) => (s.namedChildren[0] ? b.add({ k: 'eval', expr: s.namedChildren[0], next }) : next),
  declaration: (b, s, next) => b.add({ k: 'eval', expr: s, next }),
  if_statement: (b, s, next, ctx) => {
    const alt = s.childForFieldName('alternative');
    const elseEntry = alt ? b.list(alt.type === 'else_clause' ? alt.namedChildren : [alt], next, ctx) : next;
    return b.cond(field(s, 'condition'), b.stmt(field(s, 'consequence'), next, ctx), elseEntry);
  },
  while_statement: (b, s, next, ctx) => {
    const head = b.add({ k: 'nop', next: -1 });
    const body = b.stmt(field(s, 'body'), head, { ...ctx, brk: next, cont: head });
    b.link(head, b.cond(field(s, 'condition'), body, next));
    return head;
  },
  do_statement: (b, s, next, ctx) => {
    const head = b.add({ k: 'nop', next: -1 });
    const test = b.add({ k: 'nop', next: -1 });
    const body = b.stmt(field(s, 'body'), test, { ...ctx, brk: next, cont: test });
    b.link(test, b.cond(field(s, 'condition'), head, next));
    b.link(head, body);
    return head;
  },
  for_statement: (b, s, next, ctx) => {
    const head = b.add({ k: 'nop', next: -1 });
    const updateNode = s.childForFieldName('update');
    const update = updateNode ? b.add({ k: 'eval', expr: updateNode, next: head }) : head;
    const body = b.stmt(field(s, 'body'), update, { ...ctx, brk: next, cont: update });
    const condition = s.childForFieldName('condition');
    b.link(head, condition ? b.cond(condition, body, next) : body);
    const init = s.childForFieldName('initializer');
    return init ? b.add({ k: 'eval', expr: init, next: head }) : head;
  },
  switch_statement: (b, s, next, ctx) => b.switchStmt(s, next, ctx),
  // Reached only by falling into a case from the statement before it (the switch links the labels).
  case_statement: (b, s, next, ctx) => b.list(s.namedChildren.filter((n) => n.id !== s.childForFieldName('value')?.id), next, ctx),
  break_statement: (b, _s, _next, ctx) => ctx.brk ?? b.fail('break outside a loop or switch'),
  continue_statement: (b, _s, _next, ctx) => ctx.cont ?? b.fail('continue outside a loop'),
  return_statement: (b, s, _next, ctx) => {
    const exit = ctx.ret(s);
    const value = s.namedChildren.find((n) => n.type !== 'comment');
    return value ? b.add({ k: 'eval', expr: value, next: exit }) : exit;
  },
  goto_statement: (b, s) => b.label(s.childForFieldName('label')?.text ?? ''),
  labeled_statement: (b, s, next, ctx) => {
    const id = b.label(s.childForFieldName('label')?.text ?? '');
    b.link(id, b.list(s.namedChildren.filter((n) => n.type !== 'statement_identifier'), next, ctx));
    return id;
  },
  seh_try_statement: (b, s, next, ctx) => b.tryStmt(s, next, ctx),
  seh_leave_statement: (b, _s, _next, ctx) => ctx.leave ?? b.fail('__leave outside __try'),
  attributed_statement: (b, s, next, ctx) => b.list(s.namedChildren.filter((n) => n.type !== 'attribute_declaration'), next, ctx),
  preproc_if: group,
  preproc_ifdef: group,
  preproc_elif: group,
  preproc_elifdef: group,
  preproc_else: (b, s, next, ctx) => b.list(s.namedChildren, next, ctx),
  ERROR: (b, s) => b.fail(`parse error at line ${s.startPosition.row + 1}`),
};

class Builder {
  readonly nodes: CfgNode[] = [];
  private readonly labels = new Map<string, number>();
  unsupported: string | undefined;

  constructor(private readonly macros: Macros) {}

  add(node: CfgNode): number {
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  label(name: string): number {
    let id = this.labels.get(name);
    if (id === undefined) {
      id = this.add({ k: 'nop', next: -1 });
      this.labels.set(name, id);
    }
    return id;
  }

  /** Entry of a statement list run before `next`. */
  list(items: SyntaxNode[], next: number, ctx: Context): number {
    let at = next;
    for (let i = items.length - 1; i >= 0; i--) at = this.stmt(items[i] as SyntaxNode, at, ctx);
    return at;
  }

  /** Entry of a condition, decomposed over `&&`, `||`, `!` and parentheses. */
  cond(c: SyntaxNode, t: number, f: number): number {
    if (c.type === 'parenthesized_expression' && c.namedChildren.length === 1) return this.cond(c.namedChildren[0] as SyntaxNode, t, f);
    if (c.type === 'unary_expression' && c.child(0)?.type === '!') {
      const arg = c.childForFieldName('argument');
      if (arg) return this.cond(arg, f, t);
    }
    if (c.type === 'binary_expression') {
      const op = c.childForFieldName('operator')?.type;
      const left = c.childForFieldName('left');
      const right = c.childForFieldName('right');
      if (left && right && op === '&&') return this.cond(left, this.cond(right, t, f), f);
      if (left && right && op === '||') return this.cond(left, t, this.cond(right, t, f));
    }
    if (c.type === 'comma_expression') {
      const left = c.childForFieldName('left');
      const right = c.childForFieldName('right');
      if (left && right) return this.add({ k: 'eval', expr: left, next: this.cond(right, t, f) });
    }
    return this.add({ k: 'branch', cond: c, t, f });
  }

  stmt(s: SyntaxNode, next: number, ctx: Context): number {
    if (SKIPPED.has(s.type)) return next;
    const rule = STATEMENTS[s.type];
    if (rule) return rule(this, s, next, ctx);
    // Other statements and declarations without an initialiser do nothing the analysis follows.
    if (/statement$|declaration$|definition$/.test(s.type)) return next;
    return this.add({ k: 'eval', expr: s, next });
  }

  /** Points a placeholder (a loop head, a label) at its successor. */
  link(id: number, next: number): void {
    (this.nodes[id] as { next: number }).next = next;
  }

  /** A conditional group: the side the known macros decide, or a branch on the test (the same test decides alike). */
  group(s: SyntaxNode, next: number, ctx: Context): number {
    const alt = s.childForFieldName('alternative');
    const fields = new Set([s.childForFieldName('name')?.id, s.childForFieldName('condition')?.id, alt?.id]);
    const body = s.namedChildren.filter((n) => !fields.has(n.id));
    const test = groupTest(s, this.macros);
    if (test.value !== null) return test.value !== 0 ? this.list(body, next, ctx) : alt ? this.stmt(alt, next, ctx) : next;
    const t = this.list(body, next, ctx);
    const f = alt ? this.stmt(alt, next, ctx) : next;
    return this.add({ k: 'pp', at: s, key: `#${test.text}`, negated: test.negated, t, f });
  }

  switchStmt(s: SyntaxNode, next: number, ctx: Context): number {
    const body = s.childForFieldName('body');
    const inner: Context = { ...ctx, brk: next };
    const items = body?.namedChildren ?? [];
    const targets: Array<{ label: SyntaxNode; to: number }> = [];
    let at = next;
    let hasDefault = false;
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i] as SyntaxNode;
      at = this.stmt(item, at, inner);
      if (item.type === 'case_statement') {
        targets.unshift({ label: item, to: at });
        if (!item.childForFieldName('value')) hasDefault = true;
      }
    }
    if (!hasDefault) targets.push({ label: s, to: next });
    return this.add({ k: 'switch', value: s.childForFieldName('condition') as SyntaxNode, targets });
  }

  tryStmt(s: SyntaxNode, next: number, ctx: Context): number {
    const body = s.childForFieldName('body') as SyntaxNode;
    const fin = s.namedChildren.find((n) => n.type === 'seh_finally_clause')?.childForFieldName('body');
    if (!fin) {
      // __except: the handler runs only when an exception is raised; the analysis follows the normal path.
      return this.stmt(body, next, { ...ctx, leave: next });
    }
    const through = (after: number) => this.stmt(fin, after, ctx);
    const inner: Context = {
      brk: ctx.brk === null ? null : through(ctx.brk),
      cont: ctx.cont === null ? null : through(ctx.cont),
      leave: through(next),
      ret: (at) => through(ctx.ret(at)),
    };
    return this.stmt(body, inner.leave as number, inner);
  }

  fail(reason: string): number {
    this.unsupported ??= reason;
    return this.add({ k: 'stop' });
  }
}

/** The graph of a function definition's body. */
export function buildCfg(fn: SyntaxNode, macros: Macros): Cfg {
  const b = new Builder(macros);
  const body = fn.childForFieldName('body') as SyntaxNode;
  const close = body.lastChild?.type === '}' ? body.lastChild : body;
  const fallOff = b.add({ k: 'exit', at: close, via: 'fall-off' });
  const ctx: Context = { brk: null, cont: null, leave: null, ret: (at) => b.add({ k: 'exit', at, via: 'return' }) };
  const entry = b.stmt(body, fallOff, ctx);
  if (b.nodes.some((n) => n.k === 'nop' && n.next < 0)) b.unsupported ??= 'goto to a label the function does not define';
  return { nodes: b.nodes, entry, ...(b.unsupported ? { unsupported: b.unsupported } : {}) };
}
