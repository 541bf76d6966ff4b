// The one insert-only rewriter: every change to a source is an insertion; the user's text is never retyped.
import MagicString from 'magic-string';
import { InstrumentError } from './errors.js';


/** An insertion, recorded so tests can prove that removing the insertions gives back the input. */
export interface Insertion {
  index: number;
  text: string;
}

export class InsertOnlyRewriter {
  private readonly ms: MagicString;
  readonly insertions: Insertion[] = [];

  constructor(private readonly source: string) {
    this.ms = new MagicString(source);
  }

  /** Inserts text attached to the token that ends at `index` (it stays right after that token). */
  after(index: number, text: string): void {
    this.check(index, text);
    this.ms.appendLeft(index, text);
  }

  /** Inserts text attached to the token that starts at `index` (it stays right before that token). */
  before(index: number, text: string): void {
    this.check(index, text);
    this.ms.prependRight(index, text);
  }

  get changed(): boolean {
    return this.insertions.length > 0;
  }

  toString(): string {
    return this.ms.toString();
  }

  /** Line breaks may only go at the start of a line (after a BOM on line 1) or after the last character. */
  private atLineBoundary(index: number): boolean {
    if (index === this.source.length || this.source[index - 1] === '\n') return true;
    return /^(\uFEFF|\xEF\xBB\xBF)?$/.test(this.source.slice(0, index));
  }

  private check(index: number, text: string): void {
    if (!Number.isInteger(index) || index < 0 || index > this.source.length) {
      throw new InstrumentError(`insertion at ${index} outside the source (length ${this.source.length})`);
    }
    if (/[\n\r]/.test(text) && !this.atLineBoundary(index)) {
      throw new InstrumentError(`insertion of a line break inside a user line at ${index}`);
    }
    this.insertions.push({ index, text });
  }
}
