// How the gcc/clang dialect spells what the wrapper adds: quote include dir, prefix maps, objects, runtime.
import { basename } from 'node:path';
import type { Input, ParsedCommand, PrefixMap } from '../command.js';
import type { DialectRules } from '../plan.js';

/** Applies the user's prefix maps to a name the way gcc does (the last matching map wins). */
export function applyUserMaps(name: string, maps: readonly PrefixMap[], kinds: ReadonlySet<PrefixMap['kind']>): string {
  let result = name;
  for (const m of maps) {
    if (kinds.has(m.kind) && name.startsWith(m.from)) result = m.to + name.slice(m.from.length);
  }
  return result;
}

const DEBUG = new Set<PrefixMap['kind']>(['file', 'debug']);
const MACRO = new Set<PrefixMap['kind']>(['file', 'macro']);

function stripExt(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? path.slice(0, dot) : path;
}

export const GCC_RULES: DialectRules = {
  quoteDirArgs: (origDir) => ['-iquote', origDir === '' ? '.' : origDir],
  prefixMapArgs(copyDir, origDir, userMaps) {
    const orig = origDir === '' ? '' : origDir.endsWith('/') ? origDir : `${origDir}/`;
    const debug = applyUserMaps(orig, userMaps, DEBUG);
    const macro = applyUserMaps(orig, userMaps, MACRO);
    if (debug === macro) return [`-ffile-prefix-map=${copyDir}/=${debug}`];
    return [`-fdebug-prefix-map=${copyDir}/=${debug}`, `-fmacro-prefix-map=${copyDir}/=${macro}`];
  },
  compileToObjectArgs: (object) => ['-c', '-o', object],
  depFileArgs: (file, target) => [...(file ? ['-MF', file] : []), ...(target ? ['-MT', target] : [])],
  objectInputArgs: (object, activeX) => (activeX ? ['-x', 'none', object, '-x', activeX] : [object]),
  colorArgs: () => ['-fdiagnostics-color=always'],
  runtimeArgs: (lib) => [...lib.pull, lib.archive, ...lib.libs],
  splitDepNames(cmd: ParsedCommand, input: Input) {
    const base = stripExt(basename(input.path));
    if (cmd.output) return { file: `${stripExt(cmd.output)}.d`, target: cmd.output };
    return { file: `a-${base}.d`, target: `a-${base}.o` };
  },
};
