// Converts string indices to 1-based line and column, in one place.
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  /** 1-based line of a string index. */
  line(index: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** 1-based column of a string index (in characters; bytes for latin1-decoded input). */
  column(index: number): number {
    return index - this.lineStart(this.line(index)) + 1;
  }

  lineStart(line: number): number {
    return this.starts[line - 1] ?? 0;
  }
}
