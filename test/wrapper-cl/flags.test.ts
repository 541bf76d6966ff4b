// The cl flag table: sorted, every row exercised by an argv case; response files and CL/_CL_ (M11, M13).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CL_FLAG_ROWS, CL_FLAGS, slashSpelling } from '../../src/wrapper/cl/flags.js';
import { parseClArgs } from '../../src/wrapper/cl/parse.js';
import type { ClCommand } from '../../src/wrapper/cl/parse.js';
import {
  clEnvOptions,
  decodeResponseFile,
  quoteWindowsArg,
  responseFileBytes,
  splitWindowsCommandLine,
} from '../../src/wrapper/cl/response-file.js';

type Expect = Partial<Pick<ClCommand, 'mode' | 'passReason' | 'output' | 'targetArgs' | 'shared' | 'crt' | 'fullPaths' | 'includeDirs' | 'macros'>> & {
  inputs?: string[];
  languages?: string[];
  linkOnly?: string[];
  outputTokens?: string[];
  args?: string[];
};

const Q = { mode: 'pass-through', passReason: 'query' } as const;
const PP = { mode: 'pass-through', passReason: 'preprocess' } as const;
const PCH = { mode: 'pass-through', passReason: 'precompiled-header' } as const;

// argv (compiler excluded) -> what the parse must say. Sorted by the option exercised.
const CASES: Array<[string[], Expect]> = [
  [['/c', '--', '/odd.c'], { mode: 'compile', inputs: ['/odd.c'] }],
  [['--target', 'i686-pc-windows-msvc', '/c', 'a.c'], { targetArgs: ['/MT', '--target', 'i686-pc-windows-msvc'], inputs: ['a.c'] }],
  [['--target=i686-pc-windows-msvc', '/c', 'a.c'], { targetArgs: ['/MT', '--target=i686-pc-windows-msvc'] }],
  [['--version'], Q],
  [['-###', 'a.c'], Q],
  [['/?'], Q],
  [['/AI', 'refs', '/AIrefs2', '/c', 'a.c'], { inputs: ['a.c'] }],
  [['/D', 'X=1', '-DY', '/DZ#1', '/c', 'a.c'], { inputs: ['a.c'], mode: 'compile' }],
  [['/E', 'a.c'], PP],
  [['/EP', 'a.c'], PP],
  [['a.obj', '/F', '4096'], { mode: 'link', linkOnly: ['/F', '4096'], inputs: ['a.obj'] }],
  [['/FC', '/c', 'a.c'], { fullPaths: true }],
  [['/FI', 'cfg.h', '/FIcfg2.h', '/c', 'a.c'], { inputs: ['a.c'], args: ['/FI', 'cfg.h', '/FIcfg2.h', '/c', 'a.c'] }],
  [['/FU', 'x.dll', '/c', 'a.c'], { inputs: ['a.c'] }],
  [['/Fa:', 'a.asm', '/c', 'a.c'], { inputs: ['a.c'] }],
  [['/Fd:', 'vc.pdb', '/Zi', '/c', 'a.c'], { inputs: ['a.c'] }],
  [['a.c', '/Feprog.exe'], { output: 'prog.exe', mode: 'compile-link', outputTokens: ['/Feprog.exe'] }],
  [['a.c', '-Fe:', 'my prog.exe'], { output: 'my prog.exe', outputTokens: ['-Fe:', 'my prog.exe'] }],
  [['/P', '/Fi:', 'a.i', 'a.c'], PP],
  [['a.c', '/Fmprog.map'], { linkOnly: ['/Fmprog.map'] }],
  [['a.c', '/Fm:', 'prog.map'], { linkOnly: ['/Fm:', 'prog.map'] }],
  [['/c', 'a.c', '/Foout\\'], { mode: 'compile', outputTokens: ['/Foout\\'], output: null }],
  [['/c', 'a.c', '/Fo:', 'out/a.obj'], { outputTokens: ['/Fo:', 'out/a.obj'] }],
  [['/Fp:', 'x.pch', '/c', 'a.c'], { inputs: ['a.c'] }],
  [['/Gd', '/c', 'a.c'], { targetArgs: ['/MT', '/Gd'] }],
  [['/Gr', '/c', 'a.c'], { targetArgs: ['/MT', '/Gr'] }],
  [['/Gv', '/c', 'a.c'], { targetArgs: ['/MT', '/Gv'] }],
  [['/Gz', '/c', 'a.c'], { targetArgs: ['/MT', '/Gz'] }],
  [['/D', 'X=1', '-DY', '/UZ', '/c', 'a.c'], { macros: [['X', '1'], ['Y', '1'], ['Z', null]] }],
  [['/I', 'inc', '/Iinc2', '-Iinc 3', '/c', 'a.c'], { includeDirs: ['inc', 'inc2', 'inc 3'], inputs: ['a.c'] }],
  [['/LD', 'a.c'], { shared: true, crt: 'MT', mode: 'compile-link' }],
  [['/LDd', 'a.c'], { shared: true, crt: 'MTd' }],
  [['/LDd', '/MD', 'a.c'], { shared: true, crt: 'MD', targetArgs: ['/MD'] }],
  [['/MD', '/c', 'a.c'], { crt: 'MD', targetArgs: ['/MD'] }],
  [['/MDd', '/c', 'a.c'], { crt: 'MDd' }],
  [['/MD', '-MT', '/c', 'a.c'], { crt: 'MT' }],
  [['/MTd', '/c', 'a.c'], { crt: 'MTd', targetArgs: ['/MTd'] }],
  [['/P', 'a.c'], PP],
  [['/TC', '/c', 'a.txt', 'b.cpp', 'c.obj'], { languages: ['c', 'c', 'linker-input'] }],
  [['/TP', '/c', 'a.c'], { languages: ['c++'] }],
  [['/c', '/Tc', 'drv.x', '/Tcdrv2.x', 'a.cpp'], { inputs: ['drv.x', 'drv2.x', 'a.cpp'], languages: ['c', 'c', 'c++'], args: ['/c', '/Tc', 'drv.x', '/Tc', 'drv2.x', 'a.cpp'] }],
  [['/c', '/Tp', 'drv.c'], { languages: ['c++'] }],
  [['/U', 'X', '/UY', '/c', 'a.c'], { inputs: ['a.c'] }],
  [['/X', '/c', 'a.c'], { includeDirs: [] }],
  [['/Xclang', '-ast-dump', '/c', 'a.c'], { inputs: ['a.c'] }],
  [['/Yc', '/c', 'pch.c'], PCH],
  [['/Ycpch.h', '/c', 'pch.c'], PCH],
  [['/Yu', '/c', 'a.c'], PCH],
  [['/Yupch.h', '/c', 'a.c'], PCH],
  [['/Zs', 'a.c'], { mode: 'pass-through', passReason: 'syntax-only' }],
  [['/c', 'a.c', 'b.c'], { mode: 'compile', inputs: ['a.c', 'b.c'] }],
  [['/clang:-m32', '/clang:-O3', '/c', 'a.c'], { targetArgs: ['/MT', '/clang:-m32'] }],
  [['/external:I', 'sdk', '/c', 'a.c'], { includeDirs: ['sdk'] }],
  [['/help'], Q],
  [['/imsvc', 'sdk', '-imsvcsdk2', '/c', 'a.c'], { includeDirs: ['sdk', 'sdk2'] }],
  [['a.c', '/link', '/OUT:x.exe', 'k.lib', '/NODEFAULTLIB'], { mode: 'compile-link', inputs: ['a.c'], linkOnly: ['/link', '/OUT:x.exe', 'k.lib', '/NODEFAULTLIB'] }],
  [['/m32', '/c', 'a.c'], { targetArgs: ['/MT', '/m32'] }],
  [['-m64', '/c', 'a.c'], { targetArgs: ['/MT', '-m64'] }],
  [['/mllvm', '-x', '/c', 'a.c'], { inputs: ['a.c'] }],
  [['-o', 'a.exe', 'a.c'], { output: 'a.exe', outputTokens: ['-o', 'a.exe'] }],
  [['/sourceDependencies', 'a.json', '/c', 'a.c'], { mode: 'pass-through', passReason: 'unsupported-output' }],
  [['-target', 'i686-pc-windows-msvc', '/c', 'a.c'], { targetArgs: ['/MT', '-target', 'i686-pc-windows-msvc'] }],
  [['-v'], Q],
  // Not options of the table: inputs, stdin, no inputs, unknown options kept.
  [['/c', '-'], { mode: 'pass-through', passReason: 'stdin' }],
  [['/nologo', '/W4'], { mode: 'pass-through', passReason: 'no-inputs' }],
  [['/nologo', '/W4', '/showIncludes', '/c', 'x y\\a.c'], { mode: 'compile', inputs: ['x y\\a.c'] }],
  [['a.obj', 'b.lib', 'c.res'], { mode: 'link', languages: ['linker-input', 'linker-input', 'linker-input'] }],
  [['A.C', 'b.CPP', 'c.cxx', 'd.cc', 'e.h', 'f.asm'], { languages: ['c', 'c++', 'c++', 'c++', 'linker-input', 'linker-input'] }],
];

