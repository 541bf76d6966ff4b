// Parses a cl (or clang-cl) command into the typed description, using only the cl flag table.
import { statSync } from 'node:fs';
import { isAbsolute, resolve, win32 } from 'node:path';
import type { DepOptions, Input, Language, Mode, ParsedCommand } from '../command.js';
import { commandMacro } from '../command.js';
import type { PassThroughReason } from '../reasons.js';
import { CL_FLAGS, isClangTargetOption, slashSpelling } from './flags.js';
import type { Crt } from './flags.js';
import { clEnvOptions, expandClResponseFiles } from './response-file.js';

/** What cl adds to the shared description. */
export interface ClCommand extends ParsedCommand {
  /** The C runtime variant (/MT default; /LD implies /MT, /LDd /MTd, unless /M* is given). */
  crt: Crt;
  /** /FC: cl names sources by their full path (__FILE__, diagnostics). */
  fullPaths: boolean;
  /** CL or _CL_ added arguments: runs then get them in argv and the variables removed. */
  usedEnvVariables: boolean;
  /** The compiler is clang-cl (forced includes resolve from the working directory first). */
  clang: boolean;
}

export interface ClParseOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The real compiler is clang-cl. */
  clang: boolean;
  /** Windows path rules (default: the host's). */
  windows?: boolean;
}

const LINKER_SUFFIX = /\.(obj|o|lib|a|res|exp|def|dll|pdb)$/i;

/** Language of a file from its name, as cl decides it (case-insensitive). */
export function clLanguageOfPath(path: string): Language {
  if (/\.c$/i.test(path)) return 'c';
  if (/\.(cpp|cxx|cc|c\+\+)$/i.test(path)) return 'c++';
  return 'linker-input';
}

function emptyDeps(): DepOptions {
  return { enabled: false, file: null, targets: [], wpFiles: [] };
}

