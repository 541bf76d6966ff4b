// A definition's routine shape and IRP parameter, read from its header (with a tree cursor).
import { describe, expect, it } from 'vitest';
import { cParser } from '../../src/instrument/parse.js';
import { routineShape } from '../../src/instrument/shape.js';

const CASES: Array<[string, { candidate: boolean; irp: string | null }]> = [
  ['NTSTATUS A(PDEVICE_OBJECT d, PIRP irp) { return 0; }', { candidate: true, irp: 'irp' }],
  ['VOID B(DEVICE_OBJECT *d, /* the IRP */ IRP *i) { }', { candidate: true, irp: 'i' }],
  ['NTSTATUS (C)(struct _DEVICE_OBJECT *d, struct  _IRP * p) { return 0; }', { candidate: true, irp: 'p' }],
  ['NTSTATUS D(PDEVICE_OBJECT, PIRP) { return 0; }', { candidate: true, irp: null }],
  ['int E(PDEVICE_OBJECT d, PIRP irp) { return 0; }', { candidate: false, irp: 'irp' }],
  ['NTSTATUS F(PDEVICE_OBJECT d, PIRP irp, int x) { return 0; }', { candidate: false, irp: null }],
  ['NTSTATUS G(PDEVICE_OBJECT d, ...) { return 0; }', { candidate: false, irp: null }],
  ['NTSTATUS H(PIRP irp, PDEVICE_OBJECT d) { return 0; }', { candidate: false, irp: null }],
  ['NTSTATUS *I(PDEVICE_OBJECT d, PIRP irp) { return 0; }', { candidate: false, irp: 'irp' }],
  ['VOID J(PDEVICE_OBJECT d, PIRP *irp) { }', { candidate: false, irp: null }],
];

describe('routineShape', () => {
  for (const [text, expected] of CASES) {
    it(text, () => {
      const fn = cParser().parse(text).rootNode.namedChildren.find((n) => n.type === 'function_definition')!;
      expect(routineShape(fn)).toEqual(expected);
    });
  }
});
