// One C source: read its bytes, decide whether to instrument, and produce the copy's text (G15, G30).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Dialect, InstrumentResult, RoleConfig } from '../instrument/types.js';
import type { StaticAnalysis } from '../model/index.js';
import type { Input, ParsedCommand } from './command.js';
import { mentionsRelevantName } from '../instrument/scan.js';
import type { InstrumentCall } from './instrumenter.js';
import { instrumentHere } from './instrumenter.js';

const BOM = '\xEF\xBB\xBF';

export interface SourceDecision {
  input: Input;
  abs: string;
  tu: string;
  sourceHash: string;
  result: InstrumentResult | null;
  /** The path analysis of the file (absent when it was not parsed, or the analysis failed: the compile goes on). */
  analysis?: StaticAnalysis;
  /** Latin-1 text of the instrumented copy, `#line` first; null when the file is compiled unchanged. */
  copyText: string | null;
  /** Why a relevant file is compiled unchanged (`<reason>: <detail>`). */
  reason: string | null;
  /** The file mentions the lock or roles: it gets a site database. */
  relevant: boolean;
}

export interface SourceContext {
  cmd: ParsedCommand;
  cwd: string;
  dataDir: string;
  roles: RoleConfig;
  strict: boolean;
  /** The instrumenter's dialect (default gnu: cleanup attribute; msvc: __try/__finally). */
  dialect?: Dialect;
  /** The name `#line` gives the copy (default: the path as spelled). */
  lineName?: (input: Input, abs: string) => string;
  /** `#pragma comment(lib, ...)` for the copy (cl): asked only when a file is instrumented. */
  pragmaLib?: () => string | undefined;
  /** Text appended to the copy after the instrumented code (cl: the link fallback). */
  suffix?: string;
  /** Who instruments the file (default: this process; the warm server: its worker pool). */
  instrument?: InstrumentCall;
}

/** A string's UTF-8 bytes as Latin-1 characters (how non-ASCII paths go into the byte-preserving text). */
export function asLatin1Bytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** `#line 1 "<path>"` with the path's UTF-8 bytes as Latin-1 characters, backslashes and quotes escaped. */
export function lineDirective(spelled: string): string {
  const bytes = asLatin1Bytes(spelled);
  return `#line 1 "${bytes.replace(/[\\"]/g, (c) => `\\${c}`)}"\n`;
}

/** Puts `#line` first, after a UTF-8 byte-order mark when the file starts with one (G15). */
export function withLineDirective(code: string, spelled: string): string {
  if (code.startsWith(BOM)) return BOM + lineDirective(spelled) + code.slice(BOM.length);
  return lineDirective(spelled) + code;
}

/** Reads one C source and instruments it when it needs it. Never throws for the file's content. */
export async function prepareSource(input: Input, ctx: SourceContext): Promise<SourceDecision> {
  const abs = resolve(ctx.cwd, input.path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch {
    // Unreadable: the compiler reports it as it would without us.
    return { input, abs, tu: '', sourceHash: '', result: null, copyText: null, reason: null, relevant: false };
  }
  const text = bytes.toString('latin1');
  if (!mentionsRelevantName(text, ctx.roles)) {
    // Nothing to do: no id or hash (node:crypto stays unloaded on a pass-through compile).
    return { input, abs, tu: '', sourceHash: '', result: null, copyText: null, reason: null, relevant: false };
  }
  const { sha1, tuId } = await import('../model/tu-id.js');
  const base = { input, abs, tu: tuId(abs, bytes), sourceHash: sha1(bytes) };
  let result: InstrumentResult;
  let analysis: StaticAnalysis | undefined;
  const pragma = ctx.pragmaLib?.();
  try {
    const search = { cwd: ctx.cwd, main: abs, dirs: [...ctx.cmd.quoteDirs, ...ctx.cmd.includeDirs].map((d) => resolve(ctx.cwd, d)) };
    const outcome = await (ctx.instrument ?? instrumentHere)(text, {
      tuId: base.tu,
      macros: ctx.cmd.macros,
      // The text is bytes as Latin-1 characters: strings the instrumenter writes into it must be too.
      sourceName: asLatin1Bytes(input.path),
      dataDir: asLatin1Bytes(ctx.dataDir),
      dialect: ctx.dialect ?? 'gnu',
      roles: ctx.roles,
      strict: ctx.strict,
      ...(pragma === undefined ? {} : { pragmaLib: asLatin1Bytes(pragma) }),
    }, search);
    ({ analysis, ...result } = outcome);
  } catch (e) {
    const message = (e as Error).message?.split('\n')[0] ?? String(e);
    return { ...base, result: null, copyText: null, reason: `instrument-error: ${message}`, relevant: true };
  }
  const analysed = { ...base, ...(analysis ? { analysis } : {}) };
  if (result.uninstrumentedReason) {
    return { ...analysed, result, copyText: null, reason: `instrumenter-declined: ${result.uninstrumentedReason}`, relevant: true };
  }
  if (!result.changed) return { ...analysed, result, copyText: null, reason: null, relevant: false };
  const name = ctx.lineName ? ctx.lineName(input, abs) : input.path;
  const copyText = withLineDirective(result.code, name) + (ctx.suffix ?? '');
  return { ...analysed, result, copyText, reason: null, relevant: true };
}
