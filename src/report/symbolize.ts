// Violations' call stacks to `function file:line`: one symbolizer process per module with all of its addresses
// (llvm-symbolizer, else addr2line); the runtime's own frames dropped (IO: reads module files, starts processes).
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { capture } from '../wrapper/exec.js';
import { imageBase } from './image-base.js';
import type { CallFrame, Report } from './merge.js';
import { displayPath } from './merge.js';

export interface SymbolizeOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Report root, for display paths. */
  root: string;
  /** A module path as this machine names it, when the program ran elsewhere (a Windows path under wine); else null. */
  localPath?: (module: string) => string | null;
}

/** What one address symbolizes to: its frames, innermost (inlined) first; empty when unknown. */
type Resolved = Array<Pick<CallFrame, 'function' | 'file' | 'line'>>;

interface Symbolizer {
  program: string;
  args: (module: string, addresses: string[]) => string[];
  parse: (stdout: string) => Resolved[];
}

const known = (s: string | undefined) => (s && s !== '??' && s !== '' ? s : undefined);

/** llvm-symbolizer --output-style=JSON: one object per address, `Symbol` its inline chain, innermost first. */
function parseLlvm(stdout: string): Resolved[] {
  const rows = JSON.parse(stdout) as Array<{ Symbol?: Array<{ FunctionName?: string; FileName?: string; Line?: number }> }>;
  return rows.map((r) => (r.Symbol ?? []).map((s) => ({
    ...(known(s.FunctionName) ? { function: s.FunctionName as string } : {}),
    ...(known(s.FileName) && s.Line ? { file: s.FileName as string, line: s.Line } : {}),
  })));
}

/** addr2line -a -f -i: per address a `0x...` line, then a function line and a `file:line` line per inline level. */
function parseAddr2line(stdout: string): Resolved[] {
  const out: Resolved[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^0x[0-9a-f]+$/i.test(lines[i] as string)) { out.push([]); continue; }
    const fn = lines[i] as string;
    const at = /^(.*):(\d+)(?: \(discriminator \d+\))?$/.exec(lines[i + 1] ?? '');
    if (out.length === 0 || !at) continue;
    i++;
    const line = Number(at[2]);
    (out.at(-1) as Resolved).push({
      ...(known(fn) ? { function: fn } : {}),
      ...(known(at[1]) && line > 0 ? { file: at[1] as string, line } : {}),
    });
  }
  return out;
}

/** The symbolizers tried, in order; SPINCHECK_SYMBOLIZER names one (llvm-symbolizer or addr2line) to use instead. */
function symbolizers(env: NodeJS.ProcessEnv): Symbolizer[] {
  const llvm = (program: string): Symbolizer => ({
    program,
    // Short names: on PE, linkage names come from the COFF symbols, which miss static functions the DWARF has.
    args: (module, addresses) => [`--obj=${module}`, '--output-style=JSON', '--inlining', '--functions=short', ...addresses],
    parse: parseLlvm,
  });
  const gnu = (program: string): Symbolizer => ({ program, args: (module, addresses) => ['-e', module, '-a', '-f', '-i', ...addresses], parse: parseAddr2line });
  const chosen = env.SPINCHECK_SYMBOLIZER;
  if (chosen) return [/addr2line/.test(chosen) ? gnu(chosen) : llvm(chosen)];
  return [llvm('llvm-symbolizer'), gnu('addr2line')];
}

/** The runtime's own frames (hooks, state machine, recorder) and the prelude's inlined fast paths. */
const isRuntime = (f: CallFrame) => (f.function?.startsWith('spincheck_') ?? false) ||
  (f.file !== undefined && /(^|[\\/])spincheck_(runtime\.c|[a-z]+\.inc|prelude\.h|port\.h)$/.test(f.file));

/** The program's entry: the C library's start-up frames beyond it say nothing about the driver. */
const ENTRY_POINTS = new Set(['main', 'wmain', 'WinMain', 'wWinMain']);

const BATCH = 500;

