/**
 * The table of live flows, keyed by the 4-tuple in either direction, without building a string
 * or any object per lookup: addresses are hashed as 32-bit words, the hash is the same for both
 * directions, and collisions are resolved by linear probing with backward-shift deletion (no
 * tombstones, so the table never degrades as flows come and go).
 */
import type { DecodedPacket } from "../decode/index.js";

/** Anything kept by 4-tuple: a live flow, or the memory of a recently closed one. */
export interface TupleKeyed {
  readonly ipVersion: 4 | 6;
  /** packetHash of the tuple, stored so probing compares numbers first. */
  hash: number;
  c0: number;
  c1: number;
  c2: number;
  c3: number;
  cPort: number;
  s0: number;
  s1: number;
  s2: number;
  s3: number;
  sPort: number;
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
 * The direction-independent hash of a packet's 4-tuple: each address word and the ports are
 * combined by XOR of the two directions' values (the same whichever side sent the packet), then
 * mixed. XOR maps a tuple and its reverse together by design; the full comparison in `find`
 * tells them from other tuples that collide.
 */
export function packetHash(p: DecodedPacket): number {
  let h = mix(0x9747b28c, p.src0 ^ p.dst0);
  h = mix(h, p.src1 ^ p.dst1);
  h = mix(h, p.src2 ^ p.dst2);
  h = mix(h, p.src3 ^ p.dst3);
  // The ports XORed alone would collide for every a<->b and b<->a pair of ports; their product
  // (also symmetric) breaks that.
  h = mix(h, (p.srcPort ^ p.dstPort) | (Math.imul(p.srcPort, p.dstPort) << 16));
  // murmur3's finaliser.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Whether the packet was sent by the flow's client (1), its server (2), or is not the flow's (0). */
export function packetSide(f: TupleKeyed, p: DecodedPacket): 0 | 1 | 2 {
  if (f.ipVersion !== p.ipVersion) return 0;
  if (
    p.srcPort === f.cPort &&
    p.dstPort === f.sPort &&
    p.src0 === f.c0 &&
    p.dst0 === f.s0 &&
    p.src1 === f.c1 &&
    p.src2 === f.c2 &&
    p.src3 === f.c3 &&
    p.dst1 === f.s1 &&
    p.dst2 === f.s2 &&
    p.dst3 === f.s3
  ) {
    return 1;
  }
  if (
    p.srcPort === f.sPort &&
    p.dstPort === f.cPort &&
    p.src0 === f.s0 &&
    p.dst0 === f.c0 &&
    p.src1 === f.s1 &&
    p.src2 === f.s2 &&
    p.src3 === f.s3 &&
    p.dst1 === f.c1 &&
    p.dst2 === f.c2 &&
    p.dst3 === f.c3
  ) {
    return 2;
  }
  return 0;
}

export class FlowTable<T extends TupleKeyed> {
  private slots: (T | null)[] = new Array<T | null>(INITIAL_SLOTS).fill(null);
  private mask = INITIAL_SLOTS - 1;
  size = 0;

  /** The entry the packet's 4-tuple belongs to (either direction), or null. `hash` is packetHash(p). */
  find(p: DecodedPacket, hash: number): T | null {
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const f = this.slots[i];
      if (f === null || f === undefined) return null;
      if (f.hash === hash && packetSide(f, p) !== 0) return f;
    }
  }

  /** Adds an entry whose `hash` is set and whose 4-tuple is not in the table. */
  insert(f: T): void {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    let i = f.hash & this.mask;
    while (this.slots[i] !== null) i = (i + 1) & this.mask;
    this.slots[i] = f;
    this.size++;
  }

  remove(f: T): void {
    let i = f.hash & this.mask;
    while (this.slots[i] !== f) {
      if (this.slots[i] === null) return;
      i = (i + 1) & this.mask;
    }
    // Backward-shift deletion (Knuth 6.4, algorithm R): move later members of the probe run
    // into the hole when their home slot does not lie between the hole and them.
    let hole = i;
    for (let j = (i + 1) & this.mask; ; j = (j + 1) & this.mask) {
      const g = this.slots[j];
      if (g === null || g === undefined) break;
      const home = g.hash & this.mask;
      const between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!between) {
        this.slots[hole] = g;
        hole = j;
      }
    }
    this.slots[hole] = null;
    this.size--;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Array<T | null>(old.length * 2).fill(null);
    this.mask = this.slots.length - 1;
    this.size = 0;
    for (const f of old) if (f !== null) this.insert(f);
  }
}
