/**
 * The coverage-guided loop (runs inside the fuzz worker, see worker.ts): executes the seeds and
 * keeps those that cover new blocks, then mutates corpus entries and keeps every mutant that
 * covers a block no input covered before.
 *
 * Taking V8's coverage costs about what an execution does, so mutants run in batches and the
 * coverage is taken once per batch; only when a batch covered something new is each of its
 * inputs run again on its own to find which one did. The batch doubles (up to `batch`) while
 * nothing new turns up and halves when something does, so takes are rare once new coverage is;
 * its size depends only on what was found, so a run repeats exactly for the same seed.
 *
 * A failure (see target.ts) is recorded under a signature (the check, or the exception and the
 * first frame of the code under test that threw it), minimised while it keeps that signature,
 * and the run goes on; only the first input of each signature is kept.
 */
import type { BlockCoverage } from "./coverage.js";
import { layoutOf, mutate, Rng, type MutationContext } from "./mutate.js";
import { OracleFailure, runTarget } from "./target.js";

export interface EngineOptions {
  readonly seed: number;
  /** Executions to stop after (seeds included). */
  readonly runs: number;
  /** Milliseconds to stop after (wall clock, from the engine's start). */
  readonly timeMs: number;
  readonly maxLength: number;
  /** Most mutants per coverage take. */
  readonly batch: number;
  /** Path fragments of the scripts whose blocks count (`/dist/src/capture/`...). */
  readonly scope: readonly string[];
  /** Executions a new failure may spend on shrinking its input. */
  readonly minimizeRuns: number;
}

export interface Failure {
  readonly signature: string;
  readonly message: string;
  readonly stack: string;
  readonly input: Uint8Array;
  /** The input as first found, before minimising. */
  readonly original: Uint8Array;
}

export interface EngineStats {
  execs: number;
  corpus: number;
  blocksCovered: number;
  blocksKnown: number;
  /** Blocks covered once the seeds had run, before any mutant. */
  blocksFromSeeds: number;
  seedsKept: number;
  failures: number;
  slowest: number;
  largestAllocation: number;
}

export interface EngineEvents {
  /** Called before each execution, with its input (the watchdog keeps it in case it hangs). */
  beforeExec(input: Uint8Array): void;
  afterExec(): void;
  /** A new corpus entry; `seed`: one of the seeds (else a mutant). */
  corpus(input: Uint8Array, seed: boolean): void;
  failure(f: Failure): void;
  progress(stats: EngineStats): void;
}

/**
 * The first frame of the code under test in a stack (else of the fuzzer's oracle), as its
 * function and file without line numbers, so that a signature survives edits elsewhere.
 */
function firstOwnFrame(stack: string): string {
  const lines = stack.split("\n").slice(1);
  for (const dir of ["src", "test/fuzz"]) {
    for (const line of lines) {
      const m = new RegExp(`at (?:(\\S+) \\()?\\S*/dist/(${dir}/[^:)]+):\\d+`).exec(line);
      if (m !== null) return m[1] === undefined ? (m[2] as string) : `${m[1]} (${m[2]})`;
    }
  }
  return "?";
}

export function signatureOf(e: unknown): string {
  if (e instanceof OracleFailure) {
    if (e.check === "allocation-cap") return `${e.check} in ${firstOwnFrame(e.message)}`;
    return e.check;
  }
  if (e instanceof Error) return `${e.name} in ${firstOwnFrame(e.stack ?? "")}`;
  return `thrown ${typeof e}`;
}

/** Runs the target once; returns the failure's signature and error, or undefined. */
export function tryInput(input: Uint8Array): { signature: string; error: Error } | undefined {
  try {
    runTarget(input);
    return undefined;
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return { signature: signatureOf(e), error };
  }
}

export class Engine {
  private readonly rng: Rng;
  private readonly corpus: Uint8Array[] = [];
  private readonly signatures = new Set<string>();
  private readonly started = Date.now();
  readonly stats: EngineStats = {
    execs: 0,
    corpus: 0,
    blocksCovered: 0,
    blocksKnown: 0,
    blocksFromSeeds: 0,
    seedsKept: 0,
    failures: 0,
    slowest: 0,
    largestAllocation: 0,
  };
  private lastProgress = 0;

  /**
   * `coverage` must have been started before the code under test was loaded: V8 gives block
   * counters only to functions compiled after it started.
   */
  constructor(
    private readonly options: EngineOptions,
    known: readonly string[],
    private readonly events: EngineEvents,
    private readonly coverage: BlockCoverage,
  ) {
    for (const s of known) this.signatures.add(s);
    this.rng = new Rng(options.seed);
  }

  private outOfBudget(): boolean {
    return (
      this.stats.execs >= this.options.runs || Date.now() - this.started >= this.options.timeMs
    );
  }

  /** One execution: returns false when it failed (the failure is recorded). */
  private exec(input: Uint8Array): boolean {
    this.stats.execs++;
    this.events.beforeExec(input);
    const t0 = performance.now();
    let failed: { signature: string; error: Error } | undefined;
    try {
      const r = runTarget(input);
      if (r.largestAllocation > this.stats.largestAllocation)
        this.stats.largestAllocation = r.largestAllocation;
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      failed = { signature: signatureOf(e), error };
    }
    const ms = performance.now() - t0;
    this.events.afterExec();
    if (ms > this.stats.slowest) this.stats.slowest = ms;
    if (failed !== undefined) {
      this.failure(input, failed.signature, failed.error);
      return false;
    }
    return true;
  }

