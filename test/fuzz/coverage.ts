/**
 * Block coverage of the code under test, from V8's own precise coverage through `node:inspector`
 * (Profiler.startPreciseCoverage with `detailed: true`, in binary mode: each block counts as run
 * or not run since the last take). No instrumentation step: the compiled `dist/` files are
 * measured as they are.
 *
 * V8 reports per function a list of nested ranges, the first the function itself, and merges a
 * block into its parent when both have the same count; so the count of any position is the count
 * of the innermost reported range that contains it. A block is known once it has been reported
 * at least once (as not run, usually); it is covered by an execution when the innermost range
 * reported around it then has a count above zero. `collect` answers "did the executions since the
 * last take cover a block no earlier execution covered?", which is all the fuzzer needs to decide
 * whether an input is worth keeping.
 */
import { Session } from "node:inspector";

interface Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}

interface FunctionCoverage {
  readonly ranges: readonly Range[];
}

interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly FunctionCoverage[];
}

/** What is known of one function: whether it ever ran, and its blocks not yet covered. */
interface FunctionState {
  ran: boolean;
  /** Every block (start:end) reported so far, covered or not. */
  readonly known: Set<string>;
  /** Known blocks never covered yet, as [start, end] pairs. */
  uncovered: Array<readonly [number, number]>;
}

export class BlockCoverage {
  private readonly session = new Session();
  private readonly functions = new Map<string, FunctionState>();
  private readonly scopeOfUrl = new Map<string, boolean>();
  private coveredBlocks = 0;
  private knownBlocks = 0;

  /** `inScope(url)`: whether a script's blocks count (the layers under test). */
  constructor(private readonly inScope: (url: string) => boolean) {}

  /**
   * Starts V8's precise coverage. Only functions compiled from then on get block counters, so
   * start it before loading the code to measure.
   */
  start(): void {
    this.session.connect();
    this.post("Profiler.enable");
    this.post("Profiler.startPreciseCoverage", { callCount: false, detailed: true });
  }

  stop(): void {
    this.post("Profiler.stopPreciseCoverage");
    this.session.disconnect();
  }

  /** Blocks (functions included) covered by some execution so far. */
  get covered(): number {
    return this.coveredBlocks;
  }

  /** Blocks (functions included) reported so far, covered or not. */
  get known(): number {
    return this.knownBlocks;
  }

  /**
   * Takes the coverage of everything run since the last take and returns how many blocks it
   * covered that no earlier commit had. With `commit`, those blocks count as covered from now on;
   * without, nothing is recorded (used to test a batch before finding which input did it).
   */
  collect(commit: boolean): number {
    const taken = this.post("Profiler.takePreciseCoverage") as { result: ScriptCoverage[] };
    let fresh = 0;
    for (const script of taken.result) {
      let scoped = this.scopeOfUrl.get(script.url);
      if (scoped === undefined) {
        scoped = this.inScope(script.url);
        this.scopeOfUrl.set(script.url, scoped);
      }
      if (!scoped) continue;
      for (const fn of script.functions) fresh += this.function(script.url, fn.ranges, commit);
    }
    return fresh;
  }

  private function(url: string, ranges: readonly Range[], commit: boolean): number {
    const whole = ranges[0];
    if (whole === undefined) return 0;
    const key = `${url}#${whole.startOffset}`;
    let st = this.functions.get(key);
    if (st === undefined) {
      st = { ran: false, known: new Set(), uncovered: [] };
      this.functions.set(key, st);
      this.knownBlocks++;
    }
    if (whole.count === 0) return 0;
    let fresh = 0;
    if (!st.ran) {
      fresh++;
      if (commit) {
        st.ran = true;
        this.coveredBlocks++;
      }
    }
    // Blocks reported now for the first time: learn them (covered or not).
    const newlySeen: Array<readonly [number, number]> = [];
    for (let i = 1; i < ranges.length; i++) {
      const r = ranges[i] as Range;
      const k = `${r.startOffset}:${r.endOffset}`;
      if (st.known.has(k)) continue;
      if (r.count > 0) fresh++;
      if (!commit) continue;
      st.known.add(k);
      this.knownBlocks++;
      if (r.count > 0) this.coveredBlocks++;
      else newlySeen.push([r.startOffset, r.endOffset]);
    }
    // Known blocks never covered before: covered now when the innermost range around them ran.
    const still: Array<readonly [number, number]> = [];
    for (const block of st.uncovered) {
      if (innermostCount(ranges, block[0], block[1]) > 0) {
        fresh++;
        if (commit) this.coveredBlocks++;
        else still.push(block);
      } else still.push(block);
    }
    if (commit) {
      for (const b of newlySeen) still.push(b);
      st.uncovered = still;
    }
    return fresh;
  }

  private post(method: string, params?: object): unknown {
    let error: Error | null = null;
    let result: unknown;
    // An in-thread session answers synchronously: the callback has run when post returns.
    this.session.post(method, params ?? {}, (err, res) => {
      error = err;
      result = res;
    });
    if (error !== null) throw error;
    if (result === undefined) throw new Error(`inspector: no synchronous answer to ${method}`);
    return result;
  }
}

/** Count of the innermost reported range containing [start, end) (ranges[0] contains all). */
function innermostCount(ranges: readonly Range[], start: number, end: number): number {
  let best = ranges[0] as Range;
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i] as Range;
    if (r.startOffset > start) break;
    if (
      r.endOffset >= end &&
      r.endOffset - r.startOffset <= best.endOffset - best.startOffset &&
      r.startOffset >= best.startOffset
    ) {
      best = r;
    }
  }
  return best.count;
}
