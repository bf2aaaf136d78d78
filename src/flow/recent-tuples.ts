/**
 * The 4-tuples of recently finished flows, kept for the TIME_WAIT period: a new SYN on one of
 * them is a port reuse worth reporting, and any other packet on one is a straggler of the old
 * connection rather than a new connection seen mid-stream. Oldest first in a ring of fixed-size
 * records (no object per tuple), found by 4-tuple through a TupleTable; past `max` tuples the
 * oldest is forgotten early.
 */
import type { DecodedPacket } from "../decode/index.js";
import { Tuple } from "./flow-layout.js";
import { TupleTable } from "./flow-table.js";

/** Record layout: the tuple, then these. */
const ID = Tuple.SIZE;
const END_AT = Tuple.SIZE + 1;
/** 1 once a new flow took the tuple over (it is then out of the table, still in the ring). */
const TAKEN = Tuple.SIZE + 2;
const STRIDE = Tuple.SIZE + 3;

const INITIAL_RECORDS = 1024;

export class RecentTuples {
  f64: Float64Array;
  private capacity: number;
  /** Ring: the oldest record and how many there are. */
  private head = 0;
  private count = 0;
  private readonly table = new TupleTable(this, STRIDE);

  constructor(private readonly max: number) {
    this.capacity = Math.max(1, Math.min(INITIAL_RECORDS, max));
    this.f64 = new Float64Array(this.capacity * STRIDE);
  }

  get size(): number {
    return this.table.size;
  }

  /** The record of the packet's tuple, or -1. */
  find(p: DecodedPacket, hash: number): number {
    return this.table.find(p, hash);
  }

  idOf(record: number): number {
    return this.f64[record * STRIDE + ID]!;
  }

  endOf(record: number): number {
    return this.f64[record * STRIDE + END_AT]!;
  }

  /** A new connection took the tuple over: it is no longer remembered. */
  take(record: number): void {
    const o = record * STRIDE;
    this.table.remove(record, this.f64[o + Tuple.HASH]!);
    this.f64[o + TAKEN] = 1;
  }

  /** Remembers the tuple at offset `o` of `from` (a flow record), with the flow's id and end. */
  add(from: Float64Array, o: number, id: number, endAt: number): void {
    if (this.max === 0) return;
    if (this.count === this.capacity) {
      if (this.capacity < this.max) this.grow();
      else this.forgetOldest();
    }
    const record = (this.head + this.count) % this.capacity;
    const r = record * STRIDE;
    for (let i = 0; i < Tuple.SIZE; i++) this.f64[r + i] = from[o + i]!;
    this.f64[r + ID] = id;
    this.f64[r + END_AT] = endAt;
    this.f64[r + TAKEN] = 0;
    this.count++;
    this.table.insert(record, this.f64[r + Tuple.HASH]!);
  }

  /** Forgets every tuple whose flow ended before `t`. */
  forgetEndedBefore(t: number): void {
    while (this.count > 0 && this.f64[this.head * STRIDE + END_AT]! < t) this.forgetOldest();
  }

  private forgetOldest(): void {
    const o = this.head * STRIDE;
    if (this.f64[o + TAKEN] === 0) this.table.remove(this.head, this.f64[o + Tuple.HASH]!);
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  /** Doubles the ring (up to `max`), oldest record first, and re-indexes it. */
  private grow(): void {
    const capacity = Math.min(this.capacity * 2, this.max);
    const f64 = new Float64Array(capacity * STRIDE);
    // The ring in at most two runs (head to the end, then the start), not a view per record.
    const first = Math.min(this.count, this.capacity - this.head);
    f64.set(this.f64.subarray(this.head * STRIDE, (this.head + first) * STRIDE));
    f64.set(this.f64.subarray(0, (this.count - first) * STRIDE), first * STRIDE);
    this.f64 = f64;
    this.capacity = capacity;
    this.head = 0;
    this.table.clear();
    for (let i = 0; i < this.count; i++) {
      if (f64[i * STRIDE + TAKEN] === 0) this.table.insert(i, f64[i * STRIDE + Tuple.HASH]!);
    }
  }
}
