// spincheck-cc's dialect: gcc/clang flags, gcc response files, the runtime appended to links.
import { GCC_TOOL } from '../compiler.js';
import type { WrapperDialect } from '../dialect.js';
import { parseGccArgs } from './parse.js';
import { responseFileText } from './response-file.js';
import { GCC_RULES } from './rules.js';

export const GCC_DIALECT: WrapperDialect = {
  names: GCC_TOOL,
  compilerFromConfig: (config, env) => config?.cc ?? (env.SPINCHECK_CC ? env.SPINCHECK_CC.split(/\s+/).filter(Boolean) : null),
  parse: (args, cwd) => parseGccArgs(args, cwd),
  rules: () => GCC_RULES,
  responseFile: responseFileText,
  maxCommandChars: 100_000,
  objectSuffix: '.o',
  parsedEnv: (env) => env,
  linksRuntime: true,
  diagnosticsOnStdout: false,
  rewritesDepFiles: true,
  sourceOptions: () => ({}),
};
