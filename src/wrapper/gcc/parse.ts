// Parses a gcc/clang argument list into the typed command description, using only the flag table.
import type { DepOptions, Input, Language, Mode, ParsedCommand, PrefixMap } from '../command.js';
import { commandMacro } from '../command.js';
import type { PassThroughReason } from '../reasons.js';
import { GCC_FLAGS } from './flags.js';
import { expandResponseFiles } from './response-file.js';

/** Language of a file from its name (gcc's suffix rules); anything unknown goes to the linker. */
export function languageOfPath(path: string): Language {
  const dot = path.lastIndexOf('.');
  const slash = path.lastIndexOf('/');
  if (dot < 0 || dot < slash) return 'linker-input';
  const ext = path.slice(dot + 1);
  return EXTENSIONS[ext] ?? 'linker-input';
}

const EXTENSIONS: Record<string, Language> = {
  c: 'c',
  h: 'c-header',
  i: 'c-preprocessed',
  cc: 'c++', cp: 'c++', cxx: 'c++', cpp: 'c++', CPP: 'c++', 'c++': 'c++', C: 'c++', ii: 'c++',
  hh: 'c++', hpp: 'c++', hxx: 'c++', H: 'c++', tcc: 'c++',
  m: 'objc', mi: 'objc', mm: 'objc', M: 'objc',
  s: 'asm', S: 'asm', sx: 'asm',
  f: 'other', f90: 'other', F: 'other', F90: 'other', for: 'other', go: 'other', d: 'other', ads: 'other', adb: 'other',
  cu: 'other', cl: 'other', ll: 'other', bc: 'other',
};

/** Language named by `-x LANG`. */
export function languageOfX(x: string): Language {
  switch (x) {
    case 'c':
      return 'c';
    case 'c-header':
      return 'c-header';
    case 'cpp-output':
      return 'c-preprocessed';
    case 'c++':
    case 'c++-header':
    case 'c++-cpp-output':
      return 'c++';
    case 'assembler':
    case 'assembler-with-cpp':
      return 'asm';
    case 'objective-c':
    case 'objective-c++':
      return 'objc';
    default:
      return 'other';
  }
}

function emptyDeps(): DepOptions {
  return { enabled: false, file: null, targets: [], wpFiles: [] };
}

/** Parses `argv` (the compiler itself excluded); `cwd` resolves response files. */
export function parseGccArgs(argv: readonly string[], cwd: string): ParsedCommand {
  const { args, expanded } = expandResponseFiles(argv, cwd);
  const inputs: Input[] = [];
  const deps = emptyDeps();
  const targetArgs: string[] = [];
  const prefixMaps: PrefixMap[] = [];
  const quoteDirs: string[] = [];
  const includeDirs: string[] = [];
  const macros: ParsedCommand['macros'] = [];
  const linkOnly = new Set<number>();
  const outputTokens: number[] = [];
  const depTokens: number[] = [];
  let passReason: PassThroughReason | null = null;
  let compileOnly = false;
  let output: string | null = null;
  let activeX: string | null = null;
  let shared = false;
  let partialLink = false;
  let noStdlib = false;
  let colorChosen = false;
  let endOfOptions = false;

  const addInput = (i: number, path: string): void => {
    const language = activeX ? languageOfX(activeX) : languageOfPath(path);
    inputs.push({ argIndex: i, path, language, activeX });
  };

  for (let i = 0; i < args.length; ) {
    const token = args[i]!;
    if (endOfOptions || !token.startsWith('-') || token === '-') {
      addInput(i, token);
      i++;
      continue;
    }
    const match = GCC_FLAGS.match(args, i);
    if (!match) {
      i++;
      continue;
    }
    const indices = Array.from({ length: match.consumed }, (_, k) => i + k);
    const value = match.value;
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
      case 'output':
        output = value;
        outputTokens.push(...indices);
        break;
      case 'language':
        activeX = value === null || value === 'none' ? null : value;
        break;
      case 'dep-enable':
        deps.enabled = true;
        depTokens.push(...indices);
        break;
      case 'dep-file':
        deps.file = value;
        depTokens.push(...indices);
        break;
      case 'dep-target':
        if (value !== null) deps.targets.push(value);
        depTokens.push(...indices);
        break;
      case 'dep-other':
        depTokens.push(...indices);
        break;
      case 'preprocessor-passthrough': {
        const parts = (value ?? '').split(',');
        if ((parts[0] === '-MD' || parts[0] === '-MMD') && parts[1]) deps.wpFiles.push(parts[1]);
        break;
      }
      case 'target':
        for (const k of indices) targetArgs.push(args[k]!);
        break;
      case 'shared':
        shared = true;
        break;
      case 'partial-link':
        partialLink = true;
        break;
      case 'no-stdlib':
        noStdlib = true;
        break;
      case 'link-only':
        for (const k of indices) linkOnly.add(k);
        break;
      case 'prefix-map': {
        const eq = (value ?? '').lastIndexOf('=');
        if (eq >= 0) prefixMaps.push({ kind: effect.map, from: value!.slice(0, eq), to: value!.slice(eq + 1) });
        break;
      }
      case 'color':
        colorChosen = true;
        break;
      case 'include-dir':
        if (value !== null) (effect.quote ? quoteDirs : includeDirs).push(value);
        break;
      case 'macro':
        if (value !== null) macros.push(commandMacro(value, effect.undefine));
        break;
      case 'end-of-options':
        endOfOptions = true;
        break;
    }
    i += match.consumed;
  }

  const sources = inputs.filter((x) => x.language !== 'linker-input');
  if (!passReason && inputs.some((x) => x.path === '-')) passReason = 'stdin';
  if (!passReason && inputs.length === 0) passReason = 'no-inputs';
  let mode: Mode;
  if (passReason) mode = 'pass-through';
  else if (compileOnly) mode = 'compile';
  else mode = sources.length > 0 ? 'compile-link' : 'link';

  return {
    args,
    usedResponseFile: expanded,
    mode,
    passReason,
    inputs,
    output,
    deps,
    targetArgs,
    shared,
    partialLink,
    noStdlib,
    prefixMaps,
    quoteDirs,
    includeDirs,
    macros,
    colorChosen,
    linkOnly,
    outputTokens,
    depTokens,
  };
}
