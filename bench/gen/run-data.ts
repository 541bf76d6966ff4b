// Report-benchmark data: driver sources with real site databases (the instrumenter's own output), and many run
// files with counters and a few violations, as test processes of a large suite would leave them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { instrument } from '../../src/instrument/index.js';
import type { SiteDatabase, Site } from '../../src/model/index.js';
import { RUN_FORMAT, RUN_VERSION, RUNS_DIR } from '../../src/model/index.js';
import { sha1, tuId } from '../../src/model/tu-id.js';
import { siteDatabase, writeSiteDatabase } from '../../src/wrapper/site-db.js';
import { prng } from '../../test/helpers/prng.js';
import { FILE_PRELUDE, ioctlQueue, keyboardClass, serialQueue, usbQueue } from './wdm.js';

export interface RunDataSpec {
  /** At least this many sites in all. */
  sites: number;
  runs: number;
  /** Share of the translation units each run executes. */
  coverage: number;
}

export interface RunDataSummary {
  tus: number;
  sites: number;
  runs: number;
  violations: number;
  bytes: number;
}

/** Writes `src/*.c` under `root` and the data directory `dataDir` (sites/, runs/). */
export function writeRunData(root: string, dataDir: string, spec: RunDataSpec): RunDataSummary {
  const random = prng(10);
  const makers = [serialQueue, keyboardClass, usbQueue, ioctlQueue];
  const dbs: SiteDatabase[] = [];
  let total = 0;
  mkdirSync(join(root, 'src'), { recursive: true });
  for (let f = 0; total < spec.sites; f++) {
    const name = `src/drv${String(f).padStart(4, '0')}.c`;
    const text = `/* ${name}: generated */\n${FILE_PRELUDE}\n${[0, 1, 2].map((k) => (makers[(f + k) % makers.length] as typeof serialQueue)(`F${f}_${k}`).text).join('\n')}`;
    const abs = join(root, name);
    writeFileSync(abs, text, 'latin1');
    const bytes = Buffer.from(text, 'latin1');
    const tu = tuId(abs, bytes);
    const result = instrument(text, { tuId: tu, sourceName: name, dataDir, dialect: 'gnu' });
    const db = siteDatabase({ tu, source: name, sourceAbs: abs, sourceHash: sha1(bytes), result, reason: null });
    writeSiteDatabase(dataDir, db);
    dbs.push(db);
    total += db.sites.length;
  }
  const runsDir = join(dataDir, RUNS_DIR);
  mkdirSync(runsDir, { recursive: true });
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  let violations = 0;
  let bytes = 0;
  for (let r = 0; r < spec.runs; r++) {
    const pid = 10_000 + r;
    const lines: string[] = [JSON.stringify({ format: RUN_FORMAT, version: RUN_VERSION, pid, startedAt: 1_700_000_000_000 + r * 1000 })];
    if (r % 50 === 7) {
      const db = pick(dbs);
      const release = db.sites.filter((s: Site) => s.kind === 'release');
      const entry = db.routines[0];
      if (release.length > 0 && entry) {
        const site = pick(release).index;
        lines.push(
          JSON.stringify({
            t: 'violation', kind: 'release-not-held', tu: db.tu, site, acquireTu: null, acquireSite: null, byIoManager: false,
            thread: 1, stack: [[db.tu, entry.entrySite]],
          }),
          JSON.stringify({ t: 'violation-count', kind: 'release-not-held', tu: db.tu, site, count: 1 + Math.floor(random() * 3) }),
        );
        violations++;
      }
    }
    for (const db of dbs) {
      if (random() >= spec.coverage) continue;
      const hits = db.sites.map(() => (random() < 0.3 ? 0 : 1 + Math.floor(random() * 40)));
      const held = db.sites.map((s: Site, i) => (s.kind === 'routine-exit' && (hits[i] as number) > 0 && random() < 0.02 ? 1 : 0));
      lines.push(JSON.stringify({ t: 'counters', tu: db.tu, source: db.source, hits, held }));
    }
    const text = `${lines.join('\n')}\n`;
    bytes += text.length;
    writeFileSync(join(runsDir, `run-${pid}-${(r * 2654435761 % 2 ** 48).toString(16).padStart(12, '0')}.jsonl`), text);
  }
  return { tus: dbs.length, sites: total, runs: spec.runs, violations, bytes };
}
