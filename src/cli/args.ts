// A small argv parser for spincheck's subcommands: --name value, --name=value, repeatable options, `--`.
export class UsageError extends Error {}

export interface OptionSpec {
  /** Takes a value. */
  value?: boolean;
  /** May be given more than once. */
  repeat?: boolean;
}

export interface ParsedArgs {
  options: Map<string, string[]>;
  positional: string[];
  /** Everything after `--`. */
  rest: string[];
}

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const parsed: ParsedArgs = { options: new Map(), positional: [], rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      parsed.rest = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    let value = 'true';
    if (s.value) {
      const v = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      value = v;
    } else if (eq >= 0) throw new UsageError(`--${name} takes no value`);
    const list = parsed.options.get(name) ?? [];
    if (list.length > 0 && !s.repeat) throw new UsageError(`--${name} given twice`);
    list.push(value);
    parsed.options.set(name, list);
  }
  return parsed;
}

export const one = (p: ParsedArgs, name: string): string | undefined => p.options.get(name)?.[0];
export const many = (p: ParsedArgs, name: string): string[] => p.options.get(name) ?? [];
export const flag = (p: ParsedArgs, name: string): boolean => p.options.has(name);
