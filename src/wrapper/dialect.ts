// What one compiler dialect (gcc/clang, cl) supplies to the shared wrapper flow in wrapper.ts.
import type { ParsedCommand } from './command.js';
import type { CompilerChain, Self, ToolNames } from './compiler.js';
import type { WrapperConfig } from './config.js';
import type { DialectRules } from './plan.js';
import type { SourceContext } from './source.js';

/** What a dialect may know about one command when it sets up its sources. */
export interface CommandContext {
  cmd: ParsedCommand;
  chain: CompilerChain;
  config: WrapperConfig;
  /** Environment the compiler runs with (SPINCHECK_DEPTH raised). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  self: Self;
  warn(message: string): void;
  note(message: string): void;
}

export interface WrapperDialect {
  names: ToolNames;
  /** The real compiler from configuration when the command names none (SPINCHECK_CC / SPINCHECK_CL). */
  compilerFromConfig(config: WrapperConfig | null, env: NodeJS.ProcessEnv): string[] | null;
  /** Parses the arguments after the compiler (response files and, for cl, CL/_CL_ included). */
  parse(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, chain: CompilerChain): ParsedCommand;
  rules(chain: CompilerChain): DialectRules;
  /** Contents of a response file holding `args`. */
  responseFile(args: readonly string[]): string | Uint8Array;
  /** Rewritten commands longer than this go through a response file (G12). */
  maxCommandChars: number;
  /** Suffix of temporary objects in a split compile+link. */
  objectSuffix: string;
  /** Environment for the runs of a parsed command (cl: CL and _CL_ are already in the arguments). */
  parsedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Links get the runtime appended (gcc); cl's objects name it themselves (`#pragma comment(lib)`). */
  linksRuntime: boolean;
  /** The compiler prints diagnostics on stdout (cl): a hidden failed attempt must capture it too. */
  diagnosticsOnStdout: boolean;
  /** Dependency files (-MD...) are rewritten after an instrumented compile. */
  rewritesDepFiles: boolean;
  /** Per-command options for the instrumented copies (cl: SEH, runtime pragma, link fallback). */
  sourceOptions(ctx: CommandContext): Pick<SourceContext, 'dialect' | 'lineName' | 'pragmaLib' | 'suffix'>;
}
