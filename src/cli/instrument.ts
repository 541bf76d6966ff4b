// `spincheck instrument FILE`: prints the rewritten source, or with --sites the sites as JSON.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { instrument } from '../instrument/index.js';
import type { Dialect } from '../instrument/types.js';
import { tuId } from '../model/tu-id.js';
import { UsageError, flag, many, one, parseArgs } from './args.js';
import type { CliEnv } from './report.js';

/** Resolves `#include "spec"` as the compiler would: the includer's directory, then the given directories. */
export function includeResolver(dirs: string[]) {
  return (spec: string, includer: string | undefined) => {
    for (const base of [...(includer ? [dirname(includer)] : []), ...dirs]) {
      const path = resolve(base, spec);
      if (existsSync(path)) {
        try {
          return { path, text: readFileSync(path, 'latin1') };
        } catch {
          return undefined;
        }
      }
    }
    return undefined;
  };
}

export function instrumentCommand(io: CliEnv, writeBytes: (b: Buffer) => void): number {
  const args = parseArgs(io.argv, { sites: {}, dialect: { value: true }, 'include-dir': { value: true, repeat: true } });
  const file = args.positional[0];
  if (!file || args.positional.length > 1) throw new UsageError('usage: spincheck instrument [--sites] [--dialect gnu|msvc] FILE');
  const dialect = (one(args, 'dialect') ?? 'gnu') as Dialect;
  if (dialect !== 'gnu' && dialect !== 'msvc') throw new UsageError('--dialect takes gnu or msvc');
  const path = resolve(io.cwd, file);
  const bytes = readFileSync(path);
  const result = instrument(bytes.toString('latin1'), {
    tuId: tuId(path, bytes),
    sourceName: file,
    dialect,
    resolveInclude: includeResolver(many(args, 'include-dir').map((d) => resolve(io.cwd, d))),
  });
  for (const d of result.diagnostics) io.stderr(`spincheck: ${file}: ${d}\n`);
  if (flag(args, 'sites')) {
    const { sites, routines, unchecked } = result;
    io.stdout(`${JSON.stringify({ sites, routines, unchecked }, null, 2)}\n`);
  } else {
    writeBytes(Buffer.from(result.code, 'latin1'));
  }
  return 0;
}
