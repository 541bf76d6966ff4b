// Reference model of the CancelSpinLock rule at run time (design.md §1 as docs/runtime.md decides it), independent of the C code.
import type { ViolationKind } from '../../src/model/kinds.js';

export const ROLE_DISPATCH = 1;
export const ROLE_CANCEL = 2;
export const ROLE_CANDIDATE = 3;

/** One hook call, as instrumented code (or the harness around it) makes it. */
export type Event =
  | { op: 'acqPre'; t: number; tu: number; site: number; ptr: boolean }
  | { op: 'acqPost'; t: number; tu: number; site: number; stored: number }
  | { op: 'rel'; t: number; tu: number; site: number; irql: number }
  | { op: 'enter'; t: number; tu: number; entry: number; other: number; role: number; fn: number; irql: number }
  | { op: 'ret'; t: number; site: number }
  | { op: 'leave'; t: number }
  | { op: 'reg'; t: number; tu: number; site: number; role: number; fn: number }
  /** Every other spin lock (lock 0..7): the lock argument's hook, the post hook, a release, KeInitializeSpinLock.
   *  `form`: how the instrumenter hooked the acquire (SPIN_FORM_*), which the rule does not see; `what`: sPost's. */
  | { op: 'sPre'; t: number; tu: number; site: number; lock: number; flags: number; form: number; what: number }
  | { op: 'sPost'; t: number; tu: number; site: number; what: number; value: number; form: number; lock: number; flags: number }
  | { op: 'sRel'; t: number; tu: number; site: number; lock: number; irql: number; irqlFirst: boolean }
  | { op: 'sInit'; t: number; tu: number; lock: number };

export const SPIN_SHARED = 1;
export const SPIN_TRY = 2;
/** sPost's `what`: 0 a void acquire storing `value` as the old IRQL, 3 one storing none, 1 returning it, 2 a try. */
export const SPIN_VALUE_IRQL = 1;
export const SPIN_VALUE_TRY = 2;
export const SPIN_NO_IRQL = 3;
/** An acquire's hooks: the lock and PKIRQL arguments' own (SACQ, SIRQ), one for both (SACQI), or a check whose post
 *  hook names the lock again (SACQP, SPOSTP: void acquires only). */
export const SPIN_FORM_TWO_HOOKS = 0;
export const SPIN_FORM_ONE_HOOK = 1;
export const SPIN_FORM_POST_KEY = 2;
const SPIN_HELD_MAX = 16;
const SPIN_LEAKED_MAX = 8;

interface Hold {
  lock: number;
  tu: number;
  site: number;
  shared: boolean;
  nested: boolean;
  nesting: number;
  irql: number;
  seq: number;
}

export interface ModelViolation {
  kind: ViolationKind;
  tu: string;
  site: number;
  acquireTu: string | null;
  acquireSite: number | null;
  byIoManager: boolean;
  thread: number;
  stack: Array<[string, number]>;
  irqlAcquired?: number;
  irqlReleased?: number;
}

export interface ModelLock {
  owner: number;
  nesting: number;
  acquireTu: string | null;
  acquireSite: number | null;
  byIoManager: number;
  irql: number;
}

interface Frame {
  tu: number;
  entry: number;
  exit: number;
  /** 0: a candidate nobody registered, not checked. */
  role: number;
  heldAtEntry: boolean;
  spinMark: number;
}

interface ThreadState {
  frames: Frame[];
  pendingPtr: boolean;
  /** Spin locks: held (in the runtime's array order), the acquire in progress, leaks already reported. */
  held: Hold[];
  seq: number;
  pendLock: number | null;
  pendFlags: number;
  overflow: number;
  leaked: number[];
}

export const tuName = (i: number): string => `tu${i}`;

export class Model {
  private owner = 0;
  private nesting = 0;
  private afterDoubleAcquire = false;
  private acq: { tu: number; site: number; byIo: boolean; irql: number | null } | null = null;
  private readonly threads = new Map<number, ThreadState>();
  private readonly roles = new Map<number, number>();
  /** Owner table: lock -> holder of an exclusive hold and its acquire site (kept, owner 0, after release). */
  private readonly owners = new Map<number, { t: number; tu: number; site: number }>();
  readonly hits: number[][];
  readonly held: number[][];

  constructor(
    private readonly strictNesting = false,
    private readonly spinOn = true,
    ntu = 2,
    nsites = 64,
  ) {
    this.hits = Array.from({ length: ntu }, () => new Array<number>(nsites).fill(0));
    this.held = Array.from({ length: ntu }, () => new Array<number>(nsites).fill(0));
  }

  lock(): ModelLock {
    const held = this.owner !== 0 && this.acq !== null;
    return {
      owner: this.owner,
      nesting: this.nesting,
      acquireTu: held ? tuName(this.acq!.tu) : null,
      acquireSite: held ? this.acq!.site : null,
      byIoManager: held && this.acq!.byIo ? 1 : 0,
      irql: held ? (this.acq!.irql ?? -1) : -1,
    };
  }

