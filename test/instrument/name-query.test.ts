// The text-first form of the names query captures exactly what tree-sitter's query captures.
import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';
import { describe, expect, it } from 'vitest';
import { bigDriverFile } from '../../bench/gen/driver-tree.js';
import { callQuery, declarationQuery, fileQuery, nameQuery, statementQuery } from '../../src/instrument/name-query.js';
import type { CQuery } from '../../src/instrument/parse.js';
import { cParser, withLockApi, withRoleTypes } from '../../src/instrument/parse.js';
import callsTemplate from '../../src/instrument/queries/calls.scm';
import declarationsTemplate from '../../src/instrument/queries/declarations.scm';
import namesTemplate from '../../src/instrument/queries/names.scm';
import functionsScm from '../../src/instrument/queries/functions.scm';
import includesScm from '../../src/instrument/queries/includes.scm';
import macrosScm from '../../src/instrument/queries/macros.scm';
import majorFunctionScm from '../../src/instrument/queries/major-function.scm';
import returnsScm from '../../src/instrument/queries/returns.scm';

// The queries as the instrumenter compiles them: the lock-API placeholder filled in.
const callsScm = withLockApi(callsTemplate);
const namesScm = withLockApi(namesTemplate);
const declarationsScm = withRoleTypes(declarationsTemplate);

const require = createRequire(import.meta.url);
const TreeSitter = require('tree-sitter') as typeof Parser;
const language = require('tree-sitter-c') as Parser.Language;

const TRICKY = `/* IoAcquireCancelSpinLock in a comment */
#define TAKE IoAcquireCancelSpinLock
#define TAKE2(x) IoAcquireCancelSpinLock(x)
static const char *s = "IoReleaseCancelSpinLock";
void (*p)(PKIRQL) = IoAcquireCancelSpinLock;
void MyIoAcquireCancelSpinLock(void); void IoAcquireCancelSpinLockX(void);
void f(void) { KIRQL i; IoAcquireCancelSpinLock(&i); x = &IoReleaseCancelSpinLock; IoReleaseCancelSpinLock(i); }
void g(void) { if (x { IoAcquireCancelSpinLock(&i) } }
int IoReleaseCancelSpinLock;
void k(PKSPIN_LOCK l) { KIRQL o; KeAcquireSpinLock(l, &o); KeReleaseSpinLockX(l); if (KeTryToAcquireSpinLockAtDpcLevel(l)) KeReleaseSpinLock(l, o); }
void h(PIRP irp) { IoSetCancelRoutine(irp, IoSetCancelRoutine(irp, NULL)); (IoAcquireCancelSpinLock)(&i); IoStartPacket(d, irp, 0, 0);
  IoAcquireCancelSpinLock; f(IoReleaseCancelSpinLock(i)); IoReleaseCancelSpinLock(i, }
`;

const matchKey = (m: Parser.QueryMatch) =>
  `${m.pattern}|${m.captures.map((c) => `${c.name}:${c.node.type}:${c.node.startIndex}:${c.node.endIndex}`).sort().join(',')}`;

/** A text-first query matches what tree-sitter's own query matches, on the whole file and under one function. */
function expectSameMatches(fast: CQuery, scm: string, text: string, pick: (fns: Parser.SyntaxNode[]) => Parser.SyntaxNode): void {
  const root = cParser().parse(text).rootNode;
  const slow = new TreeSitter.Query(language, scm).matches(root).map(matchKey);
  expect(fast.matches(root).map(matchKey)).toEqual(slow);
  expect(slow.length).toBeGreaterThan(3);
  const fn = pick(root.namedChildren.filter((n) => n.type === 'function_definition'));
  expect(fast.matches(fn).map(matchKey)).toEqual(new TreeSitter.Query(language, scm).matches(fn).map(matchKey));
}

describe('the calls query', () => {
  it('is read from calls.scm', () => expect(callQuery(callsScm)).toBeDefined());
  for (const [name, text] of [
    ['tricky text', TRICKY],
    ['a generated driver file', bigDriverFile(3000)],
  ] as const) {
    it(`matches what tree-sitter's query matches: ${name}`, () => expectSameMatches(callQuery(callsScm)!, callsScm, text, (fns) => fns.at(-1)!));
  }
});

describe('the names query', () => {
  it('is read from names.scm', () => {
    expect(nameQuery(namesScm)).toBeDefined();
    expect(nameQuery('(identifier) @x')).toBeUndefined();
  });

  for (const [name, text] of [
    ['tricky text (comments, strings, macros, longer names, errors)', TRICKY],
    ['a generated driver file', bigDriverFile(3000)],
  ] as const) {
    it(`captures what tree-sitter's query captures: ${name}`, () => {
      const root = cParser().parse(text).rootNode;
      const fast = nameQuery(namesScm)!.captures(root);
      const slow = new TreeSitter.Query(language, namesScm).captures(root);
      const key = (c: Parser.QueryCapture) => `${c.name}:${c.node.type}:${c.node.startIndex}:${c.node.endIndex}`;
      expect(fast.map(key)).toEqual(slow.map(key));
      expect(slow.length).toBeGreaterThan(2);
      // Also under a subtree, as the instrumenter may ask.
      const fn = root.namedChildren.find((n) => n.type === 'function_definition')!;
      expect(nameQuery(namesScm)!.captures(fn).map(key)).toEqual(new TreeSitter.Query(language, namesScm).captures(fn).map(key));
    });
  }
});

