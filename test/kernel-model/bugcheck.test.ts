// A bugcheck ends the run at once, with its data complete: a driver of our own (test/kernel-model/bugcheck) that
// breaks the CancelSpinLock rule once, then calls KeBugCheckEx, built through spincheck-cc and run under Wine.
// Once on the harness's thread; once on a thread-pool thread that holds a critical section another thread waits
// for inside its DLL_THREAD_ATTACH, under the loader lock (as Wine's drivers on their pool threads can): exit()
// takes the loader lock there and never returns, so the model ends the process without it. Both runs end with
// the bugcheck's status 3, their stdout flushed, and the same run data: the violation, the bugcheck finding, and
// the counters, those of the bug checking thread included.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOwnHarness, type OwnHarness, ownDriversReady } from './own-drivers.js';

interface Report {
  violations: Array<{ kind: string; location: { function: string } }>;
  findings: Array<{ kind: string; code: number; message: string }>;
  files: Array<{ file: string; sites: Array<{ kind: string; function: string; line: number; hits: number }> }>;
}

describe.runIf(ownDriversReady)('a bugcheck ends the process at once, its run data complete', () => {
  let harness: OwnHarness<Report>;

  beforeAll(() => {
    harness = buildOwnHarness<Report>('bugcheck');
  }, 600_000);

  const hits = (report: Report) =>
    report.files.flatMap((f) => f.sites.map((s) => `${s.function}:${s.line} ${s.kind} ${s.hits}`)).sort();

  it('on the harness\'s thread: status 3, stdout flushed, the violation, the finding and the counters written', () => {
    const r = harness.run([]);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('bugcheck-harness: bug checking\n');
    expect(r.report.violations.map((v) => [v.kind, v.location.function])).toEqual([['release-not-held', 'BcControl']]);
    expect(r.report.findings).toMatchObject([{ kind: 'bugcheck', code: 0xe2 }]);
    expect(r.report.findings[0]?.message).toMatch(/^bugcheck 0xE2 KeBugCheckEx: /);
    // The lock calls just before KeBugCheckEx are fast-path counts of the bug checking thread, not yet added.
    expect(hits(r.report).filter((h) => h.startsWith('BcBugCheck:')).map((h) => h.replace(/:\d+/, ''))).toEqual(['BcBugCheck acquire 1', 'BcBugCheck release 1']);
    expect(hits(r.report).filter((h) => h.startsWith('BcControl:') && / (acquire|release) /.test(h)).map((h) => h.replace(/:\d+/, '')).sort()).toEqual([
      'BcControl acquire 1', 'BcControl release 1', 'BcControl release 1',
    ]);
  });

  it('on a pool thread holding a lock another thread waits for under the loader lock: the same end, the same data', () => {
    const plain = harness.run([]);
    const r = harness.run(['--blocked']);
    expect(r.stdout).toBe('bugcheck-harness: bug checking\n'); // not "the process did not end" (status 99)
    expect(r.status).toBe(3);
    expect(r.report.violations).toEqual(plain.report.violations);
    expect(r.report.findings).toEqual(plain.report.findings);
    expect(hits(r.report)).toEqual(hits(plain.report));
  });
});
