// The typed description of one compiler command, shared by every dialect (gcc/clang, cl).
import type { PassThroughReason } from './reasons.js';

/** What a command does: compile only, link only, both, or something the wrapper must not touch. */
export type Mode = 'compile' | 'link' | 'compile-link' | 'pass-through';

/** Language of an input as the compiler will see it (from `-x` by position, else from the file name). */
export type Language = 'c' | 'c-header' | 'c-preprocessed' | 'c++' | 'objc' | 'asm' | 'other' | 'linker-input';

export interface Input {
  /** Index of the token in `args` (after response-file expansion). */
  argIndex: number;
  path: string;
  language: Language;
  /** The `-x` language in force at this position (null when none, or `-x none`). */
  activeX: string | null;
  /** A separate option token naming this input's language (cl's `/Tc file`): dropped with the input. */
  optionIndex?: number;
}

/** Dependency-file options (G3/G4). */
export interface DepOptions {
  /** -MD or -MMD seen (or -Wp,-MD/-MMD). */
  enabled: boolean;
  /** -MF file (last wins). */
  file: string | null;
  /** -MT/-MQ targets given by the user. */
  targets: string[];
  /** Files named by -Wp,-MD,file / -Wp,-MMD,file. */
  wpFiles: string[];
}

/** A `-f*-prefix-map=old=new` option, in command order. */
export interface PrefixMap {
  kind: 'file' | 'debug' | 'macro';
  from: string;
  to: string;
}

/** A -D/-U value as [name, value]: `X=2` -> [X, 2], `X` -> [X, 1]; undefined -> [X, null]. */
export function commandMacro(value: string, undefine: boolean): [string, string | null] {
  const eq = value.indexOf('=');
  const name = (eq < 0 ? value : value.slice(0, eq)).replace(/\(.*$/, '');
  return [name, undefine ? null : eq < 0 ? '1' : value.slice(eq + 1)];
}

export interface ParsedCommand {
  /** Arguments after response-file expansion (the compiler itself excluded). */
  args: string[];
  /** True when a response file was expanded: rewritten commands then go through a new response file. */
  usedResponseFile: boolean;
  mode: Mode;
  passReason: PassThroughReason | null;
  inputs: Input[];
  /** -o value and the token indices it occupies. */
  output: string | null;
  deps: DepOptions;
  /** Target-selecting options (-m32, --target, --sysroot...), in order: they key the runtime build. */
  targetArgs: string[];
  shared: boolean;
  /** -r: partial link, never gets the runtime. */
  partialLink: boolean;
  /** -nostdlib and friends: the runtime needs libc, so it is not added. */
  noStdlib: boolean;
  prefixMaps: PrefixMap[];
  /** -iquote directories, then -I directories, in order (for the instrumenter's header lookup). */
  quoteDirs: string[];
  includeDirs: string[];
  /** Macros the command line defines (name -> value, `1` when none is given) or undefines (null), in order. */
  macros: Array<[name: string, value: string | null]>;
  /** The user chose diagnostics colour explicitly. */
  colorChosen: boolean;
  /** Token indices that only matter to the linker (dropped from a split compile). */
  linkOnly: Set<number>;
  /** Token indices of -o and its value (dropped/replaced in a split compile). */
  outputTokens: number[];
  /** Token indices of dependency options (-MD, -MF x...). */
  depTokens: number[];
}
