// The warm server's pool of instrumenting processes: one file each at a time, as many at once as there are cores.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { IncludeSearch, InstrumentJobOptions, InstrumentOutcome } from './instrumenter.js';

/** What the pool sends a worker, and what a worker answers. */
export interface JobMessage {
  id: number;
  text: string;
  options: InstrumentJobOptions;
  search: IncludeSearch;
}
export type AnswerMessage = { id: number; result: InstrumentOutcome } | { id: number; error: string };

interface Job extends JobMessage {
  resolve: (r: InstrumentOutcome) => void;
  reject: (e: Error) => void;
}

interface Worker {
  child: ChildProcess;
  job: Job | null;
}

export interface PoolOptions {
  /** The worker's script (dist/bin/spincheck-instrument-worker.js). */
  script: string;
  /** Most workers at once (default: the machine's cores). */
  size?: number;
  /** Node options for each worker (a heap bound). */
  execArgv?: string[];
}

/** `-jN` in MAKEFLAGS (GNU make passes it to recipes with the jobserver); undefined when absent or unlimited. */
export function jobsFromMakeflags(makeflags: string | undefined): number | undefined {
  const m = /(?:^|\s)-[a-zA-Z]*j(\d+)/.exec(makeflags ?? '') ?? /(?:^|\s)--jobs=(\d+)/.exec(makeflags ?? '');
  const n = m ? Number.parseInt(m[1]!, 10) : Number.NaN;
  return n > 0 ? n : undefined;
}

/**
 * Processes, not threads: a worker that crashes in native code (tree-sitter) or is killed takes only its own file
 * with it; that compile falls back (compiled unchanged, recorded as uninstrumented) and a new worker takes its place.
 * One spare worker is kept started ahead of need, so a compile that finds every worker busy while a core is idle
 * does not wait for a Node start.
 */
export class InstrumentPool {
  private readonly workers: Worker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private cap: number;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    this.cap = Math.max(1, options.size ?? availableParallelism());
    this.spawn();
  }

  /** Fewer workers when the build runs fewer compiles at once than there are cores (`make -j2` on 64 cores). */
  noteJobs(jobs: number | undefined): void {
    if (jobs !== undefined && this.options.size === undefined) this.cap = Math.max(1, Math.min(availableParallelism(), jobs));
  }

  /** Worker processes alive now (for tests and the bench). */
  pids(): number[] {
    return this.workers.flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid]));
  }

  run(text: string, options: InstrumentJobOptions, search: IncludeSearch): Promise<InstrumentOutcome> {
    if (this.closed) return Promise.reject(new Error('the instrumenting pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, text, options, search, resolve, reject });
      this.dispatch();
    });
  }

  close(): void {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the instrumenting pool is closed'));
    for (const w of this.workers) w.child.kill();
  }

  private dispatch(): void {
    for (;;) {
      const job = this.queue[0];
      if (!job) break;
      const idle = this.workers.find((w) => !w.job);
      if (!idle) {
        // A new worker takes the job at once (its messages wait for it to start), never after another finishes.
        if (this.workers.length >= this.cap) break;
        this.spawn();
        continue;
      }
      this.queue.shift();
      idle.job = job;
      const { resolve: _r, reject: _j, ...message } = job;
      idle.child.send(message);
    }
    if (!this.closed && this.workers.length < this.cap && this.workers.every((w) => w.job)) this.spawn();
  }

  private spawn(): void {
    const child = fork(this.options.script, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: this.options.execArgv ?? [],
    });
    const worker: Worker = { child, job: null };
    this.workers.push(worker);
    child.on('message', (m: AnswerMessage) => {
      const job = worker.job;
      if (!job || job.id !== m.id) return;
      worker.job = null;
      if ('result' in m) job.resolve(m.result);
      else job.reject(new Error(m.error));
      this.dispatch();
    });
    const gone = (why: string): void => {
      const at = this.workers.indexOf(worker);
      if (at < 0) return;
      this.workers.splice(at, 1);
      worker.job?.reject(new Error(`the instrumenting worker (pid ${child.pid}) died (${why})`));
      worker.job = null;
      if (!this.closed) this.dispatch();
    };
    child.on('exit', (code, signal) => gone(signal ?? `status ${code}`));
    child.on('error', (e) => gone(e.message));
  }
}
