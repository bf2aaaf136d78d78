/**
 * Finished flows copied out of the flow store into a batch of plain arrays, so that they can be
 * handed to another thread in one message (the arrays are transferred, not copied) and read
 * there through Flow views as if they were still in the store.
 */
import { AppContextReader, AppContextWriter } from "./app-codec.js";
import type { AppEventReplayer } from "./app-forward.js";
import type { AppContext } from "./app-context.js";
import { F, HISTORY_CAPACITY } from "./flow-layout.js";
import type { FlowRecords } from "./flow-store.js";
import { Flow } from "./flow.js";
import { P, PM, type PacketLogRecords } from "./packet-log.js";

/** A batch as it travels: structured-clone friendly. */
export interface FlowBatchData {
  readonly count: number;
  /** `count` records of F.STRIDE doubles. */
  readonly f64: Float64Array;
  /** `count` histories of HISTORY_CAPACITY letters. */
  readonly history: Uint8Array;
  /** Histories longer than HISTORY_CAPACITY: [index in the batch, the letters past it]. */
  readonly overflow: readonly (readonly [number, string])[];
  /**
   * Payload contexts: the index in the batch of each flow that had one, and their contexts
   * encoded in that order (app-codec.ts).
   */
  readonly appFlows: readonly number[];
  readonly appBytes: Uint8Array;
  /** The packets kept of each flow, when the tracker keeps them (see packet-log.ts). */
  readonly log: PacketLogRecords | undefined;
  /** For each flow, the tracker's latest time when it finished (relative). */
  readonly captureEnd: Float64Array;
  /** The capture's base second. */
  readonly baseSec: number;
}

/** The arrays of a batch, to be given back and filled again. */
export interface BatchArrays {
  readonly f64: Float64Array;
  readonly history: Uint8Array;
  readonly appBytes: Uint8Array;
  readonly captureEnd: Float64Array;
  readonly logRows: Float64Array | undefined;
  readonly logMeta: Float64Array | undefined;
}

export class FlowBatchWriter {
  private f64: Float64Array;
  private history: Uint8Array;
  private overflow: [number, string][] = [];
  private appFlows: number[] = [];
  private readonly appWriter = new AppContextWriter();
  private captureEnd: Float64Array;
  private logRows: Float64Array | undefined;
  private logMeta: Float64Array | undefined;
  private readonly perFlowRows: number;
  private n = 0;
  /** Arrays of batches already sent and given back (see `recycle`), to fill again. */
  private readonly spare: BatchArrays[] = [];

  /** `log`: the shape of the packet logs to carry (head and tail rows), if any. */
  constructor(
    readonly capacity: number,
    private readonly log?: { readonly head: number; readonly tail: number },
  ) {
    this.perFlowRows = log === undefined ? 0 : log.head + log.tail;
    this.f64 = new Float64Array(capacity * F.STRIDE);
    this.history = new Uint8Array(capacity * HISTORY_CAPACITY);
    this.captureEnd = new Float64Array(capacity);
    this.logRows = this.newLogRows();
    this.logMeta = this.newLogMeta();
  }

  private newLogRows(): Float64Array | undefined {
    return this.log === undefined
      ? undefined
      : new Float64Array(this.capacity * this.perFlowRows * P.SIZE);
  }

  private newLogMeta(): Float64Array | undefined {
    return this.log === undefined ? undefined : new Float64Array(this.capacity * PM.SIZE);
  }

  get count(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n === this.capacity;
  }

  /** Copies a finished flow in (the batch must not be full). */
  add(f: Flow, captureEnd: number): void {
    const i = this.n++;
    const from: FlowRecords = f.store;
    this.f64.set(from.f64.subarray(f.base, f.base + F.STRIDE), i * F.STRIDE);
    const h = f.slot * HISTORY_CAPACITY;
    this.history.set(from.history.subarray(h, h + HISTORY_CAPACITY), i * HISTORY_CAPACITY);
    const more = from.historyOverflow.get(f.slot);
    if (more !== undefined) this.overflow.push([i, more]);
    const app = f.app;
    if (app !== undefined) {
      this.appFlows.push(i);
      this.appWriter.write(app);
    }
    const log = from.log;
    if (this.logRows !== undefined && this.logMeta !== undefined && log !== undefined) {
      const size = this.perFlowRows * P.SIZE;
      this.logRows.set(log.rows.subarray(f.slot * size, (f.slot + 1) * size), i * size);
      this.logMeta.set(log.meta.subarray(f.slot * PM.SIZE, (f.slot + 1) * PM.SIZE), i * PM.SIZE);
    }
    this.captureEnd[i] = captureEnd;
  }

