// Child process of the instrumenter benchmark: times loading the instrumenter and instrumenting one file; with
// --analyse also loading the path analysis and running it on the instrumenter's parse (as the wrapper does).
//   node instrument.mjs FILE [--all-functions] [--warm N] [--analyse]   -> one JSON line on stdout
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: instrument.mjs FILE [--all-functions] [--warm N]\n');
  process.exit(2);
}
const allFunctions = rest.includes('--all-functions');
const warmAt = rest.indexOf('--warm');
const warm = warmAt >= 0 ? Number(rest[warmAt + 1]) : 0;
const analyse = rest.includes('--analyse');

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
let t = process.hrtime.bigint();
const { instrument } = await import('../../src/instrument/index.js');
const loadMs = ms(t);
t = process.hrtime.bigint();
const analysis = analyse ? await import('../../src/analysis/index.js') : null;
const analysisLoadMs = ms(t);
let analysisMs = 0;
let findings = 0;
const onParsed = analysis
  ? (unit: Parameters<typeof analysis.analyseUnit>[0]) => {
      const a0 = process.hrtime.bigint();
      findings = analysis.analyseUnit(unit).findings.length;
      analysisMs += ms(a0);
    }
  : undefined;
const text = readFileSync(file, 'latin1');
const options = { tuId: '0123456789abcdef', sourceName: file, dataDir: '.spincheck', dialect: 'gnu' as const, roles: { allFunctions } };
const dir = resolve(file, '..');
const resolveInclude = () => undefined;
t = process.hrtime.bigint();
const result = instrument(text, { ...options, resolveInclude, ...(onParsed ? { onParsed } : {}) });
const firstMs = ms(t) - analysisMs;
const warmMs: number[] = [];
// CPU time of each warmed-up call and of a parse alone, alternating (the passes' cost is the difference).
const warmCpuMs: number[] = [];
const parseCpuMs: number[] = [];
const cpuMs = (f: () => unknown): number => {
  const before = process.cpuUsage();
  f();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};
const { cParser } = await import('../../src/instrument/parse.js');
for (let i = 0; i < warm; i++) {
  t = process.hrtime.bigint();
  warmCpuMs.push(cpuMs(() => instrument(text, { ...options, resolveInclude })));
  warmMs.push(ms(t));
  parseCpuMs.push(cpuMs(() => cParser().parse(text)));
}
process.stdout.write(
  `${JSON.stringify({
    file,
    dir,
    bytes: Buffer.byteLength(text, 'latin1'),
    lines: text.split('\n').length,
    loadMs,
    firstMs,
    analysisLoadMs,
    analysisMs,
    findings,
    warmMs,
    warmCpuMs,
    parseCpuMs,
    outBytes: Buffer.byteLength(result.code, 'latin1'),
    sites: result.sites.length,
    unchecked: result.unchecked.length,
    diagnostics: result.diagnostics.slice(0, 3),
    changed: result.changed,
    declined: result.uninstrumentedReason ?? null,
    rssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
