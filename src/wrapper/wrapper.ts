// The wrapper's flow, shared by spincheck-cc and spincheck-cl: decide pass-through early, instrument C sources,
// run the plan, fail open. The dialect (gcc/dialect.ts, cl/dialect.ts) supplies flags, rules and runtime policy.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ParsedCommand } from './command.js';
import type { CompilerChain, Self } from './compiler.js';
import { resolveCompiler } from './compiler.js';
import { loadConfig } from './config.js';
import type { WrapperConfig } from './config.js';
import { writeAtomic } from '../io/write-atomic.js';
import { depFileCandidates, rewriteDepFiles } from './depfile.js';
import { WrapperError } from './errors.js';
import { run, signalChild } from './exec.js';
import type { Outcome, Runner } from './exec.js';
import type { WrapperDialect } from './dialect.js';
import { GCC_DIALECT } from './gcc/dialect.js';
import { dirOf, planCommand } from './plan.js';
import type { PlanStep, Substitution } from './plan.js';
import { PASS_THROUGH_REASONS } from './reasons.js';
import type { PassThroughReason } from './reasons.js';
import { linksInstrumented } from './link-inputs.js';
import { ensureRuntime } from './runtime-lib.js';
import type { RuntimeLib } from './runtime-lib.js';
import { siteDatabase, writeSiteDatabase } from './site-db.js';
import { prepareSource } from './source.js';
import type { InstrumentCall } from './instrumenter.js';
import type { SourceDecision } from './source.js';
import { makeDirs } from '../io/make-dirs.js';

/** spincheck-cc nested deeper than this is a fork loop (G25). */
const MAX_DEPTH = 8;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface WrapperContext {
  /** Arguments after spincheck-cc. */
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  self: Self;
  stderrIsTTY: boolean;
  writeStderr: (data: string | Uint8Array) => void;
  /** Where captured compiler stdout is replayed (cl's captured runs); default process.stdout. */
  writeStdout?: (data: string | Uint8Array) => void;
  /** Who runs the compiler: this process (default), or the launcher that asked the warm server. */
  runner?: Runner;
  /**
   * Set when the session is driven from outside this process (the warm server): its abort is the interrupt, and
   * the process's own signal handlers are left alone.
   */
  abort?: AbortSignal;
  /** Who serves this compile, for the verbose note (the warm server says so). */
  origin?: string;
  /** Who instruments each file (the warm server: its worker pool); default this process. */
  instrument?: InstrumentCall;
}

