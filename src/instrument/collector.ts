// Gathers one file's sites before they are numbered: pending hooks, unchecked uses, routines, diagnostics.
import type { Routine, Site, Unchecked } from '../model/index.js';
import type { Directive } from './conditionals.js';
import { sameBranch } from './conditionals.js';
import { InstrumentError } from './errors.js';
import type { SyntaxNode } from './parse.js';
import type { LineMap } from './positions.js';
import type { InsertOnlyRewriter } from './rewriter.js';

import { LOCK_FORMS } from '../model/lock-api.js';

/** Every name in the lock-API table (src/model/lock-api.ts). */
export const LOCK_API: ReadonlySet<string> = new Set(LOCK_FORMS.map((f) => f.name));

/** A parse of the file and the part of it this parse is trusted for. */
export interface View {
  root: SyntaxNode;
  keep: (node: SyntaxNode) => boolean;
  /** The fallback parse of the first-branch view: calls in the other branches are found in the text, and
   *  only functions that parse cleanly there are trusted (a dead first branch can parse as nonsense). */
  fallback: boolean;
}

/** A site found before indices are given, with where its hooks go. */
export interface Pending {
  site: Omit<Site, 'index'>;
  at: number;
  order: number;
  apply: (index: number) => void;
  /** Other sites whose indices this one's hooks need (routine entry: its exits). */
  group?: Pending[];
}

export class Collector {
  readonly pending: Pending[] = [];
  readonly unchecked: Unchecked[] = [];
  readonly routines: Array<Omit<Routine, 'entrySite'> & { entry: Pending }> = [];
  readonly diagnostics: string[] = [];
  readonly hooked: SyntaxNode[] = [];
  /** Hooks without a site (KeInitializeSpinLock), applied when the file is instrumented. */
  readonly siteless: Array<() => void> = [];

  constructor(
    readonly text: string,
    readonly lines: LineMap,
    readonly rewriter: InsertOnlyRewriter,
    readonly conditionals: readonly Directive[],
  ) {}

  /** Paired insertions at `a` and `b` stay in one preprocessor branch (never split by #else or #endif). */
  sameBranch(a: number, b: number): boolean {
    return sameBranch(this.conditionals, a, b);
  }

  pos(index: number): { line: number; column: number } {
    return { line: this.lines.line(index), column: this.lines.column(index) };
  }

  skip(node: SyntaxNode, name: string, reason: string): void {
    this.unchecked.push({ ...this.pos(node.startIndex), name, reason });
  }
}

export const INDEX = new WeakMap<Pending, number>();
export function indexOf(p: Pending): number {
  const i = INDEX.get(p);
  if (i === undefined) throw new InstrumentError('site used before it was numbered');
  return i;
}