const ROLE_TYPED = `/* DRIVER_CANCEL in a comment */ static const char *s = "DRIVER_DISPATCH";
DRIVER_DISPATCH A, *B, C; DRIVER_CANCEL MyCancel; DRIVER_DISPATCH_PAGED P; DRIVER_DISPATCH_RAISED R;
typedef DRIVER_CANCEL MY_CANCEL; DRIVER_DISPATCHX NotOne; MY_DRIVER_CANCEL NotTwo; struct DRIVER_CANCEL *t;
#define DECL DRIVER_CANCEL Hidden;
void f(DRIVER_CANCEL *c) { DRIVER_CANCEL Local; x = (DRIVER_CANCEL *)y; static DRIVER_DISPATCH In; }
void g(void) { if (x { DRIVER_DISPATCH Broken; } }
const DRIVER_DISPATCH Q; DRIVER_CANCEL
`;

describe('the role declarations query', () => {
  it('is read from declarations.scm', () => expect(declarationQuery(declarationsScm)).toBeDefined());
  for (const [name, text] of [
    ['tricky text (comments, strings, macros, parameters, casts, longer names, errors)', ROLE_TYPED],
    ['a generated driver file (which declares no role) and the tricky text', `${bigDriverFile(3000)}\n${ROLE_TYPED}`],
  ] as const) {
    it(`matches what tree-sitter's query matches: ${name}`, () =>
      expectSameMatches(declarationQuery(declarationsScm)!, declarationsScm, text, (fns) => fns[0]!));
  }
});

const RETURNS = `/* return in a comment */ static const char *s = "return";
#define LEAVE(x) return x
int f(int a) { int returned = 0; if (a) return 1; LEAVE(2); { return returned; } /* return */ return; }
int g(void) { int inner(void) { return 3; } auto int later(void); if (x { return 4; } return inner(); }
void h(void) { while (1) { if (y) return; } }
int k(void) { return
  5; }
`;

describe('the returns query', () => {
  it('is read from returns.scm', () => expect(statementQuery(returnsScm)).toBeDefined());
  for (const [name, text] of [
    ['tricky text (comments, strings, macros, nested functions, longer names, errors)', RETURNS],
    ['a generated driver file and the tricky text', `${bigDriverFile(3000)}\n${RETURNS}`],
  ] as const) {
    it(`matches what tree-sitter's query matches in every function body: ${name}`, () => {
      const root = cParser().parse(text).rootNode;
      const slow = new TreeSitter.Query(language, returnsScm);
      const bodies = root.descendantsOfType('compound_statement');
      const all = (q: CQuery | Parser.Query) => bodies.flatMap((b) => q.matches(b).map(matchKey));
      const expected = all(slow);
      expect(all(statementQuery(returnsScm)!)).toEqual(expected);
      expect(expected.filter((k) => k.startsWith('1|')).length).toBeGreaterThan(0);
      expect(expected.length).toBeGreaterThan(8);
    });
  }
});

const FILE_LEVEL = `/* #define InComment 1 */ static const char *s = "#include \\"q.h\\"";
#include "a.h"
#  include "b.h"
#include <c.h>
#define PLAIN 1
# define FN(x) do { return x; } while (0)
#define EMPTY
#define STR(x) #x
#ifdef X
#define IN_IF(a) (a)
int inIf(void) { return 0; }
#endif
extern "C" { int linked(void) { return 1; } }
NTSTATUS DriverEntry(PDRIVER_OBJECT d) {
  #define LOCAL 2
  d->MajorFunction[IRP_MJ_READ] = Read;
  d->MajorFunction[0] = d->MajorFunction[1] = (Write);
  x[d->MajorFunction] = 1; d->MajorFunction[2] == Nope; y = d->MajorFunction[3];
  d->MajorFunctionX[4] = NotOne; d.MajorFunction[5] = Dot; (d->MajorFunction)[6] = Paren;
  for (i = 0; i < 9; i++) d->MajorFunction[i] = Pass;
  int nested(void) { return 2; }
  return 0;
}
static struct { int MajorFunction; } t = { .MajorFunction = 1 };
void broken(void) { if (x { d->MajorFunction[7] = Broken; } }
int decl(void);
void after(void) { d->MajorFunction[8] = Last; }
`;

describe('the file queries run over whole files (functions, macros, includes, dispatch-table stores)', () => {
  for (const [query, scm] of [
    ['functions', functionsScm],
    ['macros', macrosScm],
    ['includes', includesScm],
    ['dispatch-table stores', majorFunctionScm],
  ] as const) {
    it(`${query}: has a fast form`, () => expect(fileQuery(scm)).toBeDefined());
    for (const [name, text] of [
      ['tricky text (comments, strings, nested, chained, errors)', FILE_LEVEL],
      ['a generated driver file and the tricky text', `${bigDriverFile(3000)}\n${FILE_LEVEL}`],
    ] as const) {
      it(`${query}: matches what tree-sitter's query matches: ${name}`, () => {
        const root = cParser().parse(text).rootNode;
        const slow = new TreeSitter.Query(language, scm);
        const fast = fileQuery(scm)!;
        expect(fast.matches(root).map(matchKey)).toEqual(slow.matches(root).map(matchKey));
        expect(slow.matches(root).length).toBeGreaterThan(1);
        const fn = root.namedChildren.find((n) => n.type === 'function_definition' && n.text.includes('DriverEntry'))!;
        expect(fast.matches(fn).map(matchKey)).toEqual(slow.matches(fn).map(matchKey));
      });
    }
  }
});
