// Fuzzing the instrumenter on mutated inputs: truncated files and random token and line edits of the golden
// cases. instrument() must never throw (strict mode: only InstrumentError), and a mutant that compiled before
// must still compile once instrumented, with the same warning flags.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InstrumentError, instrument } from '../../src/instrument/index.js';
import type { ResolvedInclude } from '../../src/instrument/index.js';
import { haveTool } from '../helpers/tools.js';
import { ROOT, scratchDir } from './helpers.js';
import { prng } from '../helpers/prng.js';

const GOLDEN = join(ROOT, 'test/golden');
const CASES = join(GOLDEN, 'cases');
/** Mutants per golden case in the normal test run (MUTANTS=N for more). */
const PER_CASE = Number(process.env.MUTANTS ?? 24);
const SEED = Number(process.env.MUTATE_SEED ?? 20240611);

const TOKEN = /[A-Za-z_]\w*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\*[\s\S]*?\*\/|\/\/[^\n]*|->|\+\+|--|&&|\|\||[<>=!]=|##|\S/g;
const PUNCT = ['(', ')', '{', '}', ';', ',', '*', '&', '#', '\\', 'return', 'if', 'else', '0', '"', '/*'];

interface Token {
  start: number;
  end: number;
  text: string;
}

/** One random edit: truncation, token delete/duplicate/swap/replace/insert, line delete/duplicate. */
export function mutate(text: string, rand: () => number): { text: string; how: string } {
  const tokens: Token[] = [...text.matchAll(TOKEN)].map((m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, text: m[0] }));
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const t = pick(tokens);
  const idents = tokens.filter((x) => /^[A-Za-z_]/.test(x.text));
  const lines = text.split('\n');
  const li = Math.floor(rand() * lines.length);
  switch (Math.floor(rand() * 8)) {
    case 0: {
      const at = Math.floor(rand() * text.length);
      return { text: text.slice(0, at), how: `truncate at ${at}` };
    }
    case 1:
      return { text: text.slice(0, t.start) + text.slice(t.end), how: `delete token ${JSON.stringify(t.text)} at ${t.start}` };
    case 2:
      return { text: text.slice(0, t.end) + ' ' + t.text + text.slice(t.end), how: `duplicate token ${JSON.stringify(t.text)} at ${t.start}` };
    case 3: {
      const i = tokens.indexOf(t);
      const u = tokens[i + 1];
      if (!u) return { text, how: 'no-op' };
      return { text: text.slice(0, t.start) + u.text + text.slice(t.end, u.start) + t.text + text.slice(u.end), how: `swap tokens at ${t.start}` };
    }
    case 4: {
      const a = pick(idents);
      const b = pick(idents);
      return { text: text.slice(0, a.start) + b.text + text.slice(a.end), how: `replace ${a.text} at ${a.start} by ${b.text}` };
    }
    case 5: {
      const p = pick(PUNCT);
      return { text: text.slice(0, t.start) + p + ' ' + text.slice(t.start), how: `insert ${JSON.stringify(p)} at ${t.start}` };
    }
    case 6:
      return { text: [...lines.slice(0, li), ...lines.slice(li + 1)].join('\n'), how: `delete line ${li + 1}` };
    default:
      return { text: [...lines.slice(0, li + 1), ...lines.slice(li)].join('\n'), how: `duplicate line ${li + 1}` };
  }
}

function compile(file: string, flags: string[], dir: string): Promise<boolean> {
  return new Promise((resolveRun) => {
    const child = spawn('gcc', [...flags, '-c', file, '-o', `${file}.o`, '-I', GOLDEN, '-I', dir], { cwd: dir, stdio: 'ignore' });
    child.on('close', (status) => resolveRun(status === 0));
    child.on('error', () => resolveRun(false));
  });
}

const STRICT_FLAGS = ['-std=gnu11', '-Wall', '-Wextra', '-Werror'];
const LOOSE_FLAGS = ['-std=gnu11', '-w'];

describe.runIf(haveTool('gcc'))('instrumenter on mutated golden inputs', () => {
  const cases = readdirSync(CASES).sort();
  const figures = { mutants: 0, changed: 0, strictErrors: 0, compiledPlain: 0, compiledInstrumented: 0 };

  it.each(cases)('%s: never throws, never breaks a compiling mutant', async (name) => {
    const dir = join(CASES, name);
    const input = readFileSync(join(dir, 'input.c'), 'latin1');
    const headers = readdirSync(dir).filter((f) => f.endsWith('.h'));
    const resolveInclude = (spec: string): ResolvedInclude | undefined =>
      headers.includes(spec) ? { path: join(dir, spec), text: readFileSync(join(dir, spec), 'latin1') } : undefined;
    const rand = prng(SEED ^ [...name].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
    const work = scratchDir(`mutate-${name}`);
    for (const h of headers) writeFileSync(join(work, h), readFileSync(join(dir, h)));
    const problems: string[] = [];
    const jobs: Array<Promise<void>> = [];
    for (let k = 0; k < PER_CASE; k++) {
      let m = mutate(input, rand);
      if (rand() < 0.3) {
        const again = mutate(m.text, rand);
        m = { text: again.text, how: `${m.how}; ${again.how}` };
      }
      figures.mutants++;
      const options = { tuId: `m${k}`, sourceName: 'input.c', resolveInclude };
      let result;
      try {
        result = instrument(m.text, options);
      } catch (e) {
        problems.push(`mutant ${k} (${m.how}): instrument threw ${String(e)}`);
        continue;
      }
      try {
        instrument(m.text, { ...options, strict: true });
      } catch (e) {
        if (e instanceof InstrumentError) figures.strictErrors++;
        else problems.push(`mutant ${k} (${m.how}): strict instrument threw a non-InstrumentError: ${String(e)}`);
      }
      if (!result.changed) continue;
      figures.changed++;
      const sub = join(work, `m${k}`);
      mkdirSync(sub);
      for (const h of headers) writeFileSync(join(sub, h), readFileSync(join(dir, h)));
      writeFileSync(join(sub, 'plain.c'), m.text, 'latin1');
      writeFileSync(join(sub, 'inst.c'), result.code, 'latin1');
      jobs.push(
        (async () => {
          for (const flags of [STRICT_FLAGS, LOOSE_FLAGS]) {
            if (!(await compile('plain.c', flags, sub))) continue;
            figures.compiledPlain++;
            if (await compile('inst.c', flags, sub)) figures.compiledInstrumented++;
            else problems.push(`mutant ${k} (${m.how}): compiles plainly with ${flags.join(' ')} but not instrumented (${sub})`);
            return;
          }
        })(),
      );
      if (jobs.length >= 4) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
    expect(problems).toEqual([]);
  });

  it('figures', () => {
    console.log(`mutation fuzz: ${JSON.stringify(figures)}`);
    expect(figures.mutants).toBe(cases.length * PER_CASE);
  });
});