/** Runs one symbolizer over a module's addresses (in batches); null when the program cannot be started. */
function runOn(s: Symbolizer, module: string, addresses: string[], opts: SymbolizeOptions): Resolved[] | null {
  const out: Resolved[] = [];
  for (let i = 0; i < addresses.length; i += BATCH) {
    const batch = addresses.slice(i, i + BATCH);
    const r = capture(s.program, s.args(module, batch), opts.cwd, opts.env);
    if (r.error || r.status !== 0) return null;
    let parsed: Resolved[];
    try {
      parsed = s.parse(r.stdout);
    } catch {
      return null;
    }
    if (parsed.length !== batch.length) return null;
    out.push(...parsed);
  }
  return out;
}

interface Lookup {
  /** `${module}\0${offset}` -> what it symbolizes to. */
  resolved: Map<string, Resolved>;
  /** A symbolizer ran on at least one module. */
  started: boolean;
  /** Modules that could not be read, and those without any symbol. */
  unreadable: string[];
  bare: string[];
}

/** Symbolizes each module's offsets with the first symbolizer that runs; one process per module and batch. */
function lookUp(offsets: Map<string, Set<number>>, opts: SymbolizeOptions): Lookup {
  const out: Lookup = { resolved: new Map(), started: false, unreadable: [], bare: [] };
  const tools = symbolizers(opts.env);
  for (const [module, set] of offsets) {
    const mapped = opts.localPath?.(module) ?? null;
    const file = mapped !== null && existsSync(mapped) ? mapped : module;
    const base = imageBase(file);
    if (base === null) {
      out.unreadable.push(module);
      continue;
    }
    const list = [...set];
    // A return address follows its call: the call's line is the one before it.
    const addresses = list.map((o) => `0x${(base + BigInt(o) - (o > 0 ? 1n : 0n)).toString(16)}`);
    for (const tool of tools) {
      const got = runOn(tool, file, addresses, opts);
      if (!got) continue;
      out.started = true;
      list.forEach((o, i) => out.resolved.set(`${module}\0${o}`, got[i] as Resolved));
      if (!got.some((chain) => chain.some((c) => c.function))) out.bare.push(module);
      break;
    }
  }
  return out;
}

/** A stack with each frame replaced by what it symbolizes to (inlined frames first), the runtime's leading frames
 *  dropped, and the start-up frames below `main`. */
function symbolizedStack(stack: CallFrame[], resolved: Lookup['resolved'], shown: (file: string) => string): CallFrame[] {
  const frames = stack.flatMap((f) => {
    const chain = resolved.get(`${f.module}\0${f.offset}`) ?? [];
    if (chain.length === 0) return [f];
    return chain.map((c, i) => ({ ...f, ...c, ...(c.file ? { file: shown(c.file) } : {}), ...(i < chain.length - 1 ? { inlined: true } : {}) }));
  });
  const first = frames.findIndex((f) => !isRuntime(f));
  const kept = first < 0 ? frames : frames.slice(first);
  const main = kept.findIndex((f) => !f.inlined && ENTRY_POINTS.has(f.function ?? ''));
  return main < 0 ? kept : kept.slice(0, main + 1);
}

/** The report with every call stack symbolized where the platform allows, and a note when it does not. */
export function symbolizeReport(report: Report, opts: SymbolizeOptions): Report {
  const offsets = new Map<string, Set<number>>();
  for (const v of report.violations) {
    for (const f of v.callStack ?? []) offsets.set(f.module, (offsets.get(f.module) ?? new Set<number>()).add(f.offset));
  }
  if (offsets.size === 0) return report;
  const { resolved, started, unreadable, bare } = lookUp(offsets, opts);
  const shown = (file: string) => (isAbsolute(file) ? displayPath(opts.root, file) : file);
  const violations = report.violations.map((v) => (v.callStack?.length ? { ...v, callStack: symbolizedStack(v.callStack, resolved, shown) } : v));
  const notes = [...report.notes];
  if (!started && unreadable.length < offsets.size) {
    notes.push('call stacks are shown as module+offset: install llvm-symbolizer (LLVM) or addr2line (GNU binutils), or name one in SPINCHECK_SYMBOLIZER, and rerun spincheck report for function file:line (build with -g for lines)');
  }
  if (bare.length > 0) notes.push(`call stacks: ${bare.join(', ')} has no symbols: build with -g and do not strip it for function file:line`);
  if (unreadable.length > 0) notes.push(`call stacks: cannot read ${unreadable.join(', ')}; their frames are shown as module+offset`);
  return { ...report, violations, notes };
}