function check(argv: string[], expected: Expect, env: NodeJS.ProcessEnv = {}): ClCommand {
  const p = parseClArgs(argv, { cwd: '/', env, clang: true, windows: false });
  const { inputs, languages, linkOnly, outputTokens, args, ...plain } = expected;
  for (const [k, v] of Object.entries(plain)) expect(p[k as keyof ClCommand], `${argv.join(' ')}: ${k}`).toEqual(v);
  if (inputs) expect(p.inputs.map((x) => x.path)).toEqual(inputs);
  if (languages) expect(p.inputs.map((x) => x.language)).toEqual(languages);
  if (linkOnly) expect([...p.linkOnly].sort((a, b) => a - b).map((i) => p.args[i])).toEqual(linkOnly);
  if (outputTokens) expect(p.outputTokens.map((i) => p.args[i])).toEqual(outputTokens);
  if (args) expect(p.args).toEqual(args);
  return p;
}

describe('cl flag table', () => {
  it('is sorted by name; a name appears twice only as a flag and its joined form', () => {
    const rows = CL_FLAG_ROWS;
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      if (a.name === b.name) expect([a.arity, b.arity]).toEqual(['flag', 'joined']);
      else expect(a.name < b.name, `${a.name} < ${b.name}`).toBe(true);
    }
  });

  it('has every row exercised by an argv case', () => {
    const hit = new Set<ClFlagKey>();
    type ClFlagKey = string;
    for (const [argv] of CASES) {
      const spelled = argv.map(slashSpelling);
      for (let i = 0; i < argv.length; ) {
        const m = /^[-/]/.test(argv[i]!) ? CL_FLAGS.match(spelled, i) : null;
        if (m) hit.add(`${m.row.name}:${m.row.arity}`);
        i += m?.consumed ?? 1;
      }
    }
    expect(CL_FLAG_ROWS.map((r) => `${r.name}:${r.arity}`).filter((n) => !hit.has(n))).toEqual([]);
  });

  it.each(CASES.map(([argv, e]) => [argv.join(' '), argv, e] as const))('%s', (_name, argv, e) => {
    check([...argv], e);
  });

  it('reads /openmp as an unknown flag, not /o with a value', () => {
    check(['/openmp', '/c', 'a.c'], { output: null, outputTokens: [], inputs: ['a.c'] });
  });

  it('takes an existing absolute POSIX path as an input, not as an option (clang-cl on Linux)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-clflags-'));
    const src = join(dir, 'Udrv.c');
    writeFileSync(src, 'int x;\n');
    check(['/c', src], { inputs: [src], languages: ['c'] });
  });
});

