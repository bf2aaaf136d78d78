/**
 * The packets of each live flow kept for drawing it (the HTML report's ladders): its first
 * `head` packets (the handshake and the first exchanges) and, in a ring, its last `tail` (the
 * teardown), with a count of the packets and payload bytes left out between them. Rows are
 * numbers in a Float64Array by flow slot, written in place: keeping them allocates nothing per
 * packet, and memory is bounded by the flows alive at once (`(head + tail) * 64` bytes each).
 *
 * Only `teardown analyze --html` keeps packets; without it the tracker has no log.
 */
import type { DecodedPacket } from "../decode/index.js";

/** The fields of one packet row. */
export const enum P {
  /** Frame number in the whole capture (all files). */
  FRAME = 0,
  /** Relative time (see FlowTracker.baseSec). */
  AT = 1,
  /** 1 when the client sent it. */
  FROM_CLIENT = 2,
  FLAGS = 3,
  /** Raw sequence and acknowledgement numbers. */
  SEQ = 4,
  ACK = 5,
  LEN = 6,
  WINDOW = 7,
  SIZE = 8,
}

/** Per-flow counters next to the rows. */
export const enum PM {
  /** Packets logged, including those later left out. */
  COUNT = 0,
  /** Packets left out between the head and the tail, and their payload bytes by sender. */
  OMITTED = 1,
  OMITTED_CLIENT_BYTES = 2,
  OMITTED_SERVER_BYTES = 3,
  SIZE = 4,
}

/** What a Flow view reads of a log: rows and counters by slot (or batch index). */
export interface PacketLogRecords {
  readonly head: number;
  readonly tail: number;
  readonly rows: Float64Array;
  readonly meta: Float64Array;
}

export class PacketLog implements PacketLogRecords {
  rows: Float64Array;
  meta: Float64Array;
  readonly perFlow: number;

  constructor(
    readonly head: number,
    readonly tail: number,
    slots: number,
  ) {
    this.perFlow = head + tail;
    this.rows = new Float64Array(slots * this.perFlow * P.SIZE);
    this.meta = new Float64Array(slots * PM.SIZE);
  }

  /** Room for `slots` flows (the store grew). */
  grow(slots: number): void {
    const rows = new Float64Array(slots * this.perFlow * P.SIZE);
    rows.set(this.rows);
    this.rows = rows;
    const meta = new Float64Array(slots * PM.SIZE);
    meta.set(this.meta);
    this.meta = meta;
  }

  /** Forgets what a reused slot held. */
  reset(slot: number): void {
    this.meta.fill(0, slot * PM.SIZE, (slot + 1) * PM.SIZE);
  }

  add(slot: number, frame: number, t: number, fromClient: boolean, p: DecodedPacket): void {
    const m = slot * PM.SIZE;
    const i = this.meta[m + PM.COUNT]!;
    this.meta[m + PM.COUNT] = i + 1;
    let row: number;
    if (i < this.head) {
      row = i;
    } else {
      const k = i - this.head;
      row = this.head + (k % this.tail);
      if (k >= this.tail) {
        // The ring is full: its oldest row moves into the summarised middle.
        const old = (slot * this.perFlow + row) * P.SIZE;
        this.meta[m + PM.OMITTED]!++;
        this.meta[
          m +
            (this.rows[old + P.FROM_CLIENT] === 1
              ? PM.OMITTED_CLIENT_BYTES
              : PM.OMITTED_SERVER_BYTES)
        ]! += this.rows[old + P.LEN]!;
      }
    }
    const x = (slot * this.perFlow + row) * P.SIZE;
    const r = this.rows;
    r[x + P.FRAME] = frame;
    r[x + P.AT] = t;
    r[x + P.FROM_CLIENT] = fromClient ? 1 : 0;
    r[x + P.FLAGS] = p.flags;
    r[x + P.SEQ] = p.seq;
    r[x + P.ACK] = p.ack;
    r[x + P.LEN] = p.payloadLen;
    r[x + P.WINDOW] = p.window;
  }
}

/**
 * The rows of flow `slot` in packet order, as offsets into `log.rows`; `gapAfter` is the index
 * (in the returned list) of the last row before the left-out middle, -1 when nothing was left out.
 */
export function orderedRows(
  log: PacketLogRecords,
  slot: number,
): { offsets: number[]; gapAfter: number } {
  const perFlow = log.head + log.tail;
  const count = log.meta[slot * PM.SIZE + PM.COUNT]!;
  const offsets: number[] = [];
  const at = (row: number): number => (slot * perFlow + row) * P.SIZE;
  const inHead = Math.min(count, log.head);
  for (let i = 0; i < inHead; i++) offsets.push(at(i));
  const inTail = count - inHead;
  if (inTail <= 0) return { offsets, gapAfter: -1 };
  if (inTail <= log.tail) {
    for (let k = 0; k < inTail; k++) offsets.push(at(log.head + k));
    return { offsets, gapAfter: -1 };
  }
  // The ring wrapped: its oldest row is the one the next packet would overwrite.
  const oldest = inTail % log.tail;
  for (let k = 0; k < log.tail; k++) offsets.push(at(log.head + ((oldest + k) % log.tail)));
  return { offsets, gapAfter: inHead - 1 };
}
