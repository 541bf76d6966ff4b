// Shape of a dialect's flag table: one sorted row per option the wrapper must understand.
import type { PassThroughReason } from './reasons.js';

/**
 * How an option takes its value:
 * - flag: the exact token, no value;
 * - joined: the name is a prefix, the value follows in the same token (`-Wl,x`, `-print-file-name=x`);
 * - separate: the exact token, the value is the next token (`-include x`);
 * - joined-or-separate: `-Idir` or `-I dir`.
 */
export type Arity = 'flag' | 'joined' | 'separate' | 'joined-or-separate';

/** What the wrapper does with the option; options not in the table are plain flags it keeps. */
export type Effect =
  | { kind: 'none' }
  | { kind: 'pass-through'; reason: PassThroughReason }
  | { kind: 'compile-only' }
  | { kind: 'output' }
  | { kind: 'language' }
  | { kind: 'dep-enable' }
  | { kind: 'dep-file' }
  | { kind: 'dep-target' }
  | { kind: 'dep-other' }
  | { kind: 'preprocessor-passthrough' }
  | { kind: 'target' }
  | { kind: 'shared' }
  | { kind: 'partial-link' }
  | { kind: 'no-stdlib' }
  | { kind: 'link-only' }
  | { kind: 'prefix-map'; map: 'file' | 'debug' | 'macro' }
  | { kind: 'color' }
  | { kind: 'include-dir'; quote: boolean }
  /** -D/-U (/D, /U): a macro defined or undefined on the command line (the path analysis reads #if by them). */
  | { kind: 'macro'; undefine: boolean }
  | { kind: 'end-of-options' };

/** What every dialect's row has; the effect type is the dialect's own. */
export interface FlagRowBase {
  name: string;
  arity: Arity;
}

export interface FlagRow extends FlagRowBase {
  effect: Effect;
}

export interface FlagMatch<R extends FlagRowBase = FlagRow> {
  row: R;
  /** The option's value (null for flags). */
  value: string | null;
  /** Tokens consumed, the option itself included. */
  consumed: number;
}

/** Looks options up in a sorted table: exact names first, then the longest joined prefix. */
export class FlagTable<R extends FlagRowBase = FlagRow> {
  private readonly exact = new Map<string, R>();
  private readonly prefixed: R[];

  constructor(readonly rows: readonly R[]) {
    for (const row of rows) if (row.arity !== 'joined') this.exact.set(row.name, row);
    this.prefixed = rows
      .filter((r) => r.arity === 'joined' || r.arity === 'joined-or-separate')
      .sort((a, b) => b.name.length - a.name.length);
  }

  /** Matches the option at args[i]; null when the table does not know it. */
  match(args: readonly string[], i: number): FlagMatch<R> | null {
    const token = args[i]!;
    const row = this.exact.get(token);
    if (row) {
      if (row.arity === 'flag') return { row, value: null, consumed: 1 };
      const next = args[i + 1];
      return { row, value: next ?? null, consumed: next === undefined ? 1 : 2 };
    }
    for (const r of this.prefixed) {
      if (token.startsWith(r.name) && token.length > r.name.length) {
        return { row: r, value: token.slice(r.name.length), consumed: 1 };
      }
    }
    return null;
  }
}
