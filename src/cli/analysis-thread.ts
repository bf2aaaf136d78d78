/**
 * Runs the per-flow half of `teardown analyze` (facts, findings, summary, JSON) on a worker
 * thread (analysis-worker.ts) while this thread reads, decodes and tracks. Finished flows go
 * over in batches of records whose arrays are transferred, not copied; JSON comes back in
 * chunks, in flow order. At most a few batches are in flight: the reader waits (`ready()`)
 * rather than let a fast reader pile flows up in memory.
 *
 * HTTP payload is parsed there too (`forward`, flow/app-forward.ts): it goes over in chunks of
 * events, each sent before any batch that follows it, so a flow's payload is always there
 * before the flow.
 */
import { Worker } from "node:worker_threads";
import type {
  CaptureSummary,
  FlowSelection,
  ReportFlowOptions,
  ReportFlows,
  Thresholds,
} from "../analysis/index.js";
import {
  AppEventWriter,
  batchArrays,
  batchBuffers,
  type AppForward,
  type BatchArrays,
  type FlowBatchData,
} from "../flow/index.js";
import type { FlowRecordFormat } from "../report/index.js";

/**
 * A batch, with the first packet's epoch time (for relative --since/--until); a chunk of JSON
 * written out, whose buffer is written again; the end.
 */
export type ToAnalysis =
  | { type: "batch"; batch: FlowBatchData & { readonly startEpoch: number } }
  | { type: "written"; json: Uint8Array }
  | { type: "app-events"; events: Uint8Array }
  | { type: "end" };
export type FromAnalysis =
  | { type: "batch-done"; json: Uint8Array | undefined; arrays: BatchArrays }
  | { type: "app-events-done"; events: Uint8Array }
  | {
      type: "summary";
      json: Uint8Array | undefined;
      summary: CaptureSummary;
      reportFlows: ReportFlows | undefined;
    };

/** What the analysis thread gives back at the end. */
export interface AnalysisOutcome {
  readonly summary: CaptureSummary;
  readonly reportFlows: ReportFlows | undefined;
}

/** The analysis thread's young generation, MiB. */
const WORKER_YOUNG_MB = 48;
/** Batches sent and not yet analysed before the reader waits. */
const MAX_IN_FLIGHT = 4;
/**
 * Bytes of payload events per chunk (app-forward.ts), and chunks sent and not yet replayed
 * before the reader waits.
 */
const EVENT_CHUNK_BYTES = 1 << 20;
const MAX_EVENTS_IN_FLIGHT = 8;

export class AnalysisThread {
  private readonly worker: Worker;
  private inFlight = 0;
  private eventsInFlight = 0;
  private readonly events = new AppEventWriter(EVENT_CHUNK_BYTES, (chunk) =>
    this.sendEvents(chunk),
  );
  /**
   * Where the tracker sends the payload of connections parsed on the worker: every HTTP one.
   * HTTP parsing (and the objects it makes, and their encoding to cross over) is the larger part
   * of parsing; TLS stays here, where reading record headers and hellos costs less than copying
   * every encrypted byte over would.
   */
  readonly forward: AppForward = {
    events: this.events,
    wanted: (protocol) => protocol === "http" && this.failure === undefined,
  };
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  /** finish() was called: the thread takes no more messages but the end. */
  private ended = false;
  private readonly summary: Promise<AnalysisOutcome>;

  /**
   * `format`: the per-flow records to write (undefined: none), each chunk of which goes to
   * `onRecords` in flow order, with a function to call once it is written; `select`: which
   * flows count; `onDone`: the arrays of each batch analysed, to be filled again; `report`: also
   * choose the report's ladders (report-flows.ts).
   */
  constructor(
    thresholds: Thresholds,
    select: FlowSelection,
    format: FlowRecordFormat | undefined,
    onRecords: (chunk: Uint8Array, written: () => void) => void,
    onDone: (arrays: BatchArrays) => void,
    report: ReportFlowOptions | undefined,
  ) {
    const onJson = format === undefined ? undefined : onRecords;
    this.worker = new Worker(new URL("./analysis-worker.js", import.meta.url), {
      workerData: { thresholds, format, select, report },
      // Most of its garbage is short-lived (findings, text, JSON); the HTTP sessions forwarded
      // to it live as long as their connections. A larger young generation (96 MiB, started
      // at its largest) halved its scavenge time on the 1 GiB mixed capture (211 to 105 ms)
      // and cut it by an eighth on the million-connection one (1,054 to 912 ms), with no
      // difference in wall time there within this machine's noise; it adds to the peak.
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
    });
    this.summary = new Promise((resolve, reject) => {
      this.worker.on("message", (m: FromAnalysis) => {
        // A failure here (writing the output) ends the analysis like a failure of the thread.
        try {
          if (m.type === "app-events-done") {
            this.events.recycle(m.events);
            this.eventsInFlight--;
            this.release();
            return;
          }
          const json = m.json;
          if (json !== undefined) onJson?.(json, () => this.written(json));
          if (m.type === "batch-done") {
            onDone(m.arrays);
            this.inFlight--;
            this.release();
          } else {
            resolve({ summary: m.summary, reportFlows: m.reportFlows });
          }
        } catch (e) {
          fail(e instanceof Error ? e : new Error(String(e)));
        }
      });
      const fail = (e: Error): void => {
        this.failure = e;
        this.release();
        reject(e);
      };
      this.worker.on("error", fail);
      this.worker.on("exit", (code) => fail(new Error(`analysis thread exited (${code})`)));
    });
    // The failure is reported by finish(); until then it only stops the waiting.
    this.summary.catch(() => undefined);
  }

  send(batch: FlowBatchData, startEpoch: number): void {
    if (this.failure !== undefined) return;
    // The payload of the batch's flows goes first.
    this.events.flush();
    this.inFlight++;
    const message: ToAnalysis = { type: "batch", batch: { ...batch, startEpoch } };
    this.worker.postMessage(message, batchBuffers(batchArrays(batch)));
  }

  /** A promise to await before reading on when too many batches or chunks are in flight. */
  ready(): Promise<void> | undefined {
    if (!this.mustWait()) return undefined;
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Ends the analysis: the summary once every batch is done (rejects if the thread failed). */
  async finish(): Promise<AnalysisOutcome> {
    this.events.flush();
    this.ended = true;
    if (this.failure === undefined) this.worker.postMessage({ type: "end" } satisfies ToAnalysis);
    try {
      return await this.summary;
    } finally {
      this.worker.removeAllListeners("exit");
      await this.worker.terminate();
    }
  }

  /** A chunk of JSON is written out: its buffer goes back to be written again. */
  private written(json: Uint8Array): void {
    if (this.failure !== undefined || this.ended) return;
    this.worker.postMessage({ type: "written", json } satisfies ToAnalysis, [
      json.buffer as ArrayBuffer,
    ]);
  }

  private sendEvents(chunk: Uint8Array): void {
    if (this.failure !== undefined || this.ended) return;
    this.eventsInFlight++;
    this.worker.postMessage({ type: "app-events", events: chunk } satisfies ToAnalysis, [
      chunk.buffer as ArrayBuffer,
    ]);
  }

  /** Too much is waiting for the worker, which has not failed: the reader waits. */
  private mustWait(): boolean {
    return (
      this.failure === undefined &&
      (this.inFlight >= MAX_IN_FLIGHT || this.eventsInFlight >= MAX_EVENTS_IN_FLIGHT)
    );
  }

  private release(): void {
    if (this.wake !== undefined && !this.mustWait()) {
      const wake = this.wake;
      this.wake = undefined;
      wake();
    }
  }
}