  /** The batch so far, ready to send; the writer starts a new one. */
  take(baseSec: number): FlowBatchData {
    const data: FlowBatchData = {
      count: this.n,
      f64: this.f64,
      history: this.history,
      overflow: this.overflow,
      appFlows: this.appFlows,
      appBytes: this.appWriter.take(),
      log:
        this.log === undefined || this.logRows === undefined || this.logMeta === undefined
          ? undefined
          : { head: this.log.head, tail: this.log.tail, rows: this.logRows, meta: this.logMeta },
      captureEnd: this.captureEnd,
      baseSec,
    };
    const next = this.spare.pop();
    this.f64 = next?.f64 ?? new Float64Array(this.capacity * F.STRIDE);
    this.history = next?.history ?? new Uint8Array(this.capacity * HISTORY_CAPACITY);
    this.captureEnd = next?.captureEnd ?? new Float64Array(this.capacity);
    this.logRows = next?.logRows ?? this.newLogRows();
    this.logMeta = next?.logMeta ?? this.newLogMeta();
    this.overflow = [];
    this.appFlows = [];
    this.n = 0;
    return data;
  }

  /**
   * Gives back the arrays of a batch that was taken and is done with, to be filled again: a
   * long capture then sends thousands of batches through the same few arrays.
   */
  recycle(b: BatchArrays): void {
    this.appWriter.recycle(b.appBytes);
    if (b.f64.length !== this.capacity * F.STRIDE) return;
    this.spare.push(b);
  }
}

/** The arrays of a batch, to give back (see FlowBatchWriter.recycle) or to transfer. */
export function batchArrays(b: FlowBatchData): BatchArrays {
  return {
    f64: b.f64,
    history: b.history,
    appBytes: b.appBytes,
    captureEnd: b.captureEnd,
    logRows: b.log?.rows,
    logMeta: b.log?.meta,
  };
}

/** The buffers of a batch's arrays, for a transfer list. */
export function batchBuffers(a: BatchArrays): ArrayBuffer[] {
  const out = [
    a.f64.buffer,
    a.history.buffer,
    a.appBytes.buffer,
    a.captureEnd.buffer,
  ] as ArrayBuffer[];
  if (a.logRows !== undefined) out.push(a.logRows.buffer as ArrayBuffer);
  if (a.logMeta !== undefined) out.push(a.logMeta.buffer as ArrayBuffer);
  return out;
}

/**
 * The records of a received batch, for Flow views (`new Flow(batchRecords(b)).show(i)`).
 * `parsedHere`: the sessions of connections whose payload was forwarded to this thread
 * (app-forward.ts); each flow of the batch takes its context from there, if it has one.
 */
export function batchRecords(b: FlowBatchData, parsedHere?: AppEventReplayer): FlowRecords {
  return {
    f64: b.f64,
    history: b.history,
    historyOverflow: new Map(b.overflow),
    app: appContexts(b, parsedHere),
    log: b.log,
  };
}

function appContexts(
  b: FlowBatchData,
  parsedHere: AppEventReplayer | undefined,
): Map<number, AppContext> {
  const out = new Map<number, AppContext>();
  if (b.appFlows.length > 0) {
    const reader = new AppContextReader(b.appBytes);
    for (const i of b.appFlows) out.set(i, reader.next());
  }
  if (parsedHere !== undefined && parsedHere.live > 0) {
    for (let i = 0; i < b.count; i++) {
      const app = parsedHere.finish(b.f64[i * F.STRIDE + F.ID]!);
      if (app !== undefined) out.set(i, app);
    }
  }
  return out;
}

/** A copy of the flow `f` shows that stays valid after the view moves on (tests). */
export function detachFlow(f: Flow): Flow {
  // A batch of one: the copy a flow handed to another thread gets.
  const batch = new FlowBatchWriter(1, f.store.log);
  batch.add(f, 0);
  return new Flow(batchRecords(batch.take(0)));
}
