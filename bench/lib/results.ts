// One row of the benchmark table, its verdict against the target, the machine, and the printed table.
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { Stats } from './measure.js';

export type Status = 'met' | 'missed' | 'over-limit' | 'info' | 'skipped';

export interface Row {
  /** Stable key for tracking (`build.ratio`, `hooks.ns-per-event.4t`...). */
  id: string;
  /** The measurement's number (1-6: issue 10; 7: issue 21). */
  section: number;
  what: string;
  unit: string;
  median: number | null;
  min: number | null;
  max: number | null;
  /** Samples behind the figure (rounds). */
  n: number;
  /** Lower is better: met when median <= target; over-limit when median > limit. */
  target: number | null;
  limit: number | null;
  /** Higher is better (instead of target): met when median >= atLeast. */
  atLeast?: number;
  status: Status;
  note?: string;
}

export interface Goal {
  target?: number;
  limit?: number;
  /** For figures where higher is better (a -j the server keeps up with). */
  atLeast?: number;
}

/** A measured row; the status follows from the median and the goal (lower is better). */
export function row(id: string, section: number, what: string, unit: string, s: Stats, goal: Goal = {}, note?: string): Row {
  const target = goal.target ?? null;
  const limit = goal.limit ?? null;
  let status: Status = 'info';
  if (target !== null) status = s.median <= target ? 'met' : limit !== null && s.median > limit ? 'over-limit' : 'missed';
  if (goal.atLeast !== undefined) status = s.median >= goal.atLeast ? 'met' : 'missed';
  const atLeast = goal.atLeast === undefined ? {} : { atLeast: goal.atLeast };
  return { id, section, what, unit, median: s.median, min: s.min, max: s.max, n: s.n, target, limit, ...atLeast, status, ...(note ? { note } : {}) };
}

/** A row that could not be measured here, with the reason. */
export function skipped(id: string, section: number, what: string, unit: string, reason: string, goal: Goal = {}): Row {
  return {
    id, section, what, unit, median: null, min: null, max: null, n: 0,
    target: goal.target ?? null, limit: goal.limit ?? null, status: 'skipped', note: reason,
  };
}

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /** 1-minute load average at the start and the end of the run (other work on the machine skews figures). */
  loadStart: number;
  loadEnd?: number;
}

function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return -1;
  }
}

/** The machine as /proc/cpuinfo and Node see it. */
export function machine(): Machine {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) model = m[1].trim();
  } catch {
    // not Linux: os.cpus() is enough
  }
  return {
    cpuModel: model,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
    loadStart: loadAverage(),
  };
}

export function finishMachine(m: Machine): Machine {
  return { ...m, loadEnd: loadAverage() };
}

function fmt(v: number | null): string {
  if (v === null) return '-';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

const STATUS_TEXT: Record<Status, string> = { met: 'met', missed: 'MISSED', 'over-limit': 'OVER LIMIT', info: '', skipped: 'skipped' };

function goalText(r: Row): string {
  if (r.atLeast !== undefined) return `>= ${r.atLeast}`;
  return r.target === null ? '' : `<= ${r.target}${r.limit === null ? '' : ` (${r.limit})`}`;
}

/** The table as aligned text (or Markdown, for docs/performance.md). */
export function renderTable(rows: readonly Row[], markdown = false): string {
  const head = ['#', 'measurement', 'median', 'min', 'max', 'unit', 'n', 'target (limit)', 'status'];
  const body = rows.map((r) => [
    String(r.section),
    r.what,
    fmt(r.median),
    fmt(r.min),
    fmt(r.max),
    r.unit,
    String(r.n),
    goalText(r),
    r.status === 'skipped' ? `skipped: ${r.note ?? ''}` : STATUS_TEXT[r.status],
  ]);
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const right = new Set([2, 3, 4, 6]);
  const line = (cells: string[]) =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
