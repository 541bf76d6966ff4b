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
  | { op: 'reg'; t: number; tu: number; site: number; role: number; fn: number };

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
}

interface ThreadState {
  frames: Frame[];
  pendingPtr: boolean;
}

export const tuName = (i: number): string => `tu${i}`;

export class Model {
  private owner = 0;
  private nesting = 0;
  private afterDoubleAcquire = false;
  private acq: { tu: number; site: number; byIo: boolean; irql: number | null } | null = null;
  private readonly threads = new Map<number, ThreadState>();
  private readonly roles = new Map<number, number>();
  readonly hits: number[][];
  readonly held: number[][];

  constructor(
    private readonly strictNesting = false,
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
      s = { frames: [], pendingPtr: false };
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
        this.thread(e.t).frames.push({ tu: e.tu, entry: e.entry, exit: e.other, role, heldAtEntry });
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
        frames.pop();
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
