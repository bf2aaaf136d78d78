/**
 * Coverage-guided fuzzing of the whole pipeline (see target.ts for what is checked, engine.ts
 * for the loop), driven by `npm run fuzz` (scripts/fuzz.ts) and by the CI budget test
 * (fuzz.test.ts).
 *
 * The engine runs in a worker thread; this side keeps the corpus as it grows, watches for an
 * execution that hangs (no progress for --exec-timeout ms) or a worker that runs out of memory,
 * saves the input that did it, and starts a new worker on the corpus so far. Every failure is
 * written to DIR/crashes/ (the minimised input, the input as found, and a .txt with the stack and
 * a one-line reproduction command); the corpus is written to DIR/corpus/ at the end, and
 * --resume starts from it.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Worker } from "node:worker_threads";
import type { EngineOptions, EngineStats, Failure } from "./engine.js";
import { loadSeeds } from "./seeds.js";
import { REPO_ROOT } from "../differential/capture-files.js";
import {
  EXECS,
  INPUT_LENGTH,
  IN_EXEC,
  SEQ,
  SHARED_HEADER,
  type WorkerInput,
  type WorkerMessage,
} from "./protocol.js";

/** The layers whose blocks guide the fuzzer. */
export const DEFAULT_SCOPE = ["/dist/src/capture/", "/dist/src/decode/", "/dist/src/flow/"];
/** Seeds are cut to their first whole records up to this size, so executions stay fast. */
export const SEED_MAX_BYTES = 16 * 1024;
export const SEED_MAX_UNITS = 64;

export interface FuzzOptions {
  readonly seed: number;
  readonly runs: number;
  readonly timeMs: number;
  readonly maxLength: number;
  readonly batch: number;
  readonly execTimeoutMs: number;
  readonly scope: readonly string[];
  /** Where crashes/ and corpus/ go; undefined: nothing is written. */
  readonly outDir: string | undefined;
  /** Start from outDir/corpus as well as the seeds. */
  readonly resume: boolean;
  readonly minimizeRuns: number;
  /** Called with each progress report. */
  readonly onProgress?: (s: EngineStats) => void;
}

export const DEFAULT_FUZZ_OPTIONS: FuzzOptions = {
  seed: 1,
  runs: Number.MAX_SAFE_INTEGER,
  timeMs: 60_000,
  maxLength: 64 * 1024,
  batch: 32,
  execTimeoutMs: 10_000,
  scope: DEFAULT_SCOPE,
  outDir: undefined,
  resume: false,
  minimizeRuns: 2000,
};

export interface FoundFailure {
  readonly signature: string;
  readonly message: string;
  readonly stack: string;
  readonly input: Uint8Array;
  /** Where the input was written, when it was. */
  readonly file: string | undefined;
  readonly repro: string | undefined;
}

export interface FuzzReport {
  readonly execs: number;
  readonly elapsedMs: number;
  readonly seeds: number;
  readonly seedsKept: number;
  readonly corpus: number;
  readonly blocksFromSeeds: number;
  readonly blocksCovered: number;
  readonly blocksKnown: number;
  readonly workers: number;
  readonly slowestMs: number;
  readonly largestAllocation: number;
  readonly failures: readonly FoundFailure[];
}

function slug(signature: string, input: Uint8Array): string {
  const name = signature
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
  return `${name}-${createHash("sha1").update(input).digest("hex").slice(0, 8)}`;
}

function writeFailure(
  outDir: string,
  f: Omit<FoundFailure, "file" | "repro">,
  original: Uint8Array,
): FoundFailure {
  const dir = join(outDir, "crashes");
  mkdirSync(dir, { recursive: true });
  const base = join(dir, slug(f.signature, f.input));
  const file = `${base}.pcap`;
  writeFileSync(file, f.input);
  if (original.length !== f.input.length) writeFileSync(`${base}.orig.pcap`, original);
  const repro = `node dist/scripts/fuzz.js --repro ${relative(REPO_ROOT, file)}`;
  writeFileSync(`${base}.txt`, `${f.signature}\n\nreproduce: ${repro}\n\n${f.stack}\n`);
  return { ...f, file, repro };
}

function saveCorpus(outDir: string, corpus: readonly Uint8Array[]): void {
  const dir = join(outDir, "corpus");
  mkdirSync(dir, { recursive: true });
  for (const input of corpus) {
    writeFileSync(
      join(dir, `${createHash("sha1").update(input).digest("hex").slice(0, 16)}.pcap`),
      input,
    );
  }
}

function loadCorpus(outDir: string): Uint8Array[] {
  const dir = join(outDir, "corpus");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((n) => new Uint8Array(readFileSync(join(dir, n))));
}

