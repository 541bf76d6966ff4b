// Walks every path of one function's graph, carrying lock state, branch facts and in-stack handles per path.
import type { SyntaxNode } from '../instrument/parse.js';
import type { LockEffect, PathCall, PathStep, Role, StaticFinding, StaticFindingKind } from '../model/index.js';
import { lockText } from '../model/index.js';
import type { LockForm } from '../model/lock-api.js';
import { LOCK_FORM_BY_NAME } from '../model/lock-api.js';
import type { Cfg } from './cfg.js';
import type { Effect, EffectContext } from './effects.js';
import { effects, hasCall } from './effects.js';
import { canonical, mentions, placeKey, rootName, substituteRoot } from './keys.js';

/** H: acquired here; E: held at entry (a cancel routine's cancel lock); F: released after its acquire here;
 *  R: released a lock the function did not take (the caller's, or the I/O manager's);
 *  U: unknown (handed to a function of another file that may have released it): no finding is made on it. */
type Hold = 'H' | 'E' | 'F' | 'R' | 'U';
const isHeld = (h: Hold | undefined) => h === 'H' || h === 'E';

/** One step of a path, linked to the step before it. */
interface Trail {
  step: PathStep;
  /** The lock an acquire, release or entry step changed. */
  lock?: string;
  /** A call to a function not defined in the file (kept for cross-file summaries, not printed). */
  external?: PathCall;
  prev: Trail | null;
}

interface State {
  locks: ReadonlyMap<string, Hold>;
  facts: ReadonlyMap<string, boolean>;
  handles: ReadonlyMap<string, string>;
  trail: Trail | null;
}

/** What the explorer needs of a callee defined in the same file. */
export interface CalleeSummary {
  analysed: boolean;
  touches: boolean;
  params: string[];
  locals: ReadonlySet<string>;
  exits: Array<Record<string, LockEffect>>;
}

export interface FunctionInput {
  name: string;
  role: Role | undefined;
  /** Check exits: a dispatch or cancel routine (or a candidate no function of the file calls, or a callback). */
  checkExits: boolean;
  /** Report an exit holding a lock only when another exit leaves it free (a candidate or callback that holds the
   *  lock on every exit is a "returns holding" function by design: an IO_CSQ lock callback, a lock helper). */
  onlyInconsistentExits: boolean;

  cfg: Cfg;
  ctx: EffectContext;
  pos: (index: number) => { line: number; column: number };
  callee: (name: string) => CalleeSummary | undefined;
  /** Where the function starts (the cancel routine's implicit acquire is shown there). */
  start: number;
}

export interface FunctionResult {
  findings: StaticFinding[];
  exits: Array<Record<string, LockEffect>>;
  gaveUp?: string;
}

/** Path states processed per function before it is reported as not analysed. */
const BUDGET = 20000;
const CANCEL = 'cancel';

class GiveUp extends Error {}

function stripParens(n: SyntaxNode): SyntaxNode {
  let v = n;
  while (v.type === 'parenthesized_expression' && v.namedChildren.length === 1) v = v.namedChildren[0] as SyntaxNode;
  return v;
}

/** Conditions that are constants (`while (0)`, `do { } while (FALSE)` in macros, `for (;;)` spelt `while (1)`). */
const CONSTANT_CONDITIONS: Record<string, boolean> = { 0: false, FALSE: false, false: false, NULL: false, 1: true, TRUE: true, true: true };

const FALSY = /^(FALSE|false|0|NULL)$/;
const TRUTHY = /^(TRUE|true|1)$/;

/** A condition as [key, polarity]: `x == FALSE` is [x, false]; `x != NULL` and `x == TRUE` are [x, true]. */
function condition(c: SyntaxNode): { node: SyntaxNode; positive: boolean } {
  const n = stripParens(c);
  if (n.type === 'binary_expression') {
    const op = n.childForFieldName('operator')?.type;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (left && right && (op === '==' || op === '!=')) {
      const [value, other] = FALSY.test(right.text) || TRUTHY.test(right.text) ? [right, left] : [left, right];
      const truthy = TRUTHY.test(value.text);
      if (FALSY.test(value.text) || truthy) return { node: stripParens(other), positive: (op === '==') === truthy };
    }
  }
  return { node: n, positive: true };
}

