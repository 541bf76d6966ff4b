// One call-stack frame in words, as every format shows it: `function file:line`, or `module+0xoffset`.
import type { CallFrame } from './merge.js';

/** `module+0x1a2b`: where a frame the symbolizer could not name lies (sanitizers' spelling). */
export const moduleOffset = (f: CallFrame) => `${f.module}+0x${f.offset.toString(16)}`;

/** `fn file:line`, `fn (module+0x..)` or `module+0x..`, with ` [inlined]` for an inlined frame. */
export function frameText(f: CallFrame, path: (file: string) => string = (p) => p): string {
  const at = f.file && f.line ? `${path(f.file)}:${f.line}` : null;
  const body = f.function ? (at ? `${f.function} ${at}` : `${f.function} (${moduleOffset(f)})`) : at ?? moduleOffset(f);
  return f.inlined ? `${body} [inlined]` : body;
}
