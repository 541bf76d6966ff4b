// Decides early that a large file tree-sitter mostly fails on is compiled unchanged (generated amalgamations).
import type { View } from './collector.js';

/** Files smaller than this are always instrumented where they parse: their cost is small either way. */
export const LARGE_FILE_CHARS = 512 * 1024;
/** The share of a large file's top-level code with syntax errors above which it is compiled unchanged. */
export const MAX_BROKEN_SHARE = 0.5;

/** The share of the text held by top-level items with syntax errors, in the views the passes would use. */
export function brokenShare(views: readonly View[], length: number): number {
  let broken = 0;
  for (const view of views) {
    for (const n of view.root.children) if (n.hasError && view.keep(n)) broken += n.endIndex - n.startIndex;
  }
  return length > 0 ? broken / length : 0;
}

/** Why a large file is not instrumented (undefined: instrument it): decided after the parse, before every pass. */
export function mostlyBroken(views: readonly View[], length: number): string | undefined {
  if (length < LARGE_FILE_CHARS) return undefined;
  const share = brokenShare(views, length);
  if (share <= MAX_BROKEN_SHARE) return undefined;
  return `tree-sitter could not parse most of this large file (${Math.round(share * 100)}% of its top-level code has syntax errors)`;
}
