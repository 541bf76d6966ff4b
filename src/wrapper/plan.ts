// Turns a parsed command and the instrumented copies into the compiler runs to make (pure: no IO).
import type { Input, ParsedCommand, PrefixMap } from './command.js';
import type { PathSwap } from './depfile.js';
import type { RuntimeLib } from './runtime-lib.js';

/** One instrumented source: where its copy is and how the original was spelled. */
export interface Substitution {
  input: Input;
  /** Absolute path of the instrumented copy (same basename as the original). */
  copyPath: string;
  /** Directory holding the copy (nothing else of the user's is in it). */
  copyDir: string;
  /** Directory of the original as spelled ('' for a bare file name). */
  origDir: string;
  /** Object file for a split compile+link (in the private temp directory). */
  objectPath: string;
}

/** How a dialect spells the few things the wrapper adds to a command. */
export interface DialectRules {
  /** Makes quote includes resolve next to the original source (G14). */
  quoteDirArgs(origDir: string): string[];
  /** Maps the copy's directory back to the original's in debug info and macros (G16). */
  prefixMapArgs(copyDir: string, origDir: string, userMaps: readonly PrefixMap[]): string[];
  /** Compile only into `object`. */
  compileToObjectArgs(object: string): string[];
  /** Dependency output of a split compile: file and target (null: the user gave one). */
  depFileArgs(file: string | null, target: string | null): string[];
  /** Tokens standing for an object file at a position where `-x lang` may be in force. */
  objectInputArgs(object: string, activeX: string | null): string[];
  /** Keeps diagnostics coloured when stderr is captured but the user's terminal is one. */
  colorArgs(): string[];
  /** What a link gets at its very end. */
  runtimeArgs(lib: RuntimeLib): string[];
  /** Default dependency file and target of a split compile+link (gcc 11+ naming). */
  splitDepNames(cmd: ParsedCommand, input: Input): { file: string; target: string };
}

export interface PlanStep {
  /** Arguments after the compiler. */
  args: string[];
  /** Sources compiled from instrumented copies in this step (argIndex in the parsed args). */
  substituted: Substitution[];
  /** Arguments to run when this step fails (the original compile, or the link without the runtime). */
  fallback: string[] | null;
  /** Paths to put back in dependency files written by this step. */
  swaps: PathSwap[];
  /** Capture stderr (so a failure that falls back stays invisible). */
  captureStderr: boolean;
  /** The step links and carries the runtime. */
  linksRuntime: boolean;
}

export interface PlanInput {
  cmd: ParsedCommand;
  subs: readonly Substitution[];
  runtime: RuntimeLib | null;
  rules: DialectRules;
  /** Our stderr is a terminal and the user chose no colour setting. */
  keepColor: boolean;
}

function without(args: readonly string[], drop: ReadonlySet<number>): string[] {
  return args.filter((_, i) => !drop.has(i));
}

function replaced(args: readonly string[], replace: ReadonlyMap<number, string[]>, drop: ReadonlySet<number> = new Set()): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (drop.has(i)) return;
    const r = replace.get(i);
    if (r) out.push(...r);
    else out.push(a);
  });
  return out;
}

/** Flags added around the user's arguments for the copies in one step: quote dir first, maps last. */
function wrapForCopies(userArgs: string[], subs: readonly Substitution[], input: PlanInput): string[] {
  const { rules, cmd } = input;
  const dirs = [...new Set(subs.map((s) => s.origDir))];
  const before = dirs.flatMap((d) => rules.quoteDirArgs(d));
  const after: string[] = [];
  if (input.keepColor) after.push(...rules.colorArgs());
  const seen = new Set<string>();
  for (const s of subs) {
    if (seen.has(s.copyDir)) continue;
    seen.add(s.copyDir);
    after.push(...rules.prefixMapArgs(s.copyDir, s.origDir, cmd.prefixMaps));
  }
  return [...before, ...userArgs, ...after];
}

function swapsOf(subs: readonly Substitution[]): PathSwap[] {
  return subs.map((s) => ({ from: s.copyPath, to: s.input.path }));
}

