// C text spincheck inserts: hook calls, the prelude before the first hooked declaration, the trailer at the end.
import type { Site } from '../model/index.js';
import { ROLE_CODE, SITE_KINDS } from '../model/index.js';
import prelude from '../runtime-c/spincheck_prelude.h';
import type { Dialect } from './types.js';

/** Marks an instrumented file; instrumenting it again is a no-op. */
export const INSTRUMENTED_MARKER = 'SPINCHECK_PRELUDE_H';

/** A C string literal for arbitrary text (octal escapes for anything unusual). */
export function cString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f && ch !== '?') out += ch;
    else if (code < 0x100) out += `\\${code.toString(8).padStart(3, '0')}`;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

export const hook = {
  acquireArg: (site: number) => `SPINCHECK_ACQ(${site}, `,
  acquireAfter: (site: number) => `, SPINCHECK_ACQ_POST(${site}))`,
  releaseArg: (site: number) => `SPINCHECK_REL(${site}, `,
  register: (site: number, role: 'dispatch' | 'cancel') => `SPINCHECK_REG(${site}, ${ROLE_CODE[role]}, `,
  begin: (entry: number, other: number, role: keyof typeof ROLE_CODE, name: string, irql: string) =>
    ` SPINCHECK_BEGIN(${entry}, ${other}, ${ROLE_CODE[role]}, ${name}, ${irql})`,
  ret: (site: number) => `{ SPINCHECK_RET(${site}) `,
  end: (site: number) => `SPINCHECK_END(${site}) `,
};

/** The prelude block (with the cl runtime's `#pragma comment(lib)` when given), then a #line back to `line`. */
export function preludeBlock(line: number, dialect: Dialect, pragmaLib?: string): string {
  const seh = dialect === 'msvc' ? '#define SPINCHECK_USE_SEH 1\n' : '';
  const lib = pragmaLib === undefined ? '' : `#pragma comment(lib, ${cString(pragmaLib)})\n`;
  return `${seh}${prelude.trimEnd()}\n${lib}#line ${line}\n`;
}

const SITE_KIND_CODE = (kind: Site['kind']): number => SITE_KINDS.indexOf(kind) + 1;

/** Definitions of the translation unit's counters and site table, appended after the last line. */
export function trailer(sites: Site[], tuId: string, sourceName: string, dataDir: string | undefined): string {
  const n = sites.length;
  const rows = sites
    .map((s) => `{${SITE_KIND_CODE(s.kind)}u, ${s.line}u, ${s.column}u, ${s.function ? cString(s.function) : '0'}}`)
    .join(',\n  ');
  return [
    '',
    `static spincheck_u64 spincheck_hits_[${n}];`,
    `static spincheck_u64 spincheck_held_[${n}];`,
    `static const struct spincheck_site spincheck_sites_[${n}] = {\n  ${rows}\n};`,
    `static struct spincheck_tu spincheck_tu_ SPINCHECK_UNUSED = {SPINCHECK_ABI_VERSION, ${cString(tuId)}, ${cString(sourceName)}, ` +
      `${dataDir === undefined ? '0' : cString(dataDir)}, ${n}u, spincheck_hits_, spincheck_held_, spincheck_sites_, 0, 0};`,
    '',
  ].join('\n');
}
