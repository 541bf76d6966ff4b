// One C source: read its bytes, decide whether to instrument, and produce the copy's text (G15, G30).
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Dialect, InstrumentResult, ParsedUnit, ResolvedInclude, RoleConfig } from '../instrument/types.js';
import type { StaticAnalysis } from '../model/index.js';
import type { Input, ParsedCommand } from './command.js';
import { mentionsRelevantName } from '../instrument/scan.js';
import { loadInstrumenter } from './instrumenter.js';

const BOM = '\xEF\xBB\xBF';
const MAX_HEADER_BYTES = 4 << 20;

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

/** Header lookup for the instrumenter: the includer's directory, then -iquote, then -I (as gcc does). */
function includeResolver(ctx: SourceContext, mainAbs: string) {
  const cache = new Map<string, ResolvedInclude | undefined>();
  const dirs = [...ctx.cmd.quoteDirs, ...ctx.cmd.includeDirs].map((d) => resolve(ctx.cwd, d));
  return (spec: string, includer: string | undefined): ResolvedInclude | undefined => {
    const first = dirname(includer ? resolve(ctx.cwd, includer) : mainAbs);
    for (const dir of [first, ...dirs]) {
      const path = resolve(dir, spec);
      if (cache.has(path)) {
        const hit = cache.get(path);
        if (hit) return hit;
        continue;
      }
      const st = statSync(path, { throwIfNoEntry: false });
      const found = st?.isFile() && st.size <= MAX_HEADER_BYTES ? { path, text: readFileSync(path, 'latin1') } : undefined;
      cache.set(path, found);
      if (found) return found;
    }
    return undefined;
  };
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
    const mod = await loadInstrumenter();
    const onParsed = (unit: ParsedUnit) => {
      try {
        analysis = mod.analyseUnit(unit, { macros: ctx.cmd.macros });
      } catch (e) {
        // The analysis is an extra: a file it cannot handle is instrumented and compiled as before, and the
        // report says the path check did not analyse it.
        const reason = `the path check failed on this file: ${(e as Error).message?.split('\n')[0] ?? String(e)}`;
        analysis = { analysed: 0, findings: [], summaries: [], notAnalysed: [{ function: '(whole file)', line: 1, reason }] };
      }
    };
    result = mod.instrument(text, {
      onParsed,
      tuId: base.tu,
      // The text is bytes as Latin-1 characters: strings the instrumenter writes into it must be too.
      sourceName: asLatin1Bytes(input.path),
      dataDir: asLatin1Bytes(ctx.dataDir),
      dialect: ctx.dialect ?? 'gnu',
      resolveInclude: includeResolver(ctx, abs),
      roles: ctx.roles,
      strict: ctx.strict,
      ...(pragma === undefined ? {} : { pragmaLib: asLatin1Bytes(pragma) }),
    });
  } catch (e) {
    const message = (e as Error).message?.split('\n')[0] ?? String(e);
    return { ...base, ...(analysis ? { analysis } : {}), result: null, copyText: null, reason: `instrument-error: ${message}`, relevant: true };
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
