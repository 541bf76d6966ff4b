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
    const field = (n: string) => s.childForFieldName(n);
    switch (s.type) {
      case 'compound_statement':
        return this.list(s.namedChildren, next, ctx);
      case 'expression_statement':
        return s.namedChildren[0] ? this.add({ k: 'eval', expr: s.namedChildren[0], next }) : next;
      case 'declaration':
        return this.add({ k: 'eval', expr: s, next });
      case 'if_statement': {
        const alt = field('alternative');
        const elseEntry = alt ? this.list(alt.type === 'else_clause' ? alt.namedChildren : [alt], next, ctx) : next;
        const thenEntry = this.stmt(field('consequence') as SyntaxNode, next, ctx);
        return this.cond(field('condition') as SyntaxNode, thenEntry, elseEntry);
      }
      case 'while_statement': {
        const head = this.add({ k: 'nop', next: -1 });
        const body = this.stmt(field('body') as SyntaxNode, head, { ...ctx, brk: next, cont: head });
        (this.nodes[head] as { next: number }).next = this.cond(field('condition') as SyntaxNode, body, next);
        return head;
      }
      case 'do_statement': {
        const head = this.add({ k: 'nop', next: -1 });
        const test = this.add({ k: 'nop', next: -1 });
        const body = this.stmt(field('body') as SyntaxNode, test, { ...ctx, brk: next, cont: test });
        (this.nodes[test] as { next: number }).next = this.cond(field('condition') as SyntaxNode, head, next);
        (this.nodes[head] as { next: number }).next = body;
        return head;
      }
      case 'for_statement': {
        const head = this.add({ k: 'nop', next: -1 });
        const updateNode = field('update');
        const update = updateNode ? this.add({ k: 'eval', expr: updateNode, next: head }) : head;
        const body = this.stmt(field('body') as SyntaxNode, update, { ...ctx, brk: next, cont: update });
        const condition = field('condition');
        (this.nodes[head] as { next: number }).next = condition ? this.cond(condition, body, next) : body;
        const init = field('initializer');
        return init ? this.add({ k: 'eval', expr: init, next: head }) : head;
      }
      case 'switch_statement':
        return this.switchStmt(s, next, ctx);
      case 'case_statement':
        // Reached only by falling into a case from the statement before it (the switch links the labels).
        return this.list(s.namedChildren.filter((n) => n.id !== field('value')?.id), next, ctx);
      case 'break_statement':
        return ctx.brk ?? this.fail('break outside a loop or switch');
      case 'continue_statement':
        return ctx.cont ?? this.fail('continue outside a loop');
      case 'return_statement': {
        const exit = ctx.ret(s);
        const value = s.namedChildren.find((n) => n.type !== 'comment');
        return value ? this.add({ k: 'eval', expr: value, next: exit }) : exit;
      }
      case 'goto_statement':
        return this.label(field('label')?.text ?? '');
      case 'labeled_statement': {
        const id = this.label(field('label')?.text ?? '');
        const inner = s.namedChildren.filter((n) => n.type !== 'statement_identifier');
        (this.nodes[id] as { next: number }).next = this.list(inner, next, ctx);
        return id;
      }
      case 'seh_try_statement':
        return this.tryStmt(s, next, ctx);
      case 'seh_leave_statement':
        return ctx.leave ?? this.fail('__leave outside __try');
      case 'attributed_statement':
        return this.list(s.namedChildren.filter((n) => n.type !== 'attribute_declaration'), next, ctx);
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_elifdef':
        return this.group(s, next, ctx);
      case 'preproc_else':
        return this.list(s.namedChildren, next, ctx);
      case 'ERROR':
        return this.fail(`parse error at line ${s.startPosition.row + 1}`);
      default:
        if (/statement$|declaration$|definition$/.test(s.type)) return next;
        return this.add({ k: 'eval', expr: s, next });
    }
  }

  /** A conditional group: the side the known macros decide, or a branch on the test (the same test decides alike). */
  private group(s: SyntaxNode, next: number, ctx: Context): number {
    const alt = s.childForFieldName('alternative');
    const fields = new Set([s.childForFieldName('name')?.id, s.childForFieldName('condition')?.id, alt?.id]);
    const body = s.namedChildren.filter((n) => !fields.has(n.id));
    const test = groupTest(s, this.macros);
    if (test.value !== null) return test.value !== 0 ? this.list(body, next, ctx) : alt ? this.stmt(alt, next, ctx) : next;
    const t = this.list(body, next, ctx);
    const f = alt ? this.stmt(alt, next, ctx) : next;
    return this.add({ k: 'pp', at: s, key: `#${test.text}`, negated: test.negated, t, f });
  }

  private switchStmt(s: SyntaxNode, next: number, ctx: Context): number {
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

  private tryStmt(s: SyntaxNode, next: number, ctx: Context): number {
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

  private fail(reason: string): number {
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
  for (const n of b.nodes) if (n.k === 'nop' && n.next < 0) b.unsupported ??= 'goto to a label the function does not define';
  return { nodes: b.nodes, entry, ...(b.unsupported ? { unsupported: b.unsupported } : {}) };
}