  private failure(input: Uint8Array, signature: string, error: Error): void {
    if (this.signatures.has(signature)) return;
    this.signatures.add(signature);
    this.stats.failures++;
    const small = this.minimize(input, signature);
    // Runs made while minimising say nothing about coverage: drop what they covered.
    this.coverage.collect(false);
    const again = tryInput(small);
    const shown = again?.error ?? error;
    this.events.failure({
      signature,
      message: shown.message,
      stack: shown.stack ?? shown.message,
      input: small,
      original: input,
    });
  }

  /** Shrinks a failing input while it fails the same way: whole units first, then bytes. */
  private minimize(input: Uint8Array, signature: string): Uint8Array {
    let best = input;
    let budget = this.options.minimizeRuns;
    const keeps = (candidate: Uint8Array): boolean => {
      if (budget <= 0 || candidate.length >= best.length) return false;
      budget--;
      this.events.beforeExec(candidate);
      const r = tryInput(candidate);
      this.events.afterExec();
      if (r?.signature !== signature) return false;
      best = candidate;
      return true;
    };
    // Drop records or blocks, last first.
    for (let i = layoutOf(best).units.length - 1; i >= 0 && budget > 0; i--) {
      const u = layoutOf(best).units[i];
      if (u === undefined) continue;
      const without = new Uint8Array(best.length - u.len);
      without.set(best.subarray(0, u.off));
      without.set(best.subarray(u.off + u.len), u.off);
      keeps(without);
    }
    // Then byte ranges, halving their size.
    for (let size = best.length >> 1; size >= 1 && budget > 0; size >>= 1) {
      for (let at = 0; at + size <= best.length && budget > 0;) {
        const without = new Uint8Array(best.length - size);
        without.set(best.subarray(0, at));
        without.set(best.subarray(at + size), at);
        if (!keeps(without)) at += size;
      }
    }
    return best;
  }

  private add(input: Uint8Array, seed = false): void {
    this.corpus.push(input);
    this.stats.corpus = this.corpus.length;
    this.events.corpus(input, seed);
  }

  private report(force: boolean): void {
    this.stats.blocksCovered = this.coverage.covered;
    this.stats.blocksKnown = this.coverage.known;
    const now = Date.now();
    if (!force && now - this.lastProgress < 2000) return;
    this.lastProgress = now;
    this.events.progress({ ...this.stats });
  }

  /**
   * `restored` corpus entries (run again to rebuild the coverage), then the seeds (kept when
   * they cover something new), then mutants until the budget is spent.
   */
  run(seeds: readonly Uint8Array[], restored: readonly Uint8Array[]): EngineStats {
    // Forget what ran before (module loading): the first collect sees only executions.
    this.coverage.collect(false);
    try {
      for (const input of restored) {
        if (this.exec(input)) this.coverage.collect(true);
        else this.coverage.collect(false);
        this.corpus.push(input);
      }
      this.stats.corpus = this.corpus.length;
      for (const input of seeds) {
        if (this.outOfBudget()) break;
        const ok = this.exec(input);
        const fresh = this.coverage.collect(ok);
        if (ok && (fresh > 0 || this.corpus.length === 0)) {
          this.add(input, true);
          this.stats.seedsKept++;
        }
        this.report(false);
      }
      this.report(true);
      this.stats.blocksFromSeeds = this.coverage.covered;
      if (this.corpus.length === 0) this.add(new Uint8Array(0));
      this.mutants();
    } finally {
      this.coverage.stop();
    }
    this.report(true);
    return { ...this.stats };
  }

  private pickParent(): Uint8Array {
    const n = this.corpus.length;
    // Recent finds get more turns: they lead to what is not yet explored.
    if (this.rng.chance(0.3)) {
      const recent = Math.max(1, Math.floor(n / 10));
      return this.corpus[n - 1 - this.rng.below(recent)] as Uint8Array;
    }
    return this.corpus[this.rng.below(n)] as Uint8Array;
  }

  private mutants(): void {
    const ctx: MutationContext = {
      rng: this.rng,
      other: () => this.corpus[this.rng.below(this.corpus.length)] as Uint8Array,
      maxLength: this.options.maxLength,
    };
    // The batch doubles while batches find nothing and halves when one does: cheap takes when
    // new coverage is rare, no re-runs when it is common.
    let size = 1;
    while (!this.outOfBudget()) {
      const batch: Uint8Array[] = [];
      const ok: boolean[] = [];
      for (let i = 0; i < size && !this.outOfBudget(); i++) {
        const input = mutate(this.pickParent(), ctx);
        batch.push(input);
        ok.push(this.exec(input));
      }
      let found = false;
      if (batch.length === 1) {
        const fine = ok[0] === true;
        found = this.coverage.collect(fine) > 0;
        if (found && fine) this.add(batch[0] as Uint8Array);
      } else if (this.coverage.collect(false) > 0) {
        found = true;
        for (let i = 0; i < batch.length; i++) {
          if (ok[i] !== true) continue;
          const input = batch[i] as Uint8Array;
          this.events.beforeExec(input);
          const again = tryInput(input);
          this.events.afterExec();
          if (this.coverage.collect(again === undefined) > 0 && again === undefined)
            this.add(input);
        }
      }
      size = found ? Math.max(1, size >> 1) : Math.min(this.options.batch, size * 2);
      this.report(false);
    }
  }
}