/** Plans the runs for a command that is not passed through. */
export function planCommand(input: PlanInput): PlanStep[] {
  const { cmd, subs, runtime, rules } = input;
  const sources = cmd.inputs.filter((x) => x.language !== 'linker-input');
  const links = cmd.mode !== 'compile';
  const runtimeTail = links && runtime && !cmd.partialLink && !cmd.noStdlib ? rules.runtimeArgs(runtime) : [];
  const bySubIndex = new Map(subs.map((s) => [s.input.argIndex, s]));
  const subDirs = new Set(subs.map((s) => s.origDir));
  // One command is enough when every source shares the directory the quote include dir points at (G6).
  const together =
    subs.length === 0 ||
    (subDirs.size === 1 && sources.every((s) => bySubIndex.has(s.argIndex) || dirOf(s.path) === [...subDirs][0]));

  if (together) {
    const args = replaced(cmd.args, new Map(subs.map((s) => [s.input.argIndex, [s.copyPath]])));
    const full = subs.length > 0 ? wrapForCopies(args, subs, input) : args;
    return [
      {
        args: [...full, ...runtimeTail],
        substituted: [...subs],
        fallback: subs.length > 0 || runtimeTail.length > 0 ? [...cmd.args] : null,
        swaps: swapsOf(subs),
        captureStderr: subs.length > 0 || runtimeTail.length > 0,
        linksRuntime: runtimeTail.length > 0,
      },
    ];
  }

  const steps: PlanStep[] = [];
  const allInputs = new Set(cmd.inputs.map((x) => x.argIndex));
  if (cmd.mode === 'compile') {
    // One compile per source, each with only its own quote include dir.
    for (const src of sources) {
      const others = new Set(
        cmd.inputs.filter((x) => x.argIndex !== src.argIndex).flatMap((x) => (x.optionIndex === undefined ? [x.argIndex] : [x.argIndex, x.optionIndex])),
      );
      const sub = bySubIndex.get(src.argIndex);
      const plain = without(cmd.args, others);
      if (!sub) {
        steps.push({ args: plain, substituted: [], fallback: null, swaps: [], captureStderr: false, linksRuntime: false });
        continue;
      }
      const args = replaced(cmd.args, new Map([[src.argIndex, [sub.copyPath]]]), others);
      steps.push({
        args: wrapForCopies(args, [sub], input),
        substituted: [sub],
        fallback: plain,
        swaps: swapsOf([sub]),
        captureStderr: true,
        linksRuntime: false,
      });
    }
    return steps;
  }

  // Compile+link across directories: each instrumented source to a temp object, then one link.
  const linkDrop = new Set<number>([...allInputs, ...cmd.linkOnly, ...cmd.outputTokens, ...cmd.depTokens]);
  const optionOf = new Map(cmd.inputs.flatMap((x) => (x.optionIndex === undefined ? [] : [[x.argIndex, x.optionIndex] as const])));
  for (const sub of subs) {
    const own = optionOf.get(sub.input.argIndex);
    const drop = new Set([...linkDrop, ...optionOf.values()].filter((i) => i !== sub.input.argIndex && i !== own));
    const depArgs: string[] = [];
    if (cmd.deps.enabled) {
      const names = rules.splitDepNames(cmd, sub.input);
      depArgs.push(...cmd.depTokens.map((i) => cmd.args[i]!));
      depArgs.push(...rules.depFileArgs(cmd.deps.file ? null : names.file, cmd.deps.targets.length ? null : names.target));
    }
    const tail = [...depArgs, ...rules.compileToObjectArgs(sub.objectPath)];
    const orig = [...replaced(cmd.args, new Map(), drop), ...tail];
    const withCopy = [...replaced(cmd.args, new Map([[sub.input.argIndex, [sub.copyPath]]]), drop), ...tail];
    steps.push({
      args: wrapForCopies(withCopy, [sub], input),
      substituted: [sub],
      fallback: orig,
      swaps: swapsOf([sub]),
      captureStderr: true,
      linksRuntime: false,
    });
  }
  const linkArgs = replaced(
    cmd.args,
    new Map(subs.map((s) => [s.input.argIndex, rules.objectInputArgs(s.objectPath, s.input.activeX)])),
    new Set(subs.flatMap((s) => (s.input.optionIndex === undefined ? [] : [s.input.optionIndex]))),
  );
  steps.push({
    args: [...linkArgs, ...runtimeTail],
    substituted: [],
    fallback: runtimeTail.length > 0 ? linkArgs : null,
    swaps: [],
    captureStderr: runtimeTail.length > 0,
    linksRuntime: runtimeTail.length > 0,
  });
  return steps;
}

/** Directory part of a path as spelled ('' for a bare name); on Windows `\\` separates too (`C:\\x.c` -> `C:\\`). */
export function dirOf(path: string, windows: boolean = process.platform === 'win32'): string {
  const slash = windows ? Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) : path.lastIndexOf('/');
  if (slash < 0) return windows && /^[A-Za-z]:/.test(path) ? path.slice(0, 2) : '';
  if (slash === 0 || (windows && slash === 2 && /^[A-Za-z]:/.test(path))) return path.slice(0, slash + 1);
  return path.slice(0, slash);
}
