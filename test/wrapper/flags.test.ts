// The gcc flag table: sorted, and every row exercised by an argv case with its expected description.
import { describe, expect, it } from 'vitest';
import type { ParsedCommand } from '../../src/wrapper/command.js';
import { GCC_FLAG_ROWS, GCC_FLAGS } from '../../src/wrapper/gcc/flags.js';
import { parseGccArgs } from '../../src/wrapper/gcc/parse.js';

type Expect = Partial<Pick<ParsedCommand, 'mode' | 'passReason' | 'output' | 'targetArgs' | 'shared' | 'partialLink' | 'noStdlib' | 'colorChosen' | 'quoteDirs' | 'includeDirs' | 'macros'>> & {
  inputs?: string[];
  languages?: string[];
  deps?: Partial<ParsedCommand['deps']>;
  linkOnly?: string[];
  maps?: string[];
};

const Q = { mode: 'pass-through', passReason: 'query' } as const;
const PP = { mode: 'pass-through', passReason: 'preprocess' } as const;

// argv (compiler excluded) -> what the parse must say. Sorted by the option exercised.
const CASES: Array<[string[], Expect]> = [
  [['-###', 'a.c'], Q],
  [['-c', '--', '-odd.c'], { mode: 'compile', inputs: ['-odd.c'] }],
  [['a.o', '--entry=start', '-o', 'p'], { mode: 'link', linkOnly: ['--entry=start'] }],
  [['--gcc-toolchain=/opt/gcc', '-c', 'a.c'], { targetArgs: ['--gcc-toolchain=/opt/gcc'] }],
  [['--help'], Q],
  [['--help=warnings'], Q],
  [['--param', 'max-inline-insns-single=10', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['--param=max-inline-insns-single=10', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['--print-resource-dir'], Q],
  [['--specs=nano.specs', 'a.c'], { targetArgs: ['--specs=nano.specs'], mode: 'compile-link' }],
  [['--sysroot', '/sr', '-c', 'a.c'], { targetArgs: ['--sysroot', '/sr'], inputs: ['a.c'] }],
  [['--sysroot=/sr', '-c', 'a.c'], { targetArgs: ['--sysroot=/sr'] }],
  [['--target', 'x86_64-w64-mingw32', '-c', 'a.c'], { targetArgs: ['--target', 'x86_64-w64-mingw32'], inputs: ['a.c'] }],
  [['--target-help'], Q],
  [['--target=i686-linux-gnu', '-c', 'a.c'], { targetArgs: ['--target=i686-linux-gnu'] }],
  [['--version'], Q],
  [['-A', 'cpu(x86)', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-B', '/opt/bin/', '-c', 'a.c'], { targetArgs: ['-B', '/opt/bin/'], inputs: ['a.c'] }],
  [['-D', 'X=1', '-DY', '-c', 'a.c'], { inputs: ['a.c'], mode: 'compile', macros: [['X', '1'], ['Y', '1']] }],
  [['-DF(x)=x', '-UZ', '-DW=', '-c', 'a.c'], { macros: [['F', 'x'], ['Z', null], ['W', '']] }],
  [['-E', 'a.c'], PP],
  [['-I', 'inc', '-Iinc2', '-c', 'a.c'], { includeDirs: ['inc', 'inc2'], inputs: ['a.c'] }],
  [['a.o', '-L', 'lib', '-Llib2', '-o', 'p'], { mode: 'link', linkOnly: ['-L', 'lib', '-Llib2'] }],
  [['-M', 'a.c'], PP],
  [['-MD', '-c', 'a.c'], { deps: { enabled: true, file: null } }],
  [['-MD', '-MF', 'x.d', '-MFy.d', '-c', 'a.c'], { deps: { enabled: true, file: 'y.d' }, inputs: ['a.c'] }],
  [['-MD', '-MG', '-c', 'a.c'], { deps: { enabled: true }, inputs: ['a.c'] }],
  [['-MJ', 'cdb.json', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-MM', 'a.c'], PP],
  [['-MMD', '-MP', '-c', 'a.c'], { deps: { enabled: true }, mode: 'compile' }],
  [['-MMD', '-MQ', '$t', '-MT', 'x.o', '-MTy.o', '-c', 'a.c'], { deps: { targets: ['$t', 'x.o', 'y.o'] }, inputs: ['a.c'] }],
  [['-P', '-E', 'a.c'], PP],
  [['-S', 'a.c'], { mode: 'pass-through', passReason: 'assembly' }],
  [['a.o', '-T', 'link.ld', '-Tbss=0', '-o', 'p'], { linkOnly: ['-T', 'link.ld', '-Tbss=0'] }],
  [['-U', 'X', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-V'], Q],
  [['a.o', '-Wl,--as-needed', '-o', 'p'], { linkOnly: ['-Wl,--as-needed'] }],
  [['-Wp,-MD,.a.o.d', '-c', 'a.c'], { deps: { wpFiles: ['.a.o.d'], enabled: false } }],
  [['-Xanalyzer', 'x.c', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-Xassembler', '--noexecstack', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-Xclang', '-ast-dump', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['a.o', '-Xlinker', '-Map=m', '-o', 'p'], { linkOnly: ['-Xlinker', '-Map=m'] }],
  [['-Xpreprocessor', 'x.c', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-arch', 'arm64', '-c', 'a.c'], { targetArgs: ['-arch', 'arm64'], inputs: ['a.c'] }],
  [['-aux-info', 'proto.c', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-c', 'a.c', 'b.c'], { mode: 'compile', inputs: ['a.c', 'b.c'] }],
  [['-dumpbase', 'x.c', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-dumpbase-ext', '.c', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-dumpdir', 'd/', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-dumpfullversion'], Q],
  [['-dumpmachine'], Q],
  [['-dumpspecs'], Q],
  [['-dumpversion'], Q],
  [['a.o', '-e', 'start', '-o', 'p'], { linkOnly: ['-e', 'start'], inputs: ['a.o'] }],
  [['-emit-llvm', '-c', 'a.c'], { mode: 'compile', inputs: ['a.c'] }],
  [['-fcolor-diagnostics', '-c', 'a.c'], { colorChosen: true }],
  [['-fdebug-prefix-map=/a=b', '-c', 'a.c'], { maps: ['debug:/a=b'] }],
  [['-fdiagnostics-color', '-c', 'a.c'], { colorChosen: true }],
  [['-fdiagnostics-color=never', '-c', 'a.c'], { colorChosen: true }],
  [['-ffile-prefix-map=/src=.', '-c', 'a.c'], { maps: ['file:/src=.'] }],
  [['-fmacro-prefix-map=/x=y', '-c', 'a.c'], { maps: ['macro:/x=y'] }],
  [['-fno-color-diagnostics', '-c', 'a.c'], { colorChosen: true }],
  [['-fno-diagnostics-color', '-c', 'a.c'], { colorChosen: true }],
  [['-fsyntax-only', 'a.c'], { mode: 'pass-through', passReason: 'syntax-only' }],
  [['-gcc-toolchain', '/opt', '-c', 'a.c'], { targetArgs: ['-gcc-toolchain', '/opt'], inputs: ['a.c'] }],
  [['-idirafter', 'late', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-iframework', 'fw', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-imacros', 'm.h', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-imultiarch', 'x86_64-linux-gnu', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-imultilib', '32', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-include', 'cfg.h', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-include-pch', 'p.pch', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-iprefix', 'p/', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-iquote', 'q', '-iquoteq2', '-c', 'a.c'], { quoteDirs: ['q', 'q2'], inputs: ['a.c'] }],
  [['-isysroot', '/sdk', '-c', 'a.c'], { targetArgs: ['-isysroot', '/sdk'], inputs: ['a.c'] }],
  [['-isystem', 'sys', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-ivfsoverlay', 'o.yaml', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-iwithprefix', 'w', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['-iwithprefixbefore', 'w', '-c', 'a.c'], { inputs: ['a.c'] }],
  [['a.o', '-l', 'm', '-lpthread', '-o', 'p'], { mode: 'link', linkOnly: ['-l', 'm', '-lpthread'], inputs: ['a.o'] }],
  [['-m16', '-c', 'a.c'], { targetArgs: ['-m16'] }],
  [['-m32', 'a.c'], { targetArgs: ['-m32'], mode: 'compile-link' }],
  [['-m64', '-c', 'a.c'], { targetArgs: ['-m64'] }],
  [['-mabi=ms', '-c', 'a.c'], { targetArgs: ['-mabi=ms'] }],
  [['-miamcu', '-c', 'a.c'], { targetArgs: ['-miamcu'] }],
  [['-mx32', '-c', 'a.c'], { targetArgs: ['-mx32'] }],
  [['-nodefaultlibs', 'a.o'], { noStdlib: true, mode: 'link' }],
  [['-nolibc', 'a.o'], { noStdlib: true }],
  [['-nostdlib', 'a.o'], { noStdlib: true }],
  [['-c', 'a.c', '-o', 'out/a.o'], { output: 'out/a.o', mode: 'compile' }],
  [['-oa.out', 'a.c'], { output: 'a.out', inputs: ['a.c'] }],
  [['-print-file-name=libc.a'], Q],
  [['-qversion'], Q],
  [['-r', 'a.o', 'b.o', '-o', 'ab.o'], { partialLink: true, mode: 'link' }],
  [['a.o', '-rdynamic', '-o', 'p'], { linkOnly: ['-rdynamic'] }],
  [['-save-temps', '-c', 'a.c'], { mode: 'pass-through', passReason: 'save-temps' }],
  [['-save-temps=obj', '-c', 'a.c'], { mode: 'pass-through', passReason: 'save-temps' }],
  [['-shared', '-fPIC', 'a.c', '-o', 'liba.so'], { shared: true, mode: 'compile-link' }],
  [['-specs=x.specs', '-c', 'a.c'], { targetArgs: ['-specs=x.specs'] }],
  [['-target', 'aarch64-linux-gnu', '-c', 'a.c'], { targetArgs: ['-target', 'aarch64-linux-gnu'], inputs: ['a.c'] }],
  [['a.o', '-u', 'sym', '-uother', '-o', 'p'], { linkOnly: ['-u', 'sym', '-uother'] }],
  [['-undef', '-c', 'a.c'], { mode: 'compile', inputs: ['a.c'] }],
  [['-v'], Q],
  [['-x', 'c', 'a.txt', '-x', 'none', 'b.cpp', '-xc++', 'c.c'], { languages: ['c', 'c++', 'c++'] }],
  [['a.o', '-z', 'now', '-o', 'p'], { linkOnly: ['-z', 'now'], inputs: ['a.o'] }],
  // Not options of the table: inputs, stdin, no inputs.
  [['-c', '-'], { mode: 'pass-through', passReason: 'stdin' }],
  [['-O2', '-Wall'], { mode: 'pass-through', passReason: 'no-inputs' }],
  [['-x', 'c', '/dev/null', '-o', '/dev/null'], { mode: 'compile-link', languages: ['c'] }],
  [['a.c', 'b.s', 'c.cpp', 'd.o', 'libe.a', 'f.i', 'g.h'], { languages: ['c', 'asm', 'c++', 'linker-input', 'linker-input', 'c-preprocessed', 'c-header'] }],
];

function check(argv: string[], expected: Expect): void {
  const p = parseGccArgs(argv, '/');
  const { inputs, languages, deps, linkOnly, maps, ...plain } = expected;
  for (const [k, v] of Object.entries(plain)) expect(p[k as keyof ParsedCommand], `${argv.join(' ')}: ${k}`).toEqual(v);
  if (inputs) expect(p.inputs.map((x) => x.path)).toEqual(inputs);
  if (languages) expect(p.inputs.map((x) => x.language)).toEqual(languages);
  if (deps) expect(p.deps).toMatchObject(deps);
  if (linkOnly) expect([...p.linkOnly].sort((a, b) => a - b).map((i) => p.args[i])).toEqual(linkOnly);
  if (maps) expect(p.prefixMaps.map((m) => `${m.kind}:${m.from}=${m.to}`)).toEqual(maps);
}

describe('gcc flag table', () => {
  it('is sorted by name, without duplicates', () => {
    const names = GCC_FLAG_ROWS.map((r) => r.name);
    for (let i = 1; i < names.length; i++) expect(names[i - 1]! < names[i]!, `${names[i - 1]} < ${names[i]}`).toBe(true);
  });

  it('has every row exercised by an argv case', () => {
    const hit = new Set<string>();
    for (const [argv] of CASES) {
      for (let i = 0; i < argv.length; ) {
        const m = argv[i]!.startsWith('-') ? GCC_FLAGS.match(argv, i) : null;
        if (m) hit.add(m.row.name);
        i += m?.consumed ?? 1;
      }
    }
    expect(GCC_FLAG_ROWS.map((r) => r.name).filter((n) => !hit.has(n))).toEqual([]);
  });

  it.each(CASES.map(([argv, e]) => [argv.join(' '), argv, e] as const))('%s', (_name, argv, e) => check([...argv], e));

  it('prefers an exact row over a joined prefix (-MD is not -M, -undef is not -u)', () => {
    expect(GCC_FLAGS.match(['-MD'], 0)?.row.name).toBe('-MD');
    expect(GCC_FLAGS.match(['-undef'], 0)?.row.name).toBe('-undef');
    expect(GCC_FLAGS.match(['-isystemfoo'], 0)?.value).toBe('foo');
  });
});