function tryForm(n: SyntaxNode): LockForm | undefined {
  if (n.type !== 'call_expression') return undefined;
  const f = n.childForFieldName('function');
  const form = f?.type === 'identifier' ? LOCK_FORM_BY_NAME.get(f.text) : undefined;
  return form?.op === 'try-acquire' ? form : undefined;
}

export function explore(input: FunctionInput): FunctionResult {
  const { cfg, ctx, pos } = input;
  const findings = new Map<string, StaticFinding>();
  const exits = new Map<string, Record<string, LockEffect>>();
  const seen: Array<Set<string>> = cfg.nodes.map(() => new Set());
  const effectCache = new Map<number, Effect[]>();
  const callCache = new Map<number, boolean>();
  const callsIn = (id: number, c: SyntaxNode): boolean => {
    let v = callCache.get(id);
    if (v === undefined) callCache.set(id, (v = hasCall(c)));
    return v;
  };
  const relevant = relevantKeys(input);
  const at = (n: SyntaxNode) => pos(n.startIndex);
  const push = (s: State, step: PathStep, extra: Partial<Trail> = {}): State => ({ ...s, trail: { step, prev: s.trail, ...extra } });

  const entryLocks = new Map<string, Hold>();
  let entry: State = { locks: entryLocks, facts: new Map(), handles: new Map(), trail: null };
  if (input.role === 'cancel') {
    entryLocks.set(CANCEL, 'E');
    entry = push(entry, { ...pos(input.start), what: 'entry', text: `${input.name} is entered holding the cancel spin lock (the I/O manager acquired it)` }, { lock: CANCEL });
  }
  /** The lock state at each exit reached. */
  const exitLocks: Array<ReadonlyMap<string, Hold>> = [];
  /** Saved IRQLs of the acquires seen: where the value lives -> the locks it belongs to. */
  const savedIrql = new Map<string, Set<string>>();
  const checkExits = input.role === 'dispatch' || input.role === 'cancel' || input.checkExits;
  /** Routines with a known entry state: every lock not held at entry is free (a candidate may be a cancel routine). */
  const knownEntry = input.role === 'dispatch' || input.role === 'cancel';

  function report(kind: StaticFindingKind, key: string, node: SyntaxNode, s: State, last: PathStep, via?: 'return' | 'fall-off'): void {
    const where = at(node);
    const id = `${kind}|${where.line}|${where.column}|${key}`;
    if (findings.has(id)) return;
    const steps: PathStep[] = [last];
    const calls: PathCall[] = [];
    for (let t = s.trail; t; t = t.prev) {
      if (t.external) {
        calls.push(t.external);
        continue;
      }
      const own = t.lock === key;
      if (t.step.what === 'branch' || t.step.what === 'case' || own) steps.push(t.step);
      const anchor = own && (kind === 'release-not-held' ? t.step.what === 'release' || t.step.what === 'call' : t.step.what !== 'release');
      if (anchor) break;
    }
    steps.reverse();
    findings.set(id, {
      kind,
      lock: key,
      rule: lockRules.get(key) ?? 'SpinLock',
      function: input.name,
      ...(input.role ? { role: input.role } : {}),
      ...where,
      ...(via ? { via } : {}),
      path: steps,
      ...(calls.length > 0 ? { calls: calls.reverse() } : {}),
    });
  }

  const lockRules = new Map<string, StaticFinding['rule']>([[CANCEL, 'CancelSpinLock']]);

  function held(s: State, key: string): boolean | undefined {
    const h = s.locks.get(key);
    if (h === 'U') return undefined;
    if (h) return isHeld(h);
    return knownEntry ? false : undefined;
  }

  function release(s: State, key: string): State {
    const h = s.locks.get(key);
    return setLock(s, key, h === 'H' || h === 'F' || h === 'U' ? 'F' : 'R');
  }

  function setLock(s: State, key: string, h: Hold): State {
    const locks = new Map(s.locks);
    locks.set(key, h);
    return { ...s, locks };
  }

  function write(s: State, target: string, value: boolean | null): State {
    for (const [key, h] of s.locks) {
      if (isHeld(h) && key !== CANCEL && key !== target && mentions(key, target)) throw new GiveUp(`${target} is assigned while ${lockText(key)} is held`);
    }
    let facts: Map<string, boolean> | null = null;
    for (const key of s.facts.keys()) {
      if (mentions(key, target)) {
        facts ??= new Map(s.facts);
        facts.delete(key);
      }
    }
    if (value !== null && relevant.has(target)) {
      facts ??= new Map(s.facts);
      facts.set(target, value);
    }
    return facts ? { ...s, facts } : s;
  }

  function lock(s: State, e: Extract<Effect, { t: 'lock' }>): State {
    const { form, node } = e;
    let key = e.key;
    if (form.family === 'in-stack' && form.op === 'release') {
      const h = s.handles.get(e.handle ?? '');
      if (!h) throw new GiveUp(`${form.name}(${e.handle}) releases a handle this function did not fill`);
      key = h;
    }
    lockRules.set(key, form.rule);
    const where = at(node);
    if (form.op === 'release') {
      const step: PathStep = { ...where, what: 'release', text: `${form.name} releases ${lockText(key)}` };
      if (held(s, key) === false) report('release-not-held', key, node, s, { ...step, text: `${form.name} releases ${lockText(key)}, which is not held here` });
      return push(release(s, key), step, { lock: key });
    }
    if (form.op === 'try-acquire') throw new GiveUp(`${form.name}: its result is not tested directly`);
    if (e.irql) savedIrql.set(e.irql, new Set([...(savedIrql.get(e.irql) ?? []), key]));
    const step: PathStep = { ...where, what: 'acquire', text: `${form.name} acquires ${lockText(key)}` };
    if (held(s, key) === true && !form.shared) report('double-acquire', key, node, s, { ...step, text: `${form.name} acquires ${lockText(key)}, which is already held` });
    let next = setLock(s, key, 'H');
    if (form.family === 'in-stack' && e.handle) {
      const handles = new Map(next.handles);
      handles.set(e.handle, key);
      next = { ...next, handles };
    }
    return push(next, step, { lock: key });
  }

  /** A function of another file handed the saved IRQL of a held lock may be a completion helper that releases it
   *  (as DPCs hand it to one): the lock's state is unknown after it, and no finding is made on it. */
  function handedIrql(s: State, e: Extract<Effect, { t: 'call' }>): State {
    let next = s;
    for (const arg of e.args) {
      for (const key of savedIrql.get(placeKey(arg)) ?? []) {
        if (!held(next, key)) continue;
        next = push(setLock(next, key, 'U'), { ...at(e.node), what: 'call', text: `${e.name} is handed the saved IRQL: it may release ${lockText(key)}` }, { lock: key });
      }
    }
    return next;
  }

  function callSummary(s: State, e: Extract<Effect, { t: 'call' }>): State[] {
    const callee = input.callee(e.name);
    if (!callee) return [handedIrql(push(s, { ...at(e.node), what: 'call', text: e.name }, { external: { name: e.name, args: e.args } }), e)];
    if (!callee.analysed) {
      if (callee.touches) throw new GiveUp(`calls ${e.name}, which uses a lock and was not analysed`);
      return [s];
    }
    const out: State[] = [];
    for (const exit of callee.exits) {
      let next = s;
      for (const [calleeKey, h] of Object.entries(exit)) {
        const key = mapKey(calleeKey, callee, e.args, e.name);
        next = h === 'held' ? setLock(next, key, 'H') : h === 'unknown' ? setLock(next, key, 'U') : release(next, key);
        const text = h === 'held' ? `${e.name} returns holding ${lockText(key)}` : h === 'unknown' ? `${e.name} may release ${lockText(key)}` : `${e.name} releases ${lockText(key)}`;
        next = push(next, { ...at(e.node), what: 'call', text }, { lock: key });
      }
      out.push(next);
    }
    return out;
  }

  function apply(states: State[], e: Effect): State[] {
    switch (e.t) {
      case 'lock':
        return states.map((s) => lock(s, e));
      case 'try-assign':
        return states.flatMap((s) => {
          lockRules.set(e.key, e.form.rule);
          const where = at(e.node);
          const took = push(setLock(write(s, e.target, true), e.key, 'H'), { ...where, what: 'acquire', text: `${e.form.name} acquires ${lockText(e.key)} (returns TRUE)` }, { lock: e.key });
          const facts = new Map(took.facts);
          facts.set(e.target, true);
          const failed = write(s, e.target, false);
          const ff = new Map(failed.facts);
          ff.set(e.target, false);
          return [{ ...took, facts }, { ...failed, facts: ff }];
        });
      case 'call':
        return states.flatMap((s) => callSummary(s, e));
      case 'cancel-routine':
        return states.map((s) => (held(s, CANCEL) ? push(release(s, CANCEL), { ...at(e.node), what: 'call', text: `${e.node.childForFieldName('function')?.text ?? 'the cancel routine'} (a cancel routine) releases the cancel spin lock` }, { lock: CANCEL }) : s));
      case 'indirect':
        for (const s of states) {
          for (const [key, h] of s.locks) if (isHeld(h)) throw new GiveUp(`a call through a function pointer while ${lockText(key)} is held (line ${at(e.node).line})`);
        }
        return states;
      case 'noreturn':
        return [];
      case 'give-up':
        throw new GiveUp(`${e.reason} (line ${at(e.node).line})`);
      case 'write':
        return states.map((s) => write(s, e.target, e.value));
    }
  }

  function evaluate(id: number, node: SyntaxNode, s: State): State[] {
    let list = effectCache.get(id);
    if (!list) {
      list = effects(node, ctx);
      effectCache.set(id, list);
    }
    let states = [s];
    for (const e of list) states = apply(states, e);
    return states;
  }

  function branch(id: number, c: SyntaxNode, s: State, t: number, f: number): Array<[number, State]> {
    const { node, positive } = condition(c);
    const [yes, no] = positive ? [t, f] : [f, t];
    const where = at(c);
    const stepFor = (side: boolean): PathStep => ({ ...where, what: 'branch', text: `\`${c.text.replace(/\s+/g, ' ')}\` is ${side === positive ? 'true' : 'false'}` });
    const form = tryForm(node);
    if (form) {
      const e = effects(node, ctx)[0];
      if (e?.t !== 'lock') return e ? (apply([s], e), []) : [];
      lockRules.set(e.key, form.rule);
      const took = push(setLock(s, e.key, 'H'), { ...at(node), what: 'acquire', text: `${form.name} acquires ${lockText(e.key)} (returns TRUE)` }, { lock: e.key });
      return [[yes, push(took, stepFor(true))], [no, push(s, stepFor(false))]];
    }
    const calls = callsIn(id, c);
    const after = calls ? evaluate(id, c, s) : [s];
    const key = calls ? null : canonical(node.text);
    const out: Array<[number, State]> = [];
    for (const st of after) {
      const known = key === null ? undefined : (CONSTANT_CONDITIONS[key] ?? st.facts.get(key));
      for (const side of [true, false]) {
        if (known !== undefined && known !== side) continue;
        let next = push(st, stepFor(side));
        if (key !== null && known === undefined && relevant.has(key)) {
          const facts = new Map(next.facts);
          facts.set(key, side);
          next = { ...next, facts };
        }
        out.push([side ? yes : no, next]);
      }
    }
    return out;
  }

  function step(id: number, s: State): Array<[number, State]> {
    const n = cfg.nodes[id];
    if (!n) return [];
    switch (n.k) {
      case 'nop':
        return [[n.next, s]];
      case 'eval':
        return evaluate(id, n.expr, s).map((x) => [n.next, x]);
      case 'branch':
        return branch(id, n.cond, s, n.t, n.f);
      case 'switch':
        return evaluate(id, n.value, s).flatMap((x) =>
          n.targets.map(({ label, to }): [number, State] => {
            const value = label.type === 'case_statement' ? label.childForFieldName('value') : null;
            const text = label.type !== 'case_statement' ? 'no case matches' : value ? `case ${value.text}` : 'default';
            return [to, push(x, { ...at(label), what: 'case', text })];
          }),
        );
      case 'exit': {
        const effect: Record<string, LockEffect> = {};
        for (const [key, h] of [...s.locks].sort(([a], [b]) => a.localeCompare(b))) {
          // The net effect a caller sees: locks taken and kept, and locks released that the function did not take.
          if (h === 'H') effect[key] = 'held';
          if (h === 'R') effect[key] = 'free';
          if (h === 'U') effect[key] = 'unknown';
          if (checkExits && isHeld(h)) {
            const what = n.via === 'return' ? 'returns' : 'falls off its end';
            report('exit-held', key, n.at, s, { ...at(n.at), what: 'exit', text: `${input.name} ${what} holding ${lockText(key)}` }, n.via);
          }
        }
        exitLocks.push(s.locks);
        exits.set(JSON.stringify(effect), effect);
        return [];
      }
      case 'pp': {
        const known = s.facts.get(n.key);
        const out: Array<[number, State]> = [];
        for (const defined of [true, false]) {
          if (known !== undefined && known !== defined) continue;
          const facts = new Map(s.facts);
          facts.set(n.key, defined);
          const directive = n.at.text.split('\n')[0]?.trim() ?? n.key;
          const text = `\`${directive}\` assumed ${defined !== n.negated ? 'taken' : 'not taken'} (a macro the analysis does not know)`;
          out.push([defined !== n.negated ? n.t : n.f, known === undefined ? push({ ...s, facts }, { ...at(n.at), what: 'branch', text }) : s]);
        }
        return out;
      }
      case 'stop':
        return [];
    }
  }

  const stateKey = (s: State) => JSON.stringify([[...s.locks].sort(), [...s.facts].sort(), [...s.handles].sort()]);
  const queue: Array<[number, State]> = [[cfg.entry, entry]];
  let processed = 0;
  try {
    if (cfg.unsupported) throw new GiveUp(cfg.unsupported);
    while (queue.length > 0) {
      const item = queue.shift() as [number, State];
      const [id, s] = item;
      const k = stateKey(s);
      const visited = seen[id] as Set<string>;
      if (visited.has(k)) continue;
      visited.add(k);
      if (++processed > BUDGET) throw new GiveUp('too many distinct path states');
      for (const next of step(id, s)) queue.push(next);
    }
  } catch (e) {
    if (e instanceof GiveUp) return { findings: [], exits: [], gaveUp: e.message };
    throw e;
  }
  const freeAtExit = (key: string) => exitLocks.some((locks) => !isHeld(locks.get(key)));
  const kept = [...findings.values()].filter((f) => f.kind !== 'exit-held' || !input.onlyInconsistentExits || freeAtExit(f.lock));
  return { findings: kept, exits: [...exits.values()] };

  function mapKey(calleeKey: string, callee: CalleeSummary, args: string[], name: string): string {
    const root = rootName(calleeKey);
    if (calleeKey === CANCEL || calleeKey === 'vpb' || !root) return calleeKey;
    const index = callee.params.indexOf(root);
    if (index >= 0) {
      const arg = args[index];
      if (arg === undefined) throw new GiveUp(`${name} is called with fewer arguments than it has`);
      return substituteRoot(calleeKey, root, arg);
    }
    if (callee.locals.has(root)) throw new GiveUp(`${name} changes a lock named by its local ${root}`);
    return calleeKey;
  }
}

/** `target =` (not `==`) in an expression's text: the place a flag may be set. */
const ASSIGNED = /([A-Za-z_][\w.]*(?:\s*->\s*[A-Za-z_]\w*)*)\s*=(?!=)/g;

/** Condition keys worth remembering: tested more than once, or assigned a constant (a flag). */
function relevantKeys(input: FunctionInput): Set<string> {
  const counts = new Map<string, number>();
  const assigned = new Set<string>();
  for (const n of input.cfg.nodes) {
    if (n.k === 'branch' && !hasCall(n.cond)) {
      const key = canonical(condition(n.cond).node.text);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // Assignment targets by text (visiting the nodes costs more than the rest of the analysis of a function).
    if (n.k === 'eval') for (const m of n.expr.text.matchAll(ASSIGNED)) assigned.add(canonical(m[1] as string));
  }
  return new Set([...counts].filter(([k, c]) => c >= 2 || assigned.has(k)).map(([k]) => k));
}
