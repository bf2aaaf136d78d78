/**
 * The table of live flows, keyed by the 4-tuple in either direction, without building a string
 * or any object per lookup: addresses are hashed as 32-bit words, the hash is the same for both
 * directions, and collisions are resolved by linear probing with backward-shift deletion (no
 * tombstones, so the table never degrades as flows come and go).
 */
import type { DecodedPacket } from "../decode/index.js";
import { Tuple } from "./flow-layout.js";

/** Records kept by 4-tuple: a Float64Array whose records start with the Tuple fields. */
export interface TupleRecords {
  /** Re-read on every use: a store replaces its array when it grows. */
  readonly f64: Float64Array;
}

const INITIAL_SLOTS = 1024;

function mix(h: number, w: number): number {
  // murmur3's 32-bit block mix.
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * A 32-bit murmur3 hash of five 32-bit words: an address's four words and one more (ports, or a
 * port). Keys the flow table (packetHash) and the analysis' index of IPv6 endpoints.
 */
export function hashWords(w0: number, w1: number, w2: number, w3: number, w4: number): number {
  let h = mix(0x9747b28c, w0);
  h = mix(h, w1);
  h = mix(h, w2);
  h = mix(h, w3);
  h = mix(h, w4);
  // murmur3's finaliser.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The direction-independent hash of a packet's 4-tuple: each address word and the ports are
 * combined by XOR of the two directions' values (the same whichever side sent the packet), then
 * mixed. XOR maps a tuple and its reverse together by design; the full comparison in `find`
 * tells them from other tuples that collide.
 */
export function packetHash(p: DecodedPacket): number {
  return hashWords(
    p.src0 ^ p.dst0,
    p.src1 ^ p.dst1,
    p.src2 ^ p.dst2,
    p.src3 ^ p.dst3,
    // The ports XORed alone would collide for every a<->b and b<->a pair of ports; their
    // product (also symmetric) breaks that.
    (p.srcPort ^ p.dstPort) | (Math.imul(p.srcPort, p.dstPort) << 16),
  );
}

/**
 * Whether the packet was sent by the client (1) or the server (2) of the tuple at offset `o` of
 * `r`, or is not that tuple's (0).
 */
export function packetSide(r: Float64Array, o: number, p: DecodedPacket): 0 | 1 | 2 {
  if (r[o + Tuple.IP_VERSION] !== p.ipVersion) return 0;
  if (
    p.srcPort === r[o + Tuple.C_PORT] &&
    p.dstPort === r[o + Tuple.S_PORT] &&
    p.src0 === r[o + Tuple.C0] &&
    p.dst0 === r[o + Tuple.S0] &&
    p.src1 === r[o + Tuple.C1] &&
    p.src2 === r[o + Tuple.C2] &&
    p.src3 === r[o + Tuple.C3] &&
    p.dst1 === r[o + Tuple.S1] &&
    p.dst2 === r[o + Tuple.S2] &&
    p.dst3 === r[o + Tuple.S3]
  ) {
    return 1;
  }
  if (
    p.srcPort === r[o + Tuple.S_PORT] &&
    p.dstPort === r[o + Tuple.C_PORT] &&
    p.src0 === r[o + Tuple.S0] &&
    p.dst0 === r[o + Tuple.C0] &&
    p.src1 === r[o + Tuple.S1] &&
    p.src2 === r[o + Tuple.S2] &&
    p.src3 === r[o + Tuple.S3] &&
    p.dst1 === r[o + Tuple.C1] &&
    p.dst2 === r[o + Tuple.C2] &&
    p.dst3 === r[o + Tuple.C3]
  ) {
    return 2;
  }
  return 0;
}

/**
 * Open addressing over record numbers: each table slot holds a record number plus one (0 is
 * empty) and that record's hash, so a probe compares hashes without touching the records.
 */
export class TupleTable {
  private entries = new Int32Array(INITIAL_SLOTS);
  private hashes = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  size = 0;
  /** After a successful `find`: whether the packet came from the record's client (1) or server (2). */
  side: 0 | 1 | 2 = 0;

  /** `stride`: doubles per record. */
  constructor(
    private readonly records: TupleRecords,
    private readonly stride: number,
  ) {}

  /**
   * The record the packet's 4-tuple belongs to (either direction), or -1. `hash` is
   * packetHash(p).
   */
  find(p: DecodedPacket, hash: number): number {
    const r = this.records.f64;
    const entries = this.entries;
    const hashes = this.hashes;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const e = entries[i]!;
      if (e === 0) return -1;
      if (hashes[i] !== hash) continue;
      const side = packetSide(r, (e - 1) * this.stride, p);
      if (side !== 0) {
        this.side = side;
        return e - 1;
      }
    }
  }

  /** Adds a record whose 4-tuple (hashed to `hash`) is not in the table. */
  insert(record: number, hash: number): void {
    if ((this.size + 1) * 2 > this.entries.length) this.grow();
    let i = hash & this.mask;
    while (this.entries[i] !== 0) i = (i + 1) & this.mask;
    this.entries[i] = record + 1;
    this.hashes[i] = hash;
    this.size++;
  }

  remove(record: number, hash: number): void {
    const entries = this.entries;
    const hashes = this.hashes;
    let i = hash & this.mask;
    while (entries[i] !== record + 1) {
      if (entries[i] === 0) return;
      i = (i + 1) & this.mask;
    }
    // Backward-shift deletion (Knuth 6.4, algorithm R): move later members of the probe run
    // into the hole when their home slot does not lie between the hole and them.
    let hole = i;
    for (let j = (i + 1) & this.mask; ; j = (j + 1) & this.mask) {
      const e = entries[j]!;
      if (e === 0) break;
      const home = hashes[j]! & this.mask;
      const between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!between) {
        entries[hole] = e;
        hashes[hole] = hashes[j]!;
        hole = j;
      }
    }
    entries[hole] = 0;
    this.size--;
  }

  /** Empties the table. */
  clear(): void {
    this.entries.fill(0);
    this.size = 0;
  }

  private grow(): void {
    const oldEntries = this.entries;
    const oldHashes = this.hashes;
    this.entries = new Int32Array(oldEntries.length * 2);
    this.hashes = new Int32Array(oldEntries.length * 2);
    this.mask = this.entries.length - 1;
    this.size = 0;
    for (let i = 0; i < oldEntries.length; i++) {
      const e = oldEntries[i]!;
      if (e !== 0) this.insert(e - 1, oldHashes[i]!);
    }
  }
}
