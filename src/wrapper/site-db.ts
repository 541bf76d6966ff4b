// Writes a translation unit's site database (<dataDir>/sites/<tu>.json) atomically.
import { join } from 'node:path';
import type { InstrumentResult } from '../instrument/types.js';
import { SITES_DIR, SITES_FORMAT, SITES_VERSION } from '../model/index.js';
import type { SiteDatabase, StaticAnalysis } from '../model/index.js';
import { writeAtomic } from '../io/write-atomic.js';
import { makeDirs } from '../io/make-dirs.js';

export interface SiteDbInput {
  tu: string;
  source: string;
  sourceAbs: string;
  sourceHash: string;
  result: InstrumentResult | null;
  /** Set when the file was compiled unchanged. */
  reason: string | null;
  analysis?: StaticAnalysis;
}

/** Builds the database record for one source. */
export function siteDatabase(input: SiteDbInput): SiteDatabase {
  const r = input.result;
  const db: SiteDatabase = {
    format: SITES_FORMAT,
    version: SITES_VERSION,
    tu: input.tu,
    source: input.source,
    sourceAbs: input.sourceAbs,
    sourceHash: input.sourceHash,
    instrumented: input.reason === null,
    sites: input.reason === null ? (r?.sites ?? []) : [],
    routines: input.reason === null ? (r?.routines ?? []) : [],
    unchecked: r?.unchecked ?? [],
    diagnostics: r?.diagnostics ?? [],
  };
  if (input.reason !== null) db.reason = input.reason;
  if (input.analysis) db.analysis = input.analysis;
  return db;
}

/** Writes the database; returns its path. */
export function writeSiteDatabase(dataDir: string, db: SiteDatabase): string {
  const dir = join(dataDir, SITES_DIR);
  makeDirs(dir);
  const file = join(dir, `${db.tu}.json`);
  writeAtomic(file, `${JSON.stringify(db, null, 2)}\n`);
  return file;
}
