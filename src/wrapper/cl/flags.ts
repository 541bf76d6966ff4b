// The cl flag table: the only place that knows cl (and clang-cl) options. Names use the `/` spelling; `-x` is looked
// up as `/x`. Sorted by name (a test checks); every row has an argv case in test/wrapper-cl/flags.test.ts.
import { FlagTable } from '../flag-table.js';
import type { Arity, FlagRowBase } from '../flag-table.js';
import type { PassThroughReason } from '../reasons.js';

/** What the wrapper does with a cl option; options not in the table are flags it keeps. */
export type ClEffect =
  | { kind: 'none' }
  | { kind: 'pass-through'; reason: PassThroughReason }
  | { kind: 'compile-only' }
  /** /Fo: object file or directory (M2). */
  | { kind: 'object-output' }
  /** /Fe, /o: the linked program (or, with /c, clang-cl's object). */
  | { kind: 'exe-output' }
  /** Options that only matter to the link (/F stack size, /Fm map). */
  | { kind: 'link-only' }
  /** /link: everything after it is the linker's (M10). */
  | { kind: 'link-rest' }
  /** /Tc, /Tp: this one file is C or C++ (M7). */
  | { kind: 'language-file'; language: 'c' | 'c++' }
  /** /TC, /TP: every source is C or C++ (M7). */
  | { kind: 'language-all'; language: 'c' | 'c++' }
  /** /MT, /MD and debug variants: the C runtime the runtime library must match. */
  | { kind: 'crt'; crt: Crt }
  /** /LD, /LDd: a DLL; implies /MT (/MTd) unless /MD is given. */
  | { kind: 'dll'; crt: Crt }
  /** Options that change the ABI the runtime library is built for (calling convention, target). */
  | { kind: 'target' }
  /** clang-cl's /clang:OPT: a target when OPT is one. */
  | { kind: 'clang-option' }
  | { kind: 'include-dir' }
  /** /D, /U: a macro defined or undefined on the command line (the path analysis reads #if by them). */
  | { kind: 'macro'; undefine: boolean }
  /** /X: INCLUDE is not searched. */
  | { kind: 'no-env-include' }
  /** /FI: forced include, made absolute (M6). */
  | { kind: 'forced-include' }
  /** /FC: full paths in diagnostics and __FILE__. */
  | { kind: 'full-paths' }
  | { kind: 'end-of-options' };

export type Crt = 'MT' | 'MTd' | 'MD' | 'MDd';

export interface ClFlagRow extends FlagRowBase {
  effect: ClEffect;
}

const none: ClEffect = { kind: 'none' };
const query: ClEffect = { kind: 'pass-through', reason: 'query' };
const preprocess: ClEffect = { kind: 'pass-through', reason: 'preprocess' };
const pch: ClEffect = { kind: 'pass-through', reason: 'precompiled-header' };
const target: ClEffect = { kind: 'target' };

function row(name: string, arity: Arity, effect: ClEffect = none): ClFlagRow {
  return { name, arity, effect };
}

export const CL_FLAG_ROWS: readonly ClFlagRow[] = [
  row('--', 'flag', { kind: 'end-of-options' }),
  row('--target', 'separate', target),
  row('--target=', 'joined', target),
  row('--version', 'flag', query),
  row('/###', 'flag', query),
  row('/?', 'flag', query),
  row('/AI', 'joined-or-separate'),
  row('/D', 'joined-or-separate', { kind: 'macro', undefine: false }),
  row('/E', 'flag', preprocess),
  row('/EP', 'flag', preprocess),
  row('/F', 'separate', { kind: 'link-only' }),
  row('/FC', 'flag', { kind: 'full-paths' }),
  row('/FI', 'joined-or-separate', { kind: 'forced-include' }),
  row('/FU', 'joined-or-separate'),
  row('/Fa:', 'separate'),
  row('/Fd:', 'separate'),
  row('/Fe', 'joined', { kind: 'exe-output' }),
  row('/Fe:', 'separate', { kind: 'exe-output' }),
  row('/Fi:', 'separate'),
  row('/Fm', 'joined', { kind: 'link-only' }),
  row('/Fm:', 'separate', { kind: 'link-only' }),
  row('/Fo', 'joined', { kind: 'object-output' }),
  row('/Fo:', 'separate', { kind: 'object-output' }),
  row('/Fp:', 'separate'),
  row('/Gd', 'flag', target),
  row('/Gr', 'flag', target),
  row('/Gv', 'flag', target),
  row('/Gz', 'flag', target),
  row('/I', 'joined-or-separate', { kind: 'include-dir' }),
  row('/LD', 'flag', { kind: 'dll', crt: 'MT' }),
  row('/LDd', 'flag', { kind: 'dll', crt: 'MTd' }),
  row('/MD', 'flag', { kind: 'crt', crt: 'MD' }),
  row('/MDd', 'flag', { kind: 'crt', crt: 'MDd' }),
  row('/MT', 'flag', { kind: 'crt', crt: 'MT' }),
  row('/MTd', 'flag', { kind: 'crt', crt: 'MTd' }),
  row('/P', 'flag', preprocess),
  row('/TC', 'flag', { kind: 'language-all', language: 'c' }),
  row('/TP', 'flag', { kind: 'language-all', language: 'c++' }),
  row('/Tc', 'joined-or-separate', { kind: 'language-file', language: 'c' }),
  row('/Tp', 'joined-or-separate', { kind: 'language-file', language: 'c++' }),
  row('/U', 'joined-or-separate', { kind: 'macro', undefine: true }),
  row('/X', 'flag', { kind: 'no-env-include' }),
  row('/Xclang', 'separate'),
  row('/Yc', 'flag', pch),
  row('/Yc', 'joined', pch),
  row('/Yu', 'flag', pch),
  row('/Yu', 'joined', pch),
  row('/Zs', 'flag', { kind: 'pass-through', reason: 'syntax-only' }),
  row('/c', 'flag', { kind: 'compile-only' }),
  row('/clang:', 'joined', { kind: 'clang-option' }),
  row('/external:I', 'joined-or-separate', { kind: 'include-dir' }),
  row('/help', 'flag', query),
  row('/imsvc', 'joined-or-separate', { kind: 'include-dir' }),
  row('/link', 'flag', { kind: 'link-rest' }),
  row('/m32', 'flag', target),
  row('/m64', 'flag', target),
  row('/mllvm', 'separate'),
  row('/o', 'separate', { kind: 'exe-output' }),
  row('/sourceDependencies', 'joined-or-separate', { kind: 'pass-through', reason: 'unsupported-output' }),
  row('/target', 'separate', target),
  row('/v', 'flag', query),
];

export const CL_FLAGS = new FlagTable<ClFlagRow>(CL_FLAG_ROWS);

/** `-x` and `/x` name the same cl option: the table is looked up with `/` (`--long` options stay). */
export function slashSpelling(token: string): string {
  return token.startsWith('-') && !token.startsWith('--') ? `/${token.slice(1)}` : token;
}

/** clang-cl `/clang:` options that select the target (they key the runtime build). */
export function isClangTargetOption(option: string): boolean {
  return /^(-m32|-m64|--target=|-target$|-march=|-mcpu=)/.test(option);
}
