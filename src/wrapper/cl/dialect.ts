// spincheck-cl's dialect: cl flags, Windows response files, CL/_CL_, SEH exits, the runtime by #pragma comment(lib).
import { resolve, win32 } from 'node:path';
import type { ToolNames } from '../compiler.js';
import type { CommandContext, WrapperDialect } from '../dialect.js';
import { linkFallbackText } from './link-fallback.js';
import { parseClArgs } from './parse.js';
import type { ClCommand } from './parse.js';
import { responseFileBytes } from './response-file.js';
import { clRules } from './rules.js';
import { ensureClRuntime } from './runtime.js';

export const CL_TOOL: ToolNames = { tool: 'spincheck-cl', envVar: 'SPINCHECK_CL', defaultCompiler: 'cl', slashOptions: true };

/** The runtime library for a command's C runtime variant, built once per command and only when asked. */
function runtimePragma(ctx: CommandContext): () => string | undefined {
  let asked = false;
  let lib: string | undefined;
  return () => {
    if (asked) return lib;
    asked = true;
    if (ctx.config.linkRuntime === 'never') return undefined;
    const cmd = ctx.cmd as ClCommand;
    const r = ensureClRuntime(ctx.chain, cmd.crt, cmd.targetArgs, ctx.config.cacheDir, ctx.env, ctx.cwd, ctx.self);
    if (r.ok) lib = r.lib;
    else ctx.warn(`no spincheck runtime library (${r.error}): instrumented objects link with no-op stand-ins`);
    return lib;
  };
}

export const CL_DIALECT: WrapperDialect = {
  names: CL_TOOL,
  compilerFromConfig: (config, env) => config?.cl ?? (env.SPINCHECK_CL ? env.SPINCHECK_CL.split(/\s+/).filter(Boolean) : null),
  parse: (args, cwd, env, chain) => parseClArgs(args, { cwd, env, clang: chain.kind === 'clang' }),
  rules: (chain) => clRules(chain.kind === 'clang'),
  responseFile: responseFileBytes,
  // CreateProcess takes at most 32767 characters.
  maxCommandChars: 30_000,
  objectSuffix: '.obj',
  parsedEnv: (env) => {
    const out = { ...env };
    delete out.CL;
    delete out._CL_;
    return out;
  },
  linksRuntime: false,
  diagnosticsOnStdout: true,
  rewritesDepFiles: false,
  sourceOptions: (ctx) => {
    const cmd = ctx.cmd as ClCommand;
    const windows = process.platform === 'win32';
    return {
      dialect: 'msvc',
      lineName: (input, abs) => (cmd.fullPaths ? (windows ? win32.resolve(ctx.cwd, input.path) : resolve(abs)) : input.path),
      pragmaLib: runtimePragma(ctx),
      suffix: linkFallbackText(),
    };
  },
};
