/**
 * Finished flows copied out of the flow store into a batch of plain arrays, so that they can be
 * handed to another thread in one message (the arrays are transferred, not copied) and read
 * there through Flow views as if they were still in the store.
 */
import { F, HISTORY_CAPACITY } from "./flow-layout.js";
import type { FlowRecords } from "./flow-store.js";
import type { Flow } from "./flow.js";

/** A batch as it travels: structured-clone friendly. */
export interface FlowBatchData {
  readonly count: number;
  /** `count` records of F.STRIDE doubles. */
  readonly f64: Float64Array;
  /** `count` histories of HISTORY_CAPACITY letters. */
  readonly history: Uint8Array;
  /** Histories longer than HISTORY_CAPACITY: [index in the batch, the letters past it]. */
  readonly overflow: readonly (readonly [number, string])[];
  /** For each flow, the tracker's latest time when it finished (relative). */
  readonly captureEnd: Float64Array;
  /** The capture's base second. */
  readonly baseSec: number;
}

export class FlowBatchWriter {
  private f64: Float64Array;
  private history: Uint8Array;
  private overflow: [number, string][] = [];
  private captureEnd: Float64Array;
  private n = 0;
  /** Arrays of batches already sent and given back (see `recycle`), to fill again. */
  private readonly spare: { f64: Float64Array; history: Uint8Array; captureEnd: Float64Array }[] =
    [];

  constructor(readonly capacity: number) {
    this.f64 = new Float64Array(capacity * F.STRIDE);
    this.history = new Uint8Array(capacity * HISTORY_CAPACITY);
    this.captureEnd = new Float64Array(capacity);
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
    const from = f.store;
    this.f64.set(from.f64.subarray(f.base, f.base + F.STRIDE), i * F.STRIDE);
    const h = f.slot * HISTORY_CAPACITY;
    this.history.set(from.history.subarray(h, h + HISTORY_CAPACITY), i * HISTORY_CAPACITY);
    const more = from.historyOverflow.get(f.slot);
    if (more !== undefined) this.overflow.push([i, more]);
    this.captureEnd[i] = captureEnd;
  }

  /** The batch so far, ready to send; the writer starts a new one. */
  take(baseSec: number): FlowBatchData {
    const data: FlowBatchData = {
      count: this.n,
      f64: this.f64,
      history: this.history,
      overflow: this.overflow,
      captureEnd: this.captureEnd,
      baseSec,
    };
    const next = this.spare.pop();
    this.f64 = next?.f64 ?? new Float64Array(this.capacity * F.STRIDE);
    this.history = next?.history ?? new Uint8Array(this.capacity * HISTORY_CAPACITY);
    this.captureEnd = next?.captureEnd ?? new Float64Array(this.capacity);
    this.overflow = [];
    this.n = 0;
    return data;
  }

  /**
   * Gives back the arrays of a batch that was taken and is done with, to be filled again: a
   * long capture then sends thousands of batches through the same few arrays.
   */
  recycle(b: Pick<FlowBatchData, "f64" | "history" | "captureEnd">): void {
    if (b.f64.length !== this.capacity * F.STRIDE) return;
    this.spare.push({ f64: b.f64, history: b.history, captureEnd: b.captureEnd });
  }
}

/** The records of a received batch, for Flow views (`new Flow(batchRecords(b)).show(i)`). */
export function batchRecords(b: FlowBatchData): FlowRecords {
  return { f64: b.f64, history: b.history, historyOverflow: new Map(b.overflow) };
}
