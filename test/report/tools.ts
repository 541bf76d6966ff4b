// Real consumers of the report formats: the SARIF Multitool, genhtml, headless chromium; ajv with the OASIS schema.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import Ajv04Module from 'ajv-draft-04';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { Browser } from 'playwright-core';
import { haveTool, run } from '../helpers/tools.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';

/** The SARIF 2.1.0 schema: $SPINCHECK_SARIF_SCHEMA, else the OASIS copy in the team's shared folder beside the
 *  repository (not committed here), else the copy the SARIF Multitool's Linux package ships (a devDependency). */
function sarifSchemaFile(): string | null {
  const candidates = [process.env.SPINCHECK_SARIF_SCHEMA, join(repoRoot, '..', 'shared', 'schemas', 'sarif-schema-2.1.0.json')];
  try {
    candidates.push(createRequire(import.meta.url).resolve('@microsoft/sarif-multitool-linux/sarif-2.1.0.json'));
  } catch {
    // not installed (another platform): the other places only
  }
  return candidates.find((f): f is string => !!f && existsSync(f)) ?? null;
}
export const SARIF_SCHEMA_FILE = sarifSchemaFile();

/** True when a SARIF schema is at hand; under CI its absence is an error, elsewhere a loud skip. */
export function haveSarifSchema(): boolean {
  if (SARIF_SCHEMA_FILE) return true;
  const where = 'SPINCHECK_SARIF_SCHEMA, ../shared/schemas/sarif-schema-2.1.0.json or @microsoft/sarif-multitool-linux';
  if (process.env.CI) throw new Error(`the SARIF 2.1.0 schema is missing (${where})`);
  console.warn(`\n*** SKIPPING schema validation: no SARIF 2.1.0 schema in ${where} ***\n`);
  return false;
}

/** Validates a SARIF log against the 2.1.0 schema (OASIS draft-04, or the Multitool's 2020-12 copy); ajv's errors. */
export function sarifSchemaErrors(log: unknown): string[] {
  const schema = JSON.parse(readFileSync(SARIF_SCHEMA_FILE as string, 'utf8')) as { $schema?: string };
  // CommonJS modules: each exports object is also the class, and `.default` names it for TypeScript.
  const options = { allErrors: true, strict: false, validateFormats: false };
  const ajv = /2020-12/.test(schema.$schema ?? '') ? new Ajv2020Module.default(options) : new Ajv04Module.default(options);
  const validate = ajv.compile(schema);
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** A validator for `--format json` output: docs/report-schema.json (draft-07), strict. */
export function reportSchemaValidator() {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'docs', 'report-schema.json'), 'utf8')) as object;
  return new AjvModule.default({ allErrors: true, strict: true }).compile(schema);
}

/** The Multitool binary the npm package ships for this platform. */
export function multitoolPath(): string {
  const require = createRequire(import.meta.url);
  return require('@microsoft/sarif-multitool-linux') as string;
}

export interface MultitoolResult {
  level: string;
  ruleId: string;
  text: string;
}

/** Runs `Sarif.Multitool validate` on a file (all rule kinds, all levels) and returns what it found. */
export function multitoolValidate(file: string): { status: number | null; results: MultitoolResult[]; stdout: string } {
  const out = `${file}.validation.sarif`;
  const r = run(multitoolPath(), ['validate', file, '--output', out, '--log', 'ForceOverwrite', '--level', 'Error;Warning;Note', '--rule-kind', 'Sarif;Gh'], {
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  if (!existsSync(out)) throw new Error(`multitool wrote no log (status ${r.status}): ${r.stdout}${r.stderr}`);
  const log = JSON.parse(readFileSync(out, 'utf8')) as { runs: Array<{ results?: Array<{ level?: string; ruleId: string; message: { text?: string; arguments?: string[] } }> }> };
  const results = (log.runs[0]?.results ?? []).map((x) => ({ level: x.level ?? 'warning', ruleId: x.ruleId, text: x.message.text ?? (x.message.arguments ?? []).join(' ') }));
  return { status: r.status, results, stdout: r.stdout };
}

/** The Multitool runs here (its binary is self-contained .NET; it must start offline). */
export function haveMultitool(): boolean {
  try {
    return haveTool(multitoolPath());
  } catch (e) {
    if (process.env.CI) throw e;
    console.warn(`\n*** SKIPPING: the SARIF Multitool does not run here: ${(e as Error).message} ***\n`);
    return false;
  }
}

export const haveChromium = () => haveTool(CHROMIUM);

/** Launches Debian's chromium headless, isolated from the network. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where tests leave artefacts a person may look at (screenshots). */
export function testOutput(name: string, data?: string | Buffer): string {
  mkdirSync(join(repoRoot, 'test-output'), { recursive: true });
  const path = join(repoRoot, 'test-output', name);
  if (data !== undefined) writeFileSync(path, data);
  return path;
}
