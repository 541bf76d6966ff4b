// How the cl dialect spells what the wrapper adds: `/I <source dir>` first (M5), objects by /Fo, no dependency files.
import type { DialectRules } from '../plan.js';

/** The rules for cl.exe, or for clang-cl (which also maps the copy's directory in debug info, M3/M4). */
export function clRules(clang: boolean): DialectRules {
  return {
    quoteDirArgs: (origDir) => ['/I', origDir === '' ? '.' : origDir],
    prefixMapArgs(copyDir, origDir) {
      if (!clang) return [];
      const sep = copyDir.includes('\\') ? '\\' : '/';
      const to = origDir === '' ? '' : /[\\/]$/.test(origDir) ? origDir : `${origDir}${sep}`;
      return [`/clang:-ffile-prefix-map=${copyDir}${sep}=${to}`];
    },
    compileToObjectArgs: (object) => ['/c', `/Fo${object}`],
    depFileArgs: () => [],
    objectInputArgs: (object) => [object],
    colorArgs: () => [],
    // cl's objects name the runtime library themselves (#pragma comment(lib)): nothing is appended to links.
    runtimeArgs: () => [],
    splitDepNames: () => ({ file: '', target: '' }),
  };
}