/** An F-option value: `/Fo:x` and `/Fox` both name x. */
function fValue(value: string | null): string | null {
  return value !== null && value.startsWith(':') ? value.slice(1) : value;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * Parses `argv` (the compiler excluded): `CL` arguments first, then argv with response files expanded, then `_CL_`
 * (M13), as cl reads them.
 */
export function parseClArgs(argv: readonly string[], options: ClParseOptions): ClCommand {
  const { cwd, env } = options;
  const windows = options.windows ?? process.platform === 'win32';
  const pre = clEnvOptions(env.CL);
  const post = clEnvOptions(env._CL_);
  const { args, expanded } = expandClResponseFiles([...pre, ...argv, ...post], cwd);
  const inputs: Input[] = [];
  const targetArgs: string[] = [];
  const includeDirs: string[] = [];
  const macros: ParsedCommand['macros'] = [];
  const linkOnly = new Set<number>();
  const outputTokens: number[] = [];
  const forced: Array<{ index: number; value: string; joinedName: string | null }> = [];
  let passReason: PassThroughReason | null = null;
  let compileOnly = false;
  let output: string | null = null;
  let allLanguage: Language | null = null;
  let crt: Crt | null = null;
  let dllCrt: Crt | null = null;
  let shared = false;
  let fullPaths = false;
  let envInclude = true;
  let endOfOptions = false;
  let spelled = args.map(slashSpelling);

  for (let i = 0; i < args.length; ) {
    const token = args[i]!;
    const isOption = !endOfOptions && (token.startsWith('-') || token.startsWith('/')) && token !== '-';
    // On a POSIX host an absolute path looks like a cl option; an existing file is an input (as clang-cl decides).
    if (!isOption || (!windows && token.startsWith('/') && isFile(token))) {
      inputs.push({ argIndex: i, path: token, language: clLanguageOfPath(token), activeX: null });
      i++;
      continue;
    }
    const match = CL_FLAGS.match(spelled, i);
    if (!match) {
      i++;
      continue;
    }
    // The value as written (match.value came from the `/` spelling of the next token).
    const value = match.consumed === 2 ? args[i + 1]! : match.value;
    const indices = Array.from({ length: match.consumed }, (_, k) => i + k);
    const effect = match.row.effect;
    switch (effect.kind) {
      case 'none':
        break;
      case 'pass-through':
        passReason ??= effect.reason;
        break;
      case 'compile-only':
        compileOnly = true;
        break;
      case 'object-output':
        outputTokens.push(...indices);
        break;
      case 'exe-output':
        output = fValue(value);
        outputTokens.push(...indices);
        break;
      case 'link-only':
        for (const k of indices) linkOnly.add(k);
        break;
      case 'link-rest':
        for (let k = i; k < args.length; k++) linkOnly.add(k);
        i = args.length;
        continue;
      case 'language-file':
        if (value !== null) {
          // `/Tcfile` is split into `/Tc file` so the file token can be replaced alone.
          if (match.consumed === 1) {
            args.splice(i, 1, token.slice(0, 3), value);
            spelled = args.map(slashSpelling);
          }
          inputs.push({ argIndex: i + 1, path: value, language: effect.language, activeX: null, optionIndex: i });
          i += 2;
          continue;
        }
        break;
      case 'language-all':
        allLanguage = effect.language;
        break;
      case 'crt':
        crt = effect.crt;
        break;
      case 'dll':
        shared = true;
        dllCrt = effect.crt;
        break;
      case 'target':
        for (const k of indices) targetArgs.push(args[k]!);
        break;
      case 'clang-option':
        if (value !== null && isClangTargetOption(value)) targetArgs.push(token);
        break;
      case 'include-dir':
        if (value !== null) includeDirs.push(value);
        break;
      case 'macro':
        if (value !== null) macros.push(commandMacro(value, effect.undefine));
        break;
      case 'no-env-include':
        envInclude = false;
        break;
      case 'forced-include':
        if (value !== null) forced.push({ index: i + match.consumed - 1, value, joinedName: match.consumed === 1 ? token.slice(0, 3) : null });
        break;
      case 'full-paths':
        fullPaths = true;
        break;
      case 'end-of-options':
        endOfOptions = true;
        break;
    }
    i += match.consumed;
  }

  if (allLanguage) {
    for (const x of inputs) if (x.optionIndex === undefined && !LINKER_SUFFIX.test(x.path)) x.language = allLanguage;
  }
  if (envInclude && env.INCLUDE) includeDirs.push(...env.INCLUDE.split(';').filter(Boolean));
  const sources = inputs.filter((x) => x.language !== 'linker-input');
  resolveForcedIncludes(args, forced, { ...options, windows }, includeDirs, sources);

  if (!passReason && inputs.some((x) => x.path === '-')) passReason = 'stdin';
  if (!passReason && inputs.length === 0) passReason = 'no-inputs';
  let mode: Mode;
  if (passReason) mode = 'pass-through';
  else if (compileOnly) mode = 'compile';
  else mode = sources.length > 0 ? 'compile-link' : 'link';
  const finalCrt: Crt = crt ?? dllCrt ?? 'MT';
  return {
    args,
    usedResponseFile: expanded,
    mode,
    passReason,
    inputs,
    output,
    deps: emptyDeps(),
    targetArgs: [`/${finalCrt}`, ...targetArgs],
    shared,
    partialLink: false,
    noStdlib: false,
    prefixMaps: [],
    quoteDirs: [],
    includeDirs,
    macros,
    colorChosen: true,
    linkOnly,
    outputTokens,
    depTokens: [],
    crt: finalCrt,
    fullPaths,
    usedEnvVariables: pre.length > 0 || post.length > 0,
    clang: options.clang,
  };
}

/**
 * Makes relative `/FI` files absolute for cl.exe (M6): cl opens a forced include as `#include "..."` from the source,
 * so it looks in the source's directory, then /I, then INCLUDE; the path found is passed instead. clang-cl looks in
 * the working directory, then (Microsoft rules) the source's directory, then /I: the `/I <source dir>` put first for
 * the copy reproduces that order and /showIncludes prints the same names, so its /FI are left as written.
 */
function resolveForcedIncludes(
  args: string[],
  forced: ReadonlyArray<{ index: number; value: string; joinedName: string | null }>,
  options: ClParseOptions & { windows: boolean },
  includeDirs: readonly string[],
  sources: readonly Input[],
): void {
  const { cwd, windows } = options;
  const abs = windows ? win32.isAbsolute : isAbsolute;
  const dirOfSource = (p: string): string => {
    const k = windows ? Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) : p.lastIndexOf('/');
    return k < 0 ? '' : p.slice(0, k);
  };
  const sourceDirs = [...new Set(sources.map((s) => dirOfSource(s.path)))];
  for (const f of forced) {
    if (abs(f.value)) continue;
    // Several source directories: each compile gets its own /I <source dir>, which finds what cl finds.
    if (options.clang || sourceDirs.length !== 1) continue;
    for (const dir of [sourceDirs[0]!, ...includeDirs]) {
      const candidate = windows ? win32.resolve(cwd, dir, f.value) : resolve(cwd, dir, f.value);
      if (!isFile(candidate)) continue;
      args[f.index] = f.joinedName === null ? candidate : `${f.joinedName}${candidate}`;
      break;
    }
  }
}