export interface WrapperOutcome {
  status: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs one compiler command the way spincheck-cc (or, with the cl dialect, spincheck-cl) does. */
export async function runWrapper(ctx: WrapperContext, dialect: WrapperDialect = GCC_DIALECT): Promise<WrapperOutcome> {
  const session = new Session(ctx, dialect);
  session.listen();
  try {
    return await session.main();
  } catch (e) {
    if (!(e instanceof WrapperError)) throw e;
    ctx.writeStderr(`spincheck: error: ${e.message}\n`);
    return { status: e.status, signal: null };
  } finally {
    session.cleanup();
    session.unlisten();
  }
}

/** os.tmpdir() of the compile's environment, not this process's (the warm server serves builds with other TMPDIRs). */
function tempRoot(env: NodeJS.ProcessEnv): string {
  if (process.platform === 'win32') return tmpdir();
  const dir = env.TMPDIR || env.TMP || env.TEMP || '/tmp';
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

class Session {
  private interrupted: NodeJS.Signals | null = null;
  private tmp: string | null = null;
  private config: WrapperConfig | null = null;
  private readonly depth: number;
  private readonly childEnv: NodeJS.ProcessEnv;
  /** Environment of the runs planned from the parsed command (cl: without CL/_CL_, folded into the arguments). */
  private planEnv: NodeJS.ProcessEnv;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.interrupted ??= signal;
    if (!signalChild(signal)) this.cleanup();
  };
  private readonly onExit = (): void => this.cleanup();
  private readonly onAbort = (): void => {
    this.interrupted ??= 'SIGTERM';
  };
  private readonly run: Runner;

  constructor(
    private readonly ctx: WrapperContext,
    private readonly dialect: WrapperDialect,
  ) {
    this.depth = Number.parseInt(ctx.env.SPINCHECK_DEPTH ?? '0', 10) || 0;
    this.childEnv = { ...ctx.env, SPINCHECK_DEPTH: String(this.depth + 1) };
    this.planEnv = this.childEnv;
    this.run = ctx.runner ?? run;
  }

  listen(): void {
    if (this.ctx.abort) {
      this.ctx.abort.addEventListener('abort', this.onAbort);
      return;
    }
    for (const s of SIGNALS) process.on(s, this.onSignal);
    process.on('exit', this.onExit);
  }

  unlisten(): void {
    if (this.ctx.abort) {
      this.ctx.abort.removeEventListener('abort', this.onAbort);
      return;
    }
    for (const s of SIGNALS) process.off(s, this.onSignal);
    process.off('exit', this.onExit);
  }

  cleanup(): void {
    if (this.tmp && !this.config?.keepTemp) rmSync(this.tmp, { recursive: true, force: true });
    this.tmp = null;
  }

  private warn(message: string): void {
    this.ctx.writeStderr(`spincheck: warning: ${message}\n`);
  }

  private note(message: string): void {
    const verbose = this.config?.verbose ?? /^(1|true|yes|on)$/i.test(this.ctx.env.SPINCHECK_VERBOSE ?? '');
    if (verbose) this.ctx.writeStderr(`spincheck: note: ${message}\n`);
  }

  async main(): Promise<WrapperOutcome> {
    const { ctx } = this;
    if (this.depth >= MAX_DEPTH) {
      throw new WrapperError(`${this.dialect.names.tool} started itself ${this.depth} times: is it on PATH as the real compiler?`);
    }
    const envDisabled = /^(1|true|yes|on)$/i.test(ctx.env.SPINCHECK_DISABLE ?? '');
    let configError: string | null = null;
    if (!envDisabled && this.depth === 0) {
      try {
        this.config = loadConfig(ctx.env, ctx.cwd);
      } catch (e) {
        if (!(e instanceof WrapperError)) throw e;
        configError = e.message;
      }
    }
    if (ctx.origin) this.note(`compiled through ${ctx.origin}`);
    for (const w of this.config?.warnings ?? []) this.warn(w);
    const { dialect } = this;
    const fallbackCc = dialect.compilerFromConfig(this.config, ctx.env);
    const chain = resolveCompiler(ctx.argv, ctx.env, ctx.cwd, ctx.self, fallbackCc, dialect.names);
    if (envDisabled || this.config?.disable) return this.passThrough(chain, 'disabled');
    if (this.depth > 0) return this.passThrough(chain, 'nested');
    if (configError !== null || !this.config) {
      this.warn(`${configError}; compiling without instrumentation`);
      return this.passThrough(chain, 'unparsable');
    }
    const config = this.config;
    const cmd = dialect.parse(chain.args, ctx.cwd, ctx.env, chain);
    if (cmd.mode === 'pass-through') return this.passThrough(chain, cmd.passReason ?? 'unparsable');
    this.planEnv = dialect.parsedEnv(this.childEnv);
    const sourceOptions = dialect.sourceOptions({
      cmd,
      chain,
      config,
      env: this.planEnv,
      cwd: ctx.cwd,
      self: ctx.self,
      warn: (m) => this.warn(m),
      note: (m) => this.note(m),
    });

    const decisions: SourceDecision[] = [];
    for (const input of cmd.inputs) {
      if (input.language !== 'c') continue;
      decisions.push(
        await prepareSource(input, {
          cmd,
          cwd: ctx.cwd,
          dataDir: config.dataDir,
          roles: config.roles,
          strict: config.strict,
          ...sourceOptions,
          ...(ctx.instrument ? { instrument: ctx.instrument } : {}),
        }),
      );
      if (this.interrupted) return { status: null, signal: this.interrupted };
    }
    for (const d of decisions) {
      if (!d.relevant || d.reason === null) continue;
      if (config.strict) throw new WrapperError(`${d.input.path}: cannot instrument (${d.reason}) and SPINCHECK_STRICT is set`);
      this.warn(`${d.input.path}: compiled without instrumentation (${d.reason})`);
      this.writeDb(d, d.reason);
    }
    const toInstrument = decisions.filter((d) => d.copyText !== null);

    const runtime = this.runtimeFor(cmd, chain, config, toInstrument.length > 0);
    if (toInstrument.length === 0 && !runtime) return this.passThrough(chain, 'nothing-to-do');

    const { sha1 } = await import('../model/tu-id.js');
    let subs: Substitution[];
    try {
      this.tmp = mkdtempSync(join(tempRoot(ctx.env), 'spincheck-'));
      subs = toInstrument.map((d, k) => this.writeCopy(d, k, chain, config, sha1));
    } catch (e) {
      // Unwritable or missing TMPDIR, a full disk: fail open, the build goes on (issue 11).
      this.cleanup();
      const why = `cannot write the instrumented copy (${(e as Error).message})`;
      if (config.strict) throw new WrapperError(`${why} and SPINCHECK_STRICT is set`);
      this.warn(`${why}; compiling without instrumentation`);
      for (const d of toInstrument) this.writeDb(d, 'temp-write-failed');
      return this.passThrough(chain, 'temp-failed');
    }
    const steps = planCommand({
      cmd,
      subs,
      runtime,
      rules: dialect.rules(chain),
      keepColor: ctx.stderrIsTTY && !cmd.colorChosen && ctx.env.TERM !== 'dumb',
    });
    const status = new Map<Substitution, 'ok' | 'fallback'>();
    let outcome: Outcome = { status: 0, signal: null };
    for (const step of steps) {
      outcome = await this.runStep(chain, cmd, step, config, status);
      if (this.interrupted) return { status: null, signal: this.interrupted };
      if (outcome.status !== 0) break;
    }
    subs.forEach((sub, k) => {
      const s = status.get(sub);
      const d = toInstrument[k]!;
      if (s === 'ok') this.writeDb(d, null);
      else if (s === 'fallback') this.writeDb(d, 'instrumented-compile-failed');
    });
    return { status: outcome.status, signal: outcome.signal };
  }

  /**
   * The runtime for a link, only when the link contains instrumented code (sources instrumented now, or object,
   * archive or shared-object inputs that name the hooks) unless the configuration says `always` (executables).
   * On ELF only executables get it (one runtime per process: instrumented shared libraries bind to the
   * executable's); on PE/COFF a DLL of instrumented objects needs its own, having no weak stand-ins.
   */
  private runtimeFor(cmd: ParsedCommand, chain: CompilerChain, config: WrapperConfig, instrumentsNow: boolean): RuntimeLib | null {
    const { ctx } = this;
    if (!this.dialect.linksRuntime || cmd.mode === 'compile' || config.linkRuntime === 'never' || cmd.partialLink || cmd.noStdlib) return null;
    const instrumented = instrumentsNow || linksInstrumented(cmd, ctx.cwd);
    if (!instrumented && (cmd.shared || config.linkRuntime !== 'always')) return null;
    const r = ensureRuntime(chain, cmd.targetArgs, config.cacheDir, this.childEnv, ctx.cwd, ctx.self);
    if (!r.ok) {
      if (instrumented) this.warn(`linking without the spincheck runtime: ${r.error}`);
      else this.note(`no runtime: ${r.error}`);
      return null;
    }
    if (cmd.shared && r.lib.weakStubs) {
      this.note('shared library: no runtime (the executable that loads it carries the one runtime of the process)');
      return null;
    }
    return r.lib;
  }

  private writeDb(d: SourceDecision, reason: string | null): void {
    try {
      writeSiteDatabase(
        this.config!.dataDir,
        siteDatabase({ tu: d.tu, source: d.input.path, sourceAbs: d.abs, sourceHash: d.sourceHash, result: d.result, reason, ...(d.analysis ? { analysis: d.analysis } : {}) }),
      );
    } catch (e) {
      this.warn(`cannot write the site database for ${d.input.path}: ${(e as Error).message}`);
    }
  }

  /** Writes the instrumented copy: private temp dir, or a content-addressed one when ccache-like launchers cache (G24). */
  private writeCopy(d: SourceDecision, k: number, chain: CompilerChain, config: WrapperConfig, sha1: (s: string) => string): Substitution {
    const name = basename(d.abs);
    const own = join(this.tmp!, `s${k}`);
    mkdirSync(own);
    let copyDir = own;
    if (chain.cached) {
      copyDir = join(config.cacheDir, 'src', sha1(`${d.abs}\0${d.copyText}`).slice(0, 16));
      makeDirs(copyDir);
    }
    const copyPath = join(copyDir, name);
    if (!chain.cached) writeFileSync(copyPath, d.copyText!, 'latin1');
    else if (!existsSync(copyPath)) writeAtomic(copyPath, d.copyText!, 'latin1');
    const dot = name.lastIndexOf('.');
    return {
      input: d.input,
      copyPath,
      copyDir,
      origDir: dirOf(d.input.path),
      objectPath: join(own, `${dot > 0 ? name.slice(0, dot) : name}${this.dialect.objectSuffix}`),
    };
  }

  private async exec(chain: CompilerChain, cmd: ParsedCommand, args: string[], capture: boolean): Promise<Outcome> {
    const [first, ...rest] = chain.programs;
    let finalArgs = args;
    const length = args.reduce((n, a) => n + a.length + 1, 0);
    if (cmd.usedResponseFile || length > this.dialect.maxCommandChars) {
      const rsp = join(this.tmp!, `args-${Math.random().toString(36).slice(2)}.rsp`);
      writeFileSync(rsp, this.dialect.responseFile(args));
      finalArgs = [`@${rsp}`];
    }
    return this.run(first!.file, [...rest.map((p) => p.spelled), ...finalArgs], {
      cwd: this.ctx.cwd,
      env: this.planEnv,
      argv0: first!.spelled,
      captureStderr: capture,
      captureStdout: capture && this.dialect.diagnosticsOnStdout,
    });
  }

  private async runStep(
    chain: CompilerChain,
    cmd: ParsedCommand,
    step: PlanStep,
    config: WrapperConfig,
    status: Map<Substitution, 'ok' | 'fallback'>,
  ): Promise<Outcome> {
    const start = Date.now();
    const o = await this.exec(chain, cmd, step.args, step.captureStderr);
    if (o.status === 0 || o.signal || !step.fallback || config.strict || this.interrupted) {
      if (o.stdout?.length) this.writeStdout(o.stdout);
      if (o.stderr?.length) this.ctx.writeStderr(o.stderr);
      if (o.status === 0) {
        for (const sub of step.substituted) status.set(sub, 'ok');
        const files = step.substituted.flatMap((s) => depFileCandidates(cmd, s.input.path, this.ctx.env));
        if (step.swaps.length > 0 && this.dialect.rewritesDepFiles) rewriteDepFiles([...new Set(files)], this.ctx.cwd, step.swaps, start, chain.kind);
      }
      return o;
    }
    const said = Buffer.concat([o.stdout ?? Buffer.alloc(0), o.stderr ?? Buffer.alloc(0)]).toString().trimEnd();
    if (step.substituted.length === 0 && step.linksRuntime) return this.linkWithoutRuntime(chain, cmd, step.fallback, o, said);
    if (said.length) this.note(`the instrumented command failed:\n${said}`);
    const f = await this.exec(chain, cmd, step.fallback, false);
    if (f.status === 0) {
      for (const sub of step.substituted) {
        status.set(sub, 'fallback');
        this.warn(`${sub.input.path}: the instrumented copy did not compile; compiled unchanged (SPINCHECK_VERBOSE=1 shows why)`);
      }
    }
    return f;
  }

  /**
   * A link with the runtime failed. If the link without it fails too, the fault is the user's: the runtime link's
   * messages are the real ones (without the runtime, every hook adds an undefined reference on PE/COFF). If it
   * succeeds, the program checks nothing: said loudly, with the linker's reason, never only under verbose.
   */
  private async linkWithoutRuntime(chain: CompilerChain, cmd: ParsedCommand, fallback: string[], failed: Outcome, said: string): Promise<Outcome> {
    const f = await this.exec(chain, cmd, fallback, true);
    if (f.status !== 0 && !f.signal) {
      if (failed.stdout?.length) this.writeStdout(failed.stdout);
      if (failed.stderr?.length) this.ctx.writeStderr(failed.stderr);
      return failed;
    }
    if (f.stdout?.length) this.writeStdout(f.stdout);
    if (f.stderr?.length) this.ctx.writeStderr(f.stderr);
    if (f.status === 0) {
      const reason = said.length ? `; the linker said:\n${said.replace(/^/gm, '  ')}` : '';
      this.warn(`linking the spincheck runtime failed, so the program was linked without it and its hooks check nothing${reason}`);
    }
    return f;
  }

  private writeStdout(data: Uint8Array): void {
    if (this.ctx.writeStdout) this.ctx.writeStdout(data);
    else process.stdout.write(data);
  }

  private async passThrough(chain: CompilerChain, reason: PassThroughReason): Promise<WrapperOutcome> {
    this.note(`pass-through: ${PASS_THROUGH_REASONS[reason]}`);
    const [first, ...rest] = chain.programs;
    const o = await this.run(first!.file, [...rest.map((p) => p.spelled), ...chain.args], {
      cwd: this.ctx.cwd,
      env: this.childEnv,
      argv0: first!.spelled,
    });
    if (this.interrupted && !o.signal) return { status: null, signal: this.interrupted };
    return { status: o.status, signal: o.signal };
  }
}