describe('CL and _CL_ (M13)', () => {
  it('adds CL before and _CL_ after the command line; # reads as =', () => {
    const p = check(['/c', 'a.c'], { inputs: ['b.c', 'a.c'] }, { CL: '/DX#1 /nologo b.c', _CL_: '/Fo"out dir\\\\"' });
    expect(p.args).toEqual(['/DX=1', '/nologo', 'b.c', '/c', 'a.c', '/Foout dir\\']);
    expect(p.usedEnvVariables).toBe(true);
  });

  it('can make a command compile-only', () => {
    check(['a.c'], { mode: 'compile' }, { CL: '/c' });
  });
});

describe('response files (M11)', () => {
  const SPLIT: Array<[string, string[]]> = [
    ['/c a.c', ['/c', 'a.c']],
    ['"my src\\a.c"\r\n/Fo"out\\\\"', ['my src\\a.c', '/Foout\\']],
    ['/D"a&b" /DQ=\\"x\\"', ['/Da&b', '/DQ="x"']],
    ['"a""b" c\\\\\\"d e\\f', ['a"b', 'c\\"d', 'e\\f']],
    ['""  \t x', ['', 'x']],
  ];
  it.each(SPLIT)('splits %j', (text, args) => {
    expect(splitWindowsCommandLine(text)).toEqual(args);
  });

  it.each([['plain'], ['with space'], ['trailing\\'], ['q"uote'], [''], ['C:\\dir with space\\'], ['a\\\\"b']])(
    'quotes %j so that it splits back',
    (arg) => {
      expect(splitWindowsCommandLine(quoteWindowsArg(arg))).toEqual([arg]);
    },
  );

  it('writes UTF-16LE with a BOM and reads it back', () => {
    const args = ['/c', 'dé jà\\a.c', '/Fo"x"'];
    const bytes = responseFileBytes(args);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(splitWindowsCommandLine(decodeResponseFile(bytes))).toEqual(args);
  });

  it('reads UTF-8 with and without BOM, UTF-16BE with BOM, and Latin-1', () => {
    expect(decodeResponseFile(Buffer.from('\uFEFF/c é.c', 'utf8'))).toBe('/c é.c');
    expect(decodeResponseFile(Buffer.from('/c é.c', 'utf8'))).toBe('/c é.c');
    const be = Buffer.from('\uFEFF/c', 'utf16le').swap16();
    expect(decodeResponseFile(be)).toBe('/c');
    expect(decodeResponseFile(Buffer.from([0x2f, 0x63, 0x20, 0xe9]))).toBe('/c é');
  });

  it('expands nested response files; an unreadable one stays literal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spincheck-clrsp-'));
    writeFileSync(join(dir, 'inner.rsp'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('/c "s p.c"', 'utf16le')]));
    writeFileSync(join(dir, 'outer.rsp'), '/nologo @inner.rsp /DX');
    const p = parseClArgs(['@outer.rsp', '@missing.rsp'], { cwd: dir, env: {}, clang: true, windows: false });
    expect(p.args).toEqual(['/nologo', '/c', 's p.c', '/DX', '@missing.rsp']);
    expect(p.usedResponseFile).toBe(true);
    expect(p.mode).toBe('compile');
  });

  it('CL options: first # of each is =', () => {
    expect(clEnvOptions('/DA#1 /DB#2#3 "/DC#x y"')).toEqual(['/DA=1', '/DB=2#3', '/DC=x y']);
    expect(clEnvOptions(undefined)).toEqual([]);
  });
});