  private thread(t: number): ThreadState {
    let s = this.threads.get(t);
    if (!s) {
      s = { frames: [], pendingPtr: false, held: [], seq: 0, pendLock: null, pendFlags: 0, overflow: 0, leaked: [] };
      this.threads.set(t, s);
    }
    return s;
  }

  private checkedStack(t: number): Frame[] {
    return this.thread(t).frames.filter((f) => f.role !== 0);
  }

  private violation(kind: ViolationKind, t: number, tu: number, site: number, irqlReleased?: number): ModelViolation {
    const v: ModelViolation = {
      kind,
      tu: tuName(tu),
      site,
      acquireTu: this.owner && this.acq ? tuName(this.acq.tu) : null,
      acquireSite: this.owner && this.acq ? this.acq.site : null,
      byIoManager: this.owner !== 0 && !!this.acq?.byIo,
      thread: t,
      stack: this.checkedStack(t).map((f) => [tuName(f.tu), f.entry]),
    };
    if (irqlReleased !== undefined) {
      v.irqlAcquired = this.acq?.irql ?? -1;
      v.irqlReleased = irqlReleased;
    }
    return v;
  }

  private setFree(): void {
    this.owner = 0;
    this.nesting = 0;
    this.afterDoubleAcquire = false;
    this.acq = null;
  }

  private setHeld(t: number, tu: number, site: number, byIo: boolean, irql: number | null): void {
    this.owner = t;
    this.nesting = 1;
    this.afterDoubleAcquire = false;
    this.acq = { tu, site, byIo, irql };
  }

  private spinViolation(kind: ViolationKind, t: number, tu: number, site: number, acq: { tu: number; site: number } | null,
    irql?: { acquired: number; released: number }): ModelViolation {
    const v: ModelViolation = {
      kind,
      tu: tuName(tu),
      site,
      acquireTu: acq ? tuName(acq.tu) : null,
      acquireSite: acq ? acq.site : null,
      byIoManager: false,
      thread: t,
      stack: this.checkedStack(t).map((f) => [tuName(f.tu), f.entry]),
    };
    if (irql) {
      v.irqlAcquired = irql.acquired;
      v.irqlReleased = irql.released;
    }
    return v;
  }

  private dropHold(th: ThreadState, i: number): void {
    const h = th.held[i]!;
    if (!h.shared) {
      const o = this.owners.get(h.lock);
      if (o) o.t = 0;
    }
    const last = th.held.pop()!;
    if (i < th.held.length) th.held[i] = last;
  }

  private spinTake(t: number, tu: number, site: number, irql: number): void {
    const th = this.thread(t);
    const lock = th.pendLock;
    th.pendLock = null;
    this.hits[tu]![site]!++;
    if (lock === null || !this.spinOn) return;
    const h = th.held.find((x) => x.lock === lock);
    if (h) {
      h.nesting++;
      h.nested = true;
      return;
    }
    if (th.held.length === SPIN_HELD_MAX) {
      th.overflow++;
      return;
    }
    const shared = (th.pendFlags & SPIN_SHARED) !== 0;
    th.held.push({ lock, tu, site, shared, nested: false, nesting: 1, irql, seq: ++th.seq });
    if (!shared) this.owners.set(lock, { t, tu, site });
  }

  private spinRelease(t: number, tu: number, site: number, lock: number, irql: number): ModelViolation[] {
    const th = this.thread(t);
    this.hits[tu]![site]!++;
    if (!this.spinOn) return [];
    let i = -1;
    for (let k = th.held.length - 1; k >= 0 && i < 0; k--) if (th.held[k]!.lock === lock) i = k;
    if (i < 0) {
      const l = th.leaked.indexOf(lock);
      if (l >= 0) {
        const last = th.leaked.pop()!;
        if (l < th.leaked.length) th.leaked[l] = last;
        return [];
      }
      if (th.overflow) {
        th.overflow--;
        return [];
      }
      const o = this.owners.get(lock);
      if (o && o.t && o.t !== t) return [this.spinViolation('spin-lock-release-other-thread', t, tu, site, o)];
      return [this.spinViolation('spin-lock-release-not-held', t, tu, site, null)];
    }
    const h = th.held[i]!;
    if (h.nesting > 1) {
      h.nesting--;
      return [];
    }
    const out: ModelViolation[] = [];
    if (irql >= 0 && !h.nested && h.irql >= 0 && irql !== h.irql)
      out.push(this.spinViolation('irql-mismatch', t, tu, site, h, { acquired: h.irql, released: irql }));
    this.dropHold(th, i);
    return out;
  }

  /** At a checked frame's exit: each lock acquired since its entry and still held, reported, then released. */
  private spinExit(t: number, f: Frame): ModelViolation[] {
    const th = this.thread(t);
    const out: ModelViolation[] = [];
    if (!this.spinOn) return out;
    for (let i = th.held.length - 1; i >= 0; i--) {
      const h = th.held[i]!;
      if (h.seq <= f.spinMark) continue;
      out.push(this.spinViolation('spin-lock-exit-held', t, f.tu, f.exit, h));
      if (th.leaked.length === SPIN_LEAKED_MAX) th.leaked.pop();
      th.leaked.push(h.lock);
      this.dropHold(th, i);
    }
    return out;
  }

