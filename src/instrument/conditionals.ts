// Preprocessor conditionals: where they are, whether two points share a branch, and a one-branch view for parsing.

export type DirectiveKind = 'if' | 'else' | 'endif';

export interface Directive {
  /** Start of the directive's first line and end of its last (continuation lines included). */
  start: number;
  end: number;
  kind: DirectiveKind;
}

const DIRECTIVE = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b/;

/** The conditional directives of a text, in order. */
export function conditionals(text: string): Directive[] {
  const out: Directive[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const m = DIRECTIVE.exec(text.slice(lineStart, Math.min(lineEnd, lineStart + 200)));
    let end = lineEnd;
    while (m && end < text.length && /\\\r?$/.test(text.slice(lineStart, end))) {
      const next = text.indexOf('\n', end + 1);
      end = next < 0 ? text.length : next;
    }
    if (m) {
      const word = m[1] as string;
      const kind: DirectiveKind = word.startsWith('if') ? 'if' : word === 'endif' ? 'endif' : 'else';
      out.push({ start: lineStart, end, kind });
    }
    lineStart = end + 1;
  }
  return out;
}

/** True when `a` and `b` (a <= b) lie in the same branch: every conditional opened between them closes there. */
export function sameBranch(dirs: readonly Directive[], a: number, b: number): boolean {
  let lo = 0;
  let hi = dirs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((dirs[mid] as Directive).start < a) lo = mid + 1;
    else hi = mid;
  }
  let depth = 0;
  for (let i = lo; i < dirs.length && (dirs[i] as Directive).start < b; i++) {
    const d = dirs[i] as Directive;
    if (d.kind === 'if') depth++;
    else if (depth === 0) return false;
    else if (d.kind === 'endif') depth--;
  }
  return depth === 0;
}

/** Ranges of the #elif/#else branch contents (what firstBranchView blanks, directives excluded). */
export function alternateBranches(text: string, dirs: readonly Directive[]): Array<readonly [number, number]> {
  const ranges: Array<readonly [number, number]> = [];
  const skipping: boolean[] = [];
  for (let i = 0; i < dirs.length; i++) {
    const d = dirs[i] as Directive;
    if (d.kind === 'if') skipping.push(false);
    else if (d.kind === 'endif') skipping.pop();
    else if (skipping.length > 0) skipping[skipping.length - 1] = true;
    const next = dirs[i + 1];
    if (skipping.includes(true)) ranges.push([d.end, next ? next.start : text.length]);
  }
  return ranges;
}

/**
 * The text as one configuration would see it, for parsing only: every conditional directive and every
 * `#elif`/`#else` branch blanked to spaces (line breaks kept, so offsets and lines stay valid).
 */
export function firstBranchView(text: string, dirs: readonly Directive[]): string {
  const ranges = [...dirs.map((d) => [d.start, d.end] as const), ...alternateBranches(text, dirs)].sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [from, to] of ranges) {
    if (to <= at) continue;
    const start = Math.max(from, at);
    parts.push(text.slice(at, start), text.slice(start, to).replace(/[^\r\n]/g, ' '));
    at = to;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
