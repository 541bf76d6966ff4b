// Decoration macros before the type of a top-level declaration are blanked (same length); nothing else is touched.
import { describe, expect, it } from 'vitest';
import { blankDecorations } from '../../src/instrument/decorations.js';

/** The words of `text` that blanking removed. */
function blanked(text: string): string[] {
  const out = blankDecorations(text);
  expect(out).toHaveLength(text.length);
  const removed: string[] = [];
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    if (out.slice(m.index, m.index + m[0].length).trim() === '') removed.push(m[0]);
  }
  return removed;
}

describe('blankDecorations', () => {
  it.each([
    ['MYDRVAPI VOID MyCancel(PDEVICE_OBJECT D, PIRP Irp) { return; }', ['MYDRVAPI']],
    ['static MYDRVAPI MYPAGED NTSTATUS MyRead(PDEVICE_OBJECT D, PIRP Irp);', ['MYDRVAPI', 'MYPAGED']],
    ['MYDRVAPI VOID MYCALL MyCancel(PDEVICE_OBJECT D, PIRP Irp);', ['MYDRVAPI', 'MYCALL']],
    ['MYDRVAPI DRIVER_CANCEL MyCancel, Other;', ['MYDRVAPI']],
    ['MYAPI struct foo *make(void);', ['MYAPI']],
    ['MYAPI void *alloc(unsigned n);', ['MYAPI']],
    ['EXPORTED PDEVICE_OBJECT *Devices;', ['EXPORTED']],
    ['\uFEFF#include "x.h"\nX DRIVER_CANCEL C;\n', ['X']],
  ])('%s', (text, expected) => {
    expect(blanked(text)).toEqual(expected);
  });

  it.each([
    'VOID MyCancel(PDEVICE_OBJECT D, PIRP Irp) { return; }',
    'typedef VOID DRIVER_CANCEL(PDEVICE_OBJECT D, PIRP Irp);',
    'struct s { int a; MYTYPE b c; } v;',
    'static const unsigned long x = A B C;',
    'void f(void) { FOO BAR baz(1); return; }',
    'MODULE_THING(a, b) VOID f(void) { }',
    '#define DECL A B C(x)\n',
    '/* A B C(x) */ "A B C(" int x;',
    'PIRP Irp;',
    'extern "C" {\nint f(void);\n}\n',
    '#ifdef __cplusplus\nextern "C" {\n#endif\nNTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R);\n',
  ])('leaves alone: %s', (text) => {
    expect(blanked(text)).toEqual([]);
  });

  it('works after a C++ linkage block opened under #ifdef', () => {
    expect(blanked('#ifdef __cplusplus\nextern "C" {\n#endif\nAPI VOID f(PIRP Irp);\n')).toEqual(['API']);
  });
});
