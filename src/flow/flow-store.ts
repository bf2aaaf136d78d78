/**
 * Memory for the flows alive at once: one Float64Array of fixed-size records (the layout is in
 * flow-layout.ts) plus a byte area for each flow's Zeek history. A slot is taken when a flow
 * starts and given back when the flow is handed over, so a capture of a million connections
 * costs as much memory as its busiest moment and allocates nothing per connection once the
 * store has grown to that size.
 */
import type { AppContext } from "./app-context.js";
import { F, HISTORY_CAPACITY } from "./flow-layout.js";
import { PacketLog, type PacketLogRecords } from "./packet-log.js";

const INITIAL_SLOTS = 256;

/**
 * What a Flow view reads, by slot: records, history letters and the rare history overflow, the
 * payload context of finished flows that had one, and the packets kept (only with a log).
 */
export interface FlowRecords {
  readonly f64: Float64Array;
  readonly history: Uint8Array;
  readonly historyOverflow: ReadonlyMap<number, string>;
  readonly app: ReadonlyMap<number, AppContext>;
  readonly log: PacketLogRecords | undefined;
}

export class FlowStore implements FlowRecords {
  /** The records: slot `s` starts at `s * F.STRIDE`. Replaced when the store grows. */
  f64: Float64Array;
  /** Zeek history letters: slot `s` starts at `s * HISTORY_CAPACITY`. */
  history: Uint8Array;
  /**
   * Expiry-list links, two per slot (previous and next slot, -1 for none), and which list holds
   * each slot. Kept apart from the records so that moving a flow to the end of its list touches
   * its neighbours here, in a few cache-resident kilobytes, not their records.
   */
  links: Int32Array;
  listOf: Uint8Array;
  /** History beyond HISTORY_CAPACITY letters, by slot (rare: only odd or hostile traffic). */
  readonly historyOverflow = new Map<number, string>();
  /** The payload context of a flow being handed over (set just before, removed on release). */
  readonly app = new Map<number, AppContext>();
  /** Packets kept per flow, when the tracker keeps them (see packet-log.ts). */
  readonly log: PacketLog | undefined;
  private free: Int32Array;
  private freeCount = 0;
  private slots = 0;

  constructor(
    keepPackets?: { readonly head: number; readonly tail: number },
    initialSlots = INITIAL_SLOTS,
  ) {
    this.log =
      keepPackets === undefined
        ? undefined
        : new PacketLog(keepPackets.head, keepPackets.tail, initialSlots);
    this.f64 = new Float64Array(initialSlots * F.STRIDE);
    this.history = new Uint8Array(initialSlots * HISTORY_CAPACITY);
    this.links = new Int32Array(initialSlots * 2);
    this.listOf = new Uint8Array(initialSlots);
    this.free = new Int32Array(initialSlots);
  }

  /** Slots in use. */
  get used(): number {
    return this.slots - this.freeCount;
  }

  /** A zeroed slot. May replace the arrays: callers re-read them afterwards. */
  alloc(): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.free[--this.freeCount] as number;
      this.f64.fill(0, slot * F.STRIDE, (slot + 1) * F.STRIDE);
      this.listOf[slot] = 0;
      this.log?.reset(slot);
    } else {
      if ((this.slots + 1) * F.STRIDE > this.f64.length) this.grow();
      slot = this.slots++;
    }
    return slot;
  }

  release(slot: number): void {
    if (this.freeCount === this.free.length) this.free = doubled(this.free);
    this.free[this.freeCount++] = slot;
    if (this.historyOverflow.size > 0) this.historyOverflow.delete(slot);
    if (this.app.size > 0) this.app.delete(slot);
  }

  private grow(): void {
    this.f64 = doubled(this.f64);
    this.history = doubled(this.history);
    this.links = doubled(this.links);
    this.listOf = doubled(this.listOf);
    this.log?.grow(this.listOf.length);
  }
}

/** A typed array twice as long, starting with `a`'s contents. */
function doubled<T extends Float64Array | Int32Array | Uint8Array>(a: T): T {
  const bigger = new (a.constructor as new (length: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}