/** Fuzzes for the budget in `options`; resolves with what was run and found. */
export async function runFuzz(partial: Partial<FuzzOptions> = {}): Promise<FuzzReport> {
  const options: FuzzOptions = { ...DEFAULT_FUZZ_OPTIONS, ...partial };
  const seeds = loadSeeds(SEED_MAX_BYTES, SEED_MAX_UNITS).map((s) => s.bytes);
  const restored = options.resume && options.outDir !== undefined ? loadCorpus(options.outDir) : [];
  const started = Date.now();
  const corpus: Uint8Array[] = [];
  const failures: FoundFailure[] = [];
  const signatures = new Set<string>();
  let execsBefore = 0;
  let workers = 0;
  let last: EngineStats | undefined;
  let slowest = 0;
  let largest = 0;
  let blocksFromSeeds = 0;
  let seedsKept = 0;
  // Seeds not yet run: a worker that hangs on one hands the rest (not that one) to the next.
  let pendingSeeds = seeds;

  const record = (f: Omit<FoundFailure, "file" | "repro">, original: Uint8Array): void => {
    if (signatures.has(f.signature)) return;
    signatures.add(f.signature);
    failures.push(
      options.outDir === undefined
        ? { ...f, file: undefined, repro: undefined }
        : writeFailure(options.outDir, f, original),
    );
  };

  // One worker after another: a new one when the last hung or ran out of memory.
  for (;;) {
    const elapsed = Date.now() - started;
    const runsLeft = options.runs - execsBefore;
    if (runsLeft <= 0 || elapsed >= options.timeMs) break;
    const slotBytes = Math.max(options.maxLength, SEED_MAX_BYTES * 4);
    const shared = new SharedArrayBuffer(SHARED_HEADER + slotBytes);
    const header = new Int32Array(shared, 0, SHARED_HEADER / 4);
    const engine: EngineOptions = {
      seed: (options.seed + workers * 0x9e3779b9) >>> 0,
      runs: runsLeft,
      timeMs: options.timeMs - elapsed,
      maxLength: options.maxLength,
      batch: options.batch,
      scope: options.scope,
      minimizeRuns: options.minimizeRuns,
    };
    const input: WorkerInput = {
      options: engine,
      seeds: pendingSeeds,
      restored: workers === 0 ? restored : [...restored, ...corpus],
      known: [...signatures],
      shared,
    };
    workers++;
    const worker = new Worker(new URL("./worker.js", import.meta.url), {
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    const outcome = await new Promise<"done" | "hang" | "died">((resolve) => {
      let seq = -1;
      let since = Date.now();
      let settled = false;
      const finish = (how: "done" | "hang" | "died"): void => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        resolve(how);
      };
      const lost = (kind: string, detail: string): void => {
        const n = Atomics.load(header, INPUT_LENGTH);
        const bytes = new Uint8Array(shared, SHARED_HEADER, n).slice();
        record({ signature: kind, message: detail, stack: detail, input: bytes }, bytes);
      };
      const watchdog = setInterval(() => {
        const now = Date.now();
        const s = Atomics.load(header, SEQ);
        if (s !== seq) {
          seq = s;
          since = now;
        } else if (Atomics.load(header, IN_EXEC) === 1 && now - since > options.execTimeoutMs) {
          lost("hang", `one execution ran for more than ${options.execTimeoutMs} ms`);
          void worker.terminate();
          finish("hang");
        }
      }, 100);
      worker.on("message", (m: WorkerMessage) => {
        switch (m.type) {
          case "corpus":
            corpus.push(m.input);
            if (m.seed) seedsKept++;
            return;
          case "failure": {
            const f: Failure = m.failure;
            record(
              { signature: f.signature, message: f.message, stack: f.stack, input: f.input },
              f.original,
            );
            return;
          }
          case "progress":
          case "done":
            last = m.stats;
            if (m.stats.slowest > slowest) slowest = m.stats.slowest;
            if (m.stats.largestAllocation > largest) largest = m.stats.largestAllocation;
            if (m.stats.blocksFromSeeds > 0) blocksFromSeeds = m.stats.blocksFromSeeds;
            options.onProgress?.({ ...m.stats, execs: execsBefore + m.stats.execs });
            if (m.type === "done") finish("done");
            return;
        }
      });
      worker.on("error", (e: Error) => {
        lost(/memory/i.test(e.message) ? "out-of-memory" : "worker-error", e.stack ?? e.message);
        finish("died");
      });
      worker.on("exit", (code) => {
        if (!settled) lost("worker-exit", `the worker exited with status ${code} mid-run`);
        finish("died");
      });
    });
    // What the worker ran, told by the shared counter (a worker that hung said nothing at the end).
    const ran = outcome === "done" ? (last?.execs ?? 0) : Atomics.load(header, EXECS);
    execsBefore += ran;
    if (outcome === "done") break;
    // Each restored input and each seed is one execution, in that order.
    pendingSeeds = pendingSeeds.slice(Math.max(0, ran - input.restored.length));
  }
  if (options.outDir !== undefined) saveCorpus(options.outDir, corpus);
  return {
    execs: execsBefore,
    elapsedMs: Date.now() - started,
    seeds: seeds.length,
    seedsKept,
    corpus: corpus.length,
    blocksFromSeeds,
    blocksCovered: last?.blocksCovered ?? 0,
    blocksKnown: last?.blocksKnown ?? 0,
    workers,
    slowestMs: slowest,
    largestAllocation: largest,
    failures,
  };
}

export function formatReport(r: FuzzReport, seed: number): string {
  const lines = [
    `seed ${seed}: ${r.execs} executions in ${(r.elapsedMs / 1000).toFixed(1)} s ` +
      `(${Math.round(r.execs / (r.elapsedMs / 1000))}/s), ${r.workers} worker(s)`,
    `seeds ${r.seeds} (kept ${r.seedsKept}), corpus ${r.corpus}`,
    `blocks covered ${r.blocksCovered} of ${r.blocksKnown} known (${r.blocksFromSeeds} after the seeds)`,
    `slowest execution ${r.slowestMs.toFixed(0)} ms, largest allocation ${r.largestAllocation} bytes`,
    `failures: ${r.failures.length}`,
  ];
  for (const f of r.failures) {
    const first = f.message.split("\n")[0] ?? "";
    lines.push(`  ${first.startsWith(f.signature) ? first : `${f.signature}: ${first}`}`);
    if (f.repro !== undefined) lines.push(`    reproduce: ${f.repro}`);
  }
  return lines.join("\n");
}