  /** Apply one event; returns the violations it causes (in order). */
  apply(e: Event): ModelViolation[] {
    const out: ModelViolation[] = [];
    switch (e.op) {
      case 'acqPre': {
        this.thread(e.t).pendingPtr = e.ptr;
        // Reported (and counted) before the real call, which would deadlock on a real lock.
        if (this.owner === e.t) {
          this.hits[e.tu]![e.site]!++;
          out.push(this.violation('double-acquire', e.t, e.tu, e.site));
        }
        break;
      }
      case 'acqPost': {
        const th = this.thread(e.t);
        const ptr = th.pendingPtr;
        th.pendingPtr = false;
        if (this.owner === e.t) {
          this.nesting++;
          this.afterDoubleAcquire = true;
        } else {
          this.setHeld(e.t, e.tu, e.site, false, ptr ? e.stored & 0xff : null);
          // Counted once the lock is taken: an acquire still blocked is not a hit yet.
          this.hits[e.tu]![e.site]!++;
        }
        break;
      }
      case 'rel': {
        this.hits[e.tu]![e.site]!++;
        if (this.owner === 0) out.push(this.violation('release-not-held', e.t, e.tu, e.site));
        else if (this.owner !== e.t) out.push(this.violation('release-other-thread', e.t, e.tu, e.site));
        else if (this.nesting > 1) this.nesting--;
        else {
          const released = e.irql & 0xff;
          if (!this.afterDoubleAcquire && this.acq?.irql != null && this.acq.irql !== released)
            out.push(this.violation('irql-mismatch', e.t, e.tu, e.site, released));
          this.setFree();
        }
        break;
      }
      case 'enter': {
        let role = e.role;
        if (role === ROLE_CANDIDATE) role = this.roles.get(e.fn) ?? 0;
        if (role !== ROLE_DISPATCH && role !== ROLE_CANCEL) role = 0;
        if (role !== 0) this.hits[e.tu]![e.entry]!++;
        const heldAtEntry = role !== 0 && this.owner === e.t;
        this.thread(e.t).frames.push({ tu: e.tu, entry: e.entry, exit: e.other, role, heldAtEntry, spinMark: this.thread(e.t).seq });
        if (role === ROLE_CANCEL && this.owner === 0) this.setHeld(e.t, e.tu, e.entry, true, e.irql >= 0 ? e.irql & 0xff : null);
        break;
      }
      case 'ret': {
        const f = this.thread(e.t).frames.at(-1);
        if (f) f.exit = e.site;
        break;
      }
      case 'leave': {
        const frames = this.thread(e.t).frames;
        const f = frames.at(-1);
        if (!f) break;
        const held = this.owner === e.t;
        if (f.role !== 0) this.hits[f.tu]![f.exit]!++;
        if (f.role !== 0 && held) this.held[f.tu]![f.exit]!++;
        if (f.role !== 0 && held) {
          const outermost = this.checkedStack(e.t).length === 1;
          let kind: ViolationKind | null = null;
          if (f.role === ROLE_CANCEL) kind = 'cancel-exit-held';
          else if (outermost || (this.strictNesting && !f.heldAtEntry)) kind = 'dispatch-exit-held';
          if (kind) {
            out.push(this.violation(kind, e.t, f.tu, f.exit));
            this.setFree();
          }
        }
        if (f.role !== 0) out.push(...this.spinExit(e.t, f));
        frames.pop();
        break;
      }
      case 'sPre': {
        const th = this.thread(e.t);
        th.pendLock = e.lock;
        th.pendFlags = e.flags;
        if (!this.spinOn || e.flags & SPIN_TRY) break;
        const h = th.held.find((x) => x.lock === e.lock);
        if (h) out.push(this.spinViolation('spin-lock-double-acquire', e.t, e.tu, e.site, h));
        break;
      }
      case 'sPost': {
        if (e.what === SPIN_VALUE_TRY && !e.value) {
          this.thread(e.t).pendLock = null;
          this.hits[e.tu]![e.site]!++;
        } else {
          this.spinTake(e.t, e.tu, e.site, e.what === 0 || e.what === SPIN_VALUE_IRQL ? e.value & 0xff : -1);
        }
        break;
      }
      case 'sRel':
        out.push(...this.spinRelease(e.t, e.tu, e.site, e.lock, e.irql >= 0 ? e.irql & 0xff : -1));
        break;
      case 'sInit': {
        const th = this.thread(e.t);
        const i = th.held.findIndex((x) => x.lock === e.lock);
        if (i >= 0) {
          const last = th.held.pop()!;
          if (i < th.held.length) th.held[i] = last;
        }
        const o = this.owners.get(e.lock);
        if (o) o.t = 0;
        break;
      }
      case 'reg': {
        this.hits[e.tu]![e.site]!++;
        if ((e.role === ROLE_DISPATCH || e.role === ROLE_CANCEL) && !this.roles.has(e.fn)) this.roles.set(e.fn, e.role);
        break;
      }
    }
    return out;
  }
}
