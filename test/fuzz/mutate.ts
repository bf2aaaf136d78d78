/**
 * Mutations suited to capture files. Besides the usual byte-level ones (bit flips, interesting
 * integers, arithmetic, range deletion and duplication, truncation), most of them know the
 * layout: they split a pcap file into its header and records and a pcapng file into its blocks,
 * then write interesting values at the length fields (record captured and wire lengths, block
 * total lengths at both ends, EPB captured length, snapshot lengths, option lengths), splice
 * records or blocks between inputs, duplicate, delete and reorder them, change link types and
 * timestamps, and grow or shrink a packet with its record and IP lengths fixed up, so that a
 * mutation inside the packet reaches the decoder and the flow layer instead of stopping at the
 * reader.
 *
 * Everything is driven by one seeded generator, so a run repeats for the same seed.
 */

/** Small, fast, seedable (mulberry32). */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n) (0 when n <= 0). */
  below(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 4294967296) * n);
  }

  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }
}

const PCAP_MAGICS = [0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34];
const SHB_TYPE = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const HARD_MAX_PACKET = 16 * 1024 * 1024;

export type UnitKind = "record" | "shb" | "idb" | "epb" | "pb" | "spb" | "block";

/** One record (pcap) or block (pcapng) of a file. */
export interface Unit {
  readonly off: number;
  readonly len: number;
  readonly kind: UnitKind;
  /** Offset of the packet bytes from `off` (0 when the unit carries none). */
  readonly data: number;
  readonly dataLen: number;
  /** The byte order the unit is written in. */
  readonly le: boolean;
}

export interface Layout {
  readonly format: "pcap" | "pcapng" | "raw";
  readonly le: boolean;
  /** Bytes before the first unit (the pcap file header; 0 for pcapng). */
  readonly header: number;
  /** pcap: 16, or 24 for the modified format. */
  readonly recordHeader: number;
  readonly units: readonly Unit[];
  /** Link type of the (first) interface, -1 when unknown. */
  readonly linkType: number;
}

function u32(b: Uint8Array, o: number, le: boolean): number {
  if (o < 0 || o + 4 > b.length) return 0;
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o, le);
}

function u16(b: Uint8Array, o: number, le: boolean): number {
  if (o < 0 || o + 2 > b.length) return 0;
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(o, le);
}

function put32(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (o < 0 || o + 4 > b.length) return;
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(o, v >>> 0, le);
}

function put16(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (o < 0 || o + 2 > b.length) return;
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint16(o, v & 0xffff, le);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const MAX_UNITS = 20000;

/** Splits a capture into its units as far as their lengths hold together (lenient). */
export function layoutOf(b: Uint8Array): Layout {
  const be = u32(b, 0, false);
  const le = u32(b, 0, true);
  for (const [magic, isLe] of [
    [be, false],
    [le, true],
  ] as const) {
    if (!PCAP_MAGICS.includes(magic) || b.length < 24) continue;
    const recordHeader = magic === 0xa1b2cd34 ? 24 : 16;
    const units: Unit[] = [];
    let at = 24;
    while (at + recordHeader <= b.length && units.length < MAX_UNITS) {
      const capLen = u32(b, at + 8, isLe);
      if (capLen > b.length - at - recordHeader) break;
      units.push({
        off: at,
        len: recordHeader + capLen,
        kind: "record",
        data: recordHeader,
        dataLen: capLen,
        le: isLe,
      });
      at += recordHeader + capLen;
    }
    const linkType = u32(b, 20, isLe) & 0xffff;
    return { format: "pcap", le: isLe, header: 24, recordHeader, units, linkType };
  }
  if (be === SHB_TYPE) {
    const units: Unit[] = [];
    let at = 0;
    let order = true;
    let linkType = -1;
    while (at + 12 <= b.length && units.length < MAX_UNITS) {
      const type0 = u32(b, at, true);
      if (type0 === SHB_TYPE) {
        const bom = u32(b, at + 8, true);
        if (bom === BOM) order = true;
        else if (bom === 0x4d3c2b1a) order = false;
        else break;
      }
      const type = type0 === SHB_TYPE ? SHB_TYPE : u32(b, at, order);
      const total = u32(b, at + 4, order);
      if (total < 12 || total % 4 !== 0 || total > b.length - at) break;
      let kind: UnitKind = "block";
      let data = 0;
      let dataLen = 0;
      if (type === SHB_TYPE) kind = "shb";
      else if (type === 1) {
        kind = "idb";
        if (linkType < 0 && total >= 20) linkType = u16(b, at + 8, order);
      } else if ((type === 6 || type === 2) && total >= 32) {
        kind = type === 6 ? "epb" : "pb";
        data = 28;
        dataLen = Math.min(u32(b, at + 20, order), total - 32);
      } else if (type === 3 && total >= 16) {
        kind = "spb";
        data = 12;
        dataLen = total - 16;
      }
      units.push({ off: at, len: total, kind, data, dataLen, le: order });
      at += total;
    }
    return {
      format: "pcapng",
      le: units[0]?.le ?? true,
      header: 0,
      recordHeader: 0,
      units,
      linkType,
    };
  }
  return { format: "raw", le: true, header: 0, recordHeader: 0, units: [], linkType: -1 };
}

const INTERESTING_8 = [
  0, 1, 2, 4, 5, 6, 0x0f, 0x10, 0x20, 0x3f, 0x40, 0x45, 0x60, 0x7f, 0x80, 0xfe, 0xff,
];
const INTERESTING_16 = [
  0, 1, 3, 4, 20, 40, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0x7fff, 0x8000, 0xfffe, 0xffff,
];
const INTERESTING_32 = [
  0,
  1,
  2,
  3,
  4,
  7,
  8,
  11,
  12,
  15,
  16,
  0x7f,
  0x80,
  0xff,
  0x100,
  0xffff,
  0x10000,
  65535,
  65536,
  262143,
  262144,
  262145,
  HARD_MAX_PACKET - 1,
  HARD_MAX_PACKET,
  HARD_MAX_PACKET + 1,
  HARD_MAX_PACKET + 64 * 1024,
  HARD_MAX_PACKET + 64 * 1024 + 4,
  0x3fffffff,
  0x40000000,
  0x7ffffffe,
  0x7fffffff,
  0x80000000,
  0xfffffff0,
  0xfffffffc,
  0xfffffffe,
  0xffffffff,
];

/** Tokens that steer payloads into the HTTP and TLS parsers and the TCP option walker. */
const DICTIONARY: readonly (readonly number[])[] = [
  ..."GET / HTTP/1.1\r\n|HTTP/1.1 200 OK\r\n|HTTP/1.0 |HTTP/1.1 100 Continue\r\n\r\n|\r\n\r\n|\r\n|Content-Length: |Content-Length: 0\r\n|Content-Length: 99999999999\r\n|Transfer-Encoding: chunked\r\n|Connection: close\r\n|Connection: keep-alive\r\n|Host: |Upgrade: h2c\r\n|Connection: Upgrade\r\n|HTTP/1.1 101 Switching Protocols\r\n|PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n|0\r\n\r\n|ffffffff\r\n|HEAD / HTTP/1.1\r\n|CONNECT a:443 HTTP/1.1\r\n|POST /x HTTP/1.1\r\n|\u001b[31m|<script>|\u00ff\u00fe"
    .split("|")
    .map((s) => Array.from(s, (c) => c.charCodeAt(0) & 0xff)),
  [0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c, 0x03, 0x03],
  [0x16, 0x03, 0x03, 0x00, 0x30, 0x02, 0x00, 0x00, 0x2c, 0x03, 0x03],
  [0x16, 0x03, 0x01, 0xff, 0xff],
  [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28],
  [0x17, 0x03, 0x03, 0x00, 0x10],
  [0x14, 0x03, 0x03, 0x00, 0x01, 0x01],
  [
    0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x00, 0x09, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x68, 0x6f,
    0x73, 0x74,
  ],
  [0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 0x68, 0x32],
  [0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04],
  [0x02, 0x04, 0x05, 0xb4], // MSS
  [0x03, 0x03, 0x0e], // window scale 14
  [0x04, 0x02], // SACK permitted
  [0x05, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2], // one SACK block
  [0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0], // timestamps
  [0x81, 0x00, 0x00, 0x0a], // 802.1Q tag
  [0x88, 0xa8, 0x00, 0x0b], // 802.1ad tag
  [0x86, 0xdd], // IPv6 EtherType
  [0x08, 0x00, 0x45, 0x00], // IPv4 EtherType, version/IHL
  [0x33, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0], // AH header (next: 51)
  [0x00, 0x00, 0xc2, 0x04, 0x00, 0x01, 0x00, 0x00], // hop-by-hop jumbo payload
].map((t) => t);

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147, 0xffff];

/** IP header offset in a packet of `linkType`, -1 when unknown. */
function ipOffset(linkType: number, data: Uint8Array, at: number): number {
  switch (linkType) {
    case 1: {
      let o = 12;
      let type = u16(data, at + o, false);
      while ((type === 0x8100 || type === 0x88a8 || type === 0x9100) && o < 40) {
        o += 4;
        type = u16(data, at + o, false);
      }
      return type === 0x0800 || type === 0x86dd ? o + 2 : -1;
    }
    case 113:
      return 16;
    case 276:
      return 20;
    case 0:
    case 108:
      return 4;
    case 12:
    case 14:
    case 101:
    case 228:
    case 229:
      return 0;
    default:
      return -1;
  }
}

export interface MutationContext {
  readonly rng: Rng;
  /** Another input to splice from. */
  readonly other: () => Uint8Array;
  readonly maxLength: number;
}

type Mutator = (b: Uint8Array, lay: Layout, ctx: MutationContext) => Uint8Array | undefined;

function interesting32(
  ctx: MutationContext,
  current: number,
  unitLen: number,
  b: Uint8Array,
): number {
  const r = ctx.rng;
  switch (r.below(4)) {
    case 0:
      return r.pick(INTERESTING_32);
    case 1:
      return current + r.pick([-4, -1, 1, 4, 8, -8, 2, -2]);
    case 2:
      return unitLen + r.pick([-4, -1, 0, 1, 4, 16, -16]);
    default:
      return b.length + r.pick([-24, -16, -4, -1, 0, 1, 4, 1000]);
  }
}

/** The length fields of a unit, as [offset from the unit, width]. */
function lengthFields(lay: Layout, unit: Unit, b: Uint8Array): Array<readonly [number, 2 | 4]> {
  switch (unit.kind) {
    case "record":
      return [
        [8, 4],
        [12, 4],
      ];
    case "epb":
    case "pb":
      return [
        [4, 4],
        [unit.len - 4, 4],
        [20, 4],
        [24, 4],
        ...optionLengths(b, unit, 28 + pad4(unit.dataLen)),
      ];
    case "spb":
      return [
        [4, 4],
        [unit.len - 4, 4],
        [8, 4],
      ];
    case "idb":
      return [[4, 4], [unit.len - 4, 4], [12, 4], ...optionLengths(b, unit, 16)];
    case "shb":
      return [[4, 4], [unit.len - 4, 4], [16, 4], [20, 4], ...optionLengths(b, unit, 24)];
    default:
      return lay.format === "pcapng"
        ? [
            [4, 4],
            [unit.len - 4, 4],
          ]
        : [];
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Offsets (from the unit) of the option length fields from `start` to the trailer. */
function optionLengths(b: Uint8Array, unit: Unit, start: number): Array<readonly [number, 2]> {
  const out: Array<readonly [number, 2]> = [];
  let p = start;
  while (p + 4 <= unit.len - 4 && out.length < 16) {
    const code = u16(b, unit.off + p, unit.le);
    const len = u16(b, unit.off + p + 2, unit.le);
    out.push([p + 2, 2]);
    if (code === 0) break;
    p += 4 + pad4(len);
  }
  return out;
}

const flipBit: Mutator = (b, _lay, ctx) => {
  if (b.length === 0) return undefined;
  const out = b.slice();
  const at = ctx.rng.below(out.length);
  out[at] = (out[at] ?? 0) ^ (1 << ctx.rng.below(8));
  return out;
};

const randomByte: Mutator = (b, _lay, ctx) => {
  if (b.length === 0) return undefined;
  const out = b.slice();
  out[ctx.rng.below(out.length)] = ctx.rng.below(256);
  return out;
};

const arithmetic: Mutator = (b, lay, ctx) => {
  if (b.length < 4) return undefined;
  const out = b.slice();
  const r = ctx.rng;
  const at = r.below(out.length - 3);
  const delta = (r.below(35) + 1) * (r.chance(0.5) ? 1 : -1);
  const le = r.chance(0.5) ? lay.le : !lay.le;
  if (r.chance(0.5)) put16(out, at, u16(out, at, le) + delta, le);
  else put32(out, at, u32(out, at, le) + delta, le);
  return out;
};

const interestingAt: Mutator = (b, lay, ctx) => {
  if (b.length < 4) return undefined;
  const out = b.slice();
  const r = ctx.rng;
  const at = r.below(out.length - 3);
  const le = r.chance(0.5) ? lay.le : !lay.le;
  switch (r.below(3)) {
    case 0:
      out[at] = r.pick(INTERESTING_8);
      break;
    case 1:
      put16(out, at, r.pick(INTERESTING_16), le);
      break;
    default:
      put32(out, at, r.pick(INTERESTING_32), le);
  }
  return out;
};

/** An interesting value at a length field of the file header, a record or a block. */
const lengthField: Mutator = (b, lay, ctx) => {
  const r = ctx.rng;
  const out = b.slice();
  if (lay.format === "pcap" && (lay.units.length === 0 || r.chance(0.15))) {
    // File header: snapshot length or version.
    const field = r.pick([16, 16, 4, 6]);
    if (field === 16) put32(out, 16, interesting32(ctx, u32(b, 16, lay.le), 0, b), lay.le);
    else put16(out, field, r.pick(INTERESTING_16), lay.le);
    return out;
  }
  if (lay.units.length === 0) return undefined;
  const unit = r.pick(lay.units);
  const fields = lengthFields(lay, unit, b);
  if (fields.length === 0) return undefined;
  const [rel, width] = r.pick(fields);
  const le = r.chance(0.9) ? unit.le : !unit.le;
  const at = unit.off + rel;
  if (width === 2)
    put16(
      out,
      at,
      r.chance(0.5) ? r.pick(INTERESTING_16) : u16(b, at, le) + r.pick([-1, 1, 4, -4, 256]),
      le,
    );
  else put32(out, at, interesting32(ctx, u32(b, at, le), unit.len, b), le);
  // Sometimes keep a pcapng block's two lengths equal, so the change gets past that check.
  if (rel === 4 && width === 4 && r.chance(0.5))
    put32(out, unit.off + unit.len - 4, u32(out, at, le), le);
  return out;
};

function packetUnits(lay: Layout): Unit[] {
  return lay.units.filter((u) => u.dataLen > 0);
}

/** An interesting value in a packet's headers (network byte order). */
const headerField: Mutator = (b, lay, ctx) => {
  const units = packetUnits(lay);
  if (units.length === 0) return undefined;
  const r = ctx.rng;
  const unit = r.pick(units);
  const span = Math.min(unit.dataLen, 96);
  const at = unit.off + unit.data + r.below(span);
  const out = b.slice();
  if (r.chance(0.5)) out[at] = r.pick(INTERESTING_8);
  else put16(out, at, r.pick(INTERESTING_16), false);
  return out;
};

/** Replaces `[from, from + remove)` of a packet with `insert`, fixing its record and IP lengths. */
function resizePacket(
  b: Uint8Array,
  lay: Layout,
  unit: Unit,
  from: number,
  remove: number,
  insert: Uint8Array,
  ctx: MutationContext,
): Uint8Array | undefined {
  const delta = insert.length - remove;
  if (unit.kind !== "record" && unit.kind !== "epb" && unit.kind !== "pb" && unit.kind !== "spb")
    return undefined;
  const dataStart = unit.off + unit.data;
  const newDataLen = unit.dataLen + delta;
  if (newDataLen < 0 || b.length + delta + 4 > ctx.maxLength) return undefined;
  const data = concat([
    b.subarray(dataStart, dataStart + (from - unit.off - unit.data)),
    insert,
    b.subarray(from + remove, dataStart + unit.dataLen),
  ]);
  // Keep the IP header's own length in step, so new payload bytes count as payload.
  const ip = ipOffset(lay.linkType, data, 0);
  if (ip >= 0 && ctx.rng.chance(0.9)) {
    const version = (data[ip] ?? 0) >> 4;
    if (version === 4) put16(data, ip + 2, u16(data, ip + 2, false) + delta, false);
    else if (version === 6) put16(data, ip + 4, u16(data, ip + 4, false) + delta, false);
  }
  const head = b.slice(unit.off, dataStart);
  const le = unit.le;
  let tail: Uint8Array;
  if (unit.kind === "record") {
    put32(head, 8, newDataLen, le);
    put32(head, 12, u32(head, 12, le) + delta, le);
    tail = new Uint8Array(0);
  } else {
    const oldPadded = unit.kind === "spb" ? unit.dataLen : pad4(unit.dataLen);
    const options = b.subarray(dataStart + oldPadded, unit.off + unit.len - 4);
    const padded = unit.kind === "spb" ? pad4(newDataLen) : pad4(newDataLen);
    tail = concat([new Uint8Array(padded - newDataLen), options, new Uint8Array(4)]);
    const total = unit.data + padded + options.length + 4;
    put32(head, 4, total, le);
    put32(tail, tail.length - 4, total, le);
    if (unit.kind === "spb") put32(head, 8, u32(head, 8, le) + delta, le);
    else {
      put32(head, 20, newDataLen, le);
      put32(head, 24, u32(head, 24, le) + delta, le);
    }
  }
  return concat([b.subarray(0, unit.off), head, data, tail, b.subarray(unit.off + unit.len)]);
}

function randomBytes(r: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r.below(256);
  return out;
}

/** Inserts or overwrites payload bytes (a dictionary token, random bytes, a copy) in a packet. */
const packetBytes: Mutator = (b, lay, ctx) => {
  const units = packetUnits(lay);
  if (units.length === 0) return undefined;
  const r = ctx.rng;
  const unit = r.pick(units);
  const from = unit.off + unit.data + r.below(unit.dataLen + 1);
  let insert: Uint8Array;
  switch (r.below(4)) {
    case 0:
    case 1:
      insert = Uint8Array.from(r.pick(DICTIONARY));
      break;
    case 2:
      insert = randomBytes(r, 1 + r.below(r.chance(0.8) ? 16 : 2000));
      break;
    default: {
      const dataStart = unit.off + unit.data;
      const s = dataStart + r.below(unit.dataLen);
      insert = b.slice(s, s + 1 + r.below(Math.min(512, dataStart + unit.dataLen - s)));
    }
  }
  if (r.chance(0.4)) {
    // Overwrite in place: lengths unchanged.
    const out = b.slice();
    const room = unit.off + unit.data + unit.dataLen - from;
    out.set(insert.subarray(0, Math.max(0, room)), from);
    return out;
  }
  const dataEnd = unit.off + unit.data + unit.dataLen;
  const remove = r.chance(0.3) ? r.below(Math.min(insert.length, dataEnd - from) + 1) : 0;
  return resizePacket(b, lay, unit, from, remove, insert, ctx);
};

/** Cuts bytes out of a packet, lengths fixed up. */
const shrinkPacket: Mutator = (b, lay, ctx) => {
  const units = packetUnits(lay);
  if (units.length === 0) return undefined;
  const r = ctx.rng;
  const unit = r.pick(units);
  const rel = r.below(unit.dataLen);
  const remove = 1 + r.below(Math.min(unit.dataLen - rel, r.chance(0.7) ? 8 : 4096));
  return resizePacket(b, lay, unit, unit.off + unit.data + rel, remove, new Uint8Array(0), ctx);
};

/** Duplicates, deletes, swaps or moves whole records or blocks. */
const unitOps: Mutator = (b, lay, ctx) => {
  const units = lay.units;
  if (units.length === 0) return undefined;
  const r = ctx.rng;
  const a = r.pick(units);
  const piece = (u: Unit): Uint8Array => b.subarray(u.off, u.off + u.len);
  const before = (u: Unit): Uint8Array => b.subarray(0, u.off);
  const after = (u: Unit): Uint8Array => b.subarray(u.off + u.len);
  switch (r.below(4)) {
    case 0: {
      // Duplicate, possibly many times (a run of identical records).
      const times = r.chance(0.8) ? 1 : 1 + r.below(64);
      const copies: Uint8Array[] = [];
      for (let i = 0; i < times && b.length + (i + 1) * a.len < ctx.maxLength; i++)
        copies.push(piece(a));
      return concat([before(a), piece(a), ...copies, after(a)]);
    }
    case 1:
      return concat([before(a), after(a)]);
    case 2: {
      const c = r.pick(units);
      if (c === a) return undefined;
      const [x, y] = a.off < c.off ? [a, c] : [c, a];
      return concat([before(x), piece(y), b.subarray(x.off + x.len, y.off), piece(x), after(y)]);
    }
    default:
      return concat([before(a), after(a), piece(a)]);
  }
};

/** Takes a record or block from another input, or crosses two inputs over at unit boundaries. */
const splice: Mutator = (b, lay, ctx) => {
  const o = ctx.other();
  const olay = layoutOf(o);
  if (olay.format !== lay.format || olay.units.length === 0) return undefined;
  const r = ctx.rng;
  const at = lay.units.length === 0 ? b.length : r.pick(lay.units).off;
  if (r.chance(0.5)) {
    const u = r.pick(olay.units);
    if (lay.format === "pcap" && olay.le !== lay.le) return undefined;
    return concat([b.subarray(0, at), o.subarray(u.off, u.off + u.len), b.subarray(at)]);
  }
  const from = r.pick(olay.units);
  if (lay.format === "pcap" && olay.le !== lay.le) return undefined;
  return concat([b.subarray(0, at), o.subarray(from.off)]);
};

const truncate: Mutator = (b, lay, ctx) => {
  if (b.length < 2) return undefined;
  const r = ctx.rng;
  const last = lay.units.at(-1);
  if (last !== undefined && r.chance(0.5)) return b.slice(0, last.off + r.below(last.len));
  return b.slice(0, r.below(b.length));
};

const byteRanges: Mutator = (b, _lay, ctx) => {
  if (b.length < 2) return undefined;
  const r = ctx.rng;
  const from = r.below(b.length);
  const n = 1 + r.below(Math.min(b.length - from, r.chance(0.7) ? 16 : 1024));
  switch (r.below(3)) {
    case 0:
      return concat([b.subarray(0, from), b.subarray(from + n)]);
    case 1:
      return concat([b.subarray(0, from + n), b.subarray(from, from + n), b.subarray(from + n)]);
    default: {
      const out = b.slice();
      out.copyWithin(r.below(b.length), from, from + n);
      return out;
    }
  }
};

const linkType: Mutator = (b, lay, ctx) => {
  const r = ctx.rng;
  const out = b.slice();
  const value = r.chance(0.85) ? r.pick(LINK_TYPES) : r.below(65536);
  if (lay.format === "pcap") {
    put32(out, 20, value, lay.le);
    return out;
  }
  const idbs = lay.units.filter((u) => u.kind === "idb");
  if (idbs.length === 0) return undefined;
  const idb = r.pick(idbs);
  put16(out, idb.off + 8, value, idb.le);
  return out;
};

/** Interesting timestamps, or two packets' timestamps swapped (time going backwards). */
const timestamps: Mutator = (b, lay, ctx) => {
  const units = lay.units.filter((u) => u.kind === "record" || u.kind === "epb" || u.kind === "pb");
  if (units.length === 0) return undefined;
  const r = ctx.rng;
  const out = b.slice();
  const a = r.pick(units);
  const [hi, lo] = a.kind === "record" ? [0, 4] : [12, 16];
  if (r.chance(0.5)) {
    const c = r.pick(units);
    const [chi, clo] = c.kind === "record" ? [0, 4] : [12, 16];
    put32(out, a.off + hi, u32(b, c.off + chi, c.le), a.le);
    put32(out, a.off + lo, u32(b, c.off + clo, c.le), a.le);
    put32(out, c.off + chi, u32(b, a.off + hi, a.le), c.le);
    put32(out, c.off + clo, u32(b, a.off + lo, a.le), c.le);
  } else {
    const field = r.chance(0.5) ? hi : lo;
    const cur = u32(b, a.off + field, a.le);
    const value = r.chance(0.5)
      ? r.pick(INTERESTING_32)
      : cur + r.pick([-1, 1, 60, -60, 3600, 1e6, -1e6]);
    put32(out, a.off + field, value, a.le);
  }
  return out;
};

function option(le: boolean, code: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + pad4(value.length));
  put16(out, 0, code, le);
  put16(out, 2, value.length, le);
  out.set(value, 4);
  return out;
}

function block(le: boolean, type: number, body: Uint8Array): Uint8Array {
  const total = 12 + pad4(body.length);
  const out = new Uint8Array(total);
  put32(out, 0, type, le);
  put32(out, 4, total, le);
  out.set(body, 8);
  put32(out, total - 4, total, le);
  return out;
}

/** pcapng: a new block (interface with odd options, section of the other byte order, SPB...). */
const insertBlock: Mutator = (b, lay, ctx) => {
  if (lay.format !== "pcapng") return undefined;
  const r = ctx.rng;
  const le = lay.units.length > 0 ? r.pick(lay.units).le : true;
  let blk: Uint8Array;
  switch (r.below(5)) {
    case 0: {
      const fixed = new Uint8Array(8);
      put16(fixed, 0, r.pick(LINK_TYPES), le);
      put32(fixed, 4, r.chance(0.5) ? r.pick(INTERESTING_32) : 262144, le);
      const opts: Uint8Array[] = [];
      if (r.chance(0.6))
        opts.push(
          option(le, 9, Uint8Array.of(r.pick([0, 3, 6, 9, 18, 19, 0x80, 0x94, 0xbf, 0xc0, 0xff]))),
        );
      if (r.chance(0.4)) {
        const off = new Uint8Array(8);
        put32(off, 0, r.pick(INTERESTING_32), le);
        put32(off, 4, r.pick(INTERESTING_32), le);
        opts.push(option(le, 14, off));
      }
      if (r.chance(0.3)) opts.push(option(le, 2, randomBytes(r, r.below(300))));
      opts.push(new Uint8Array(4));
      blk = block(le, 1, concat([fixed, ...opts]));
      break;
    }
    case 1: {
      const other = r.chance(0.5) ? le : !le;
      const body = new Uint8Array(16);
      put32(body, 0, BOM, other);
      put16(body, 4, 1, other);
      put16(body, 6, r.chance(0.8) ? 0 : r.below(4), other);
      put32(body, 8, 0xffffffff, other);
      put32(body, 12, 0xffffffff, other);
      blk = block(other, SHB_TYPE, body);
      put32(blk, 0, SHB_TYPE, true);
      break;
    }
    case 2: {
      const data = randomBytes(r, r.below(80));
      const body = new Uint8Array(4 + data.length);
      put32(body, 0, r.chance(0.5) ? data.length : r.pick(INTERESTING_32), le);
      body.set(data, 4);
      blk = block(le, 3, body);
      break;
    }
    case 3:
      blk = block(
        le,
        r.pick([0x0bad, 0x40000bad, 9, 4, 5, 0x204, 0x80000001]),
        randomBytes(r, r.below(64)),
      );
      break;
    default: {
      const data = randomBytes(r, r.below(100));
      const fixed = new Uint8Array(20);
      put32(fixed, 0, r.chance(0.8) ? 0 : r.below(4), le);
      put32(fixed, 4, r.below(0x200000), le);
      put32(fixed, 8, r.next(), le);
      put32(fixed, 12, data.length, le);
      put32(fixed, 16, data.length + r.below(3) * 100, le);
      blk = block(le, 6, concat([fixed, data]));
    }
  }
  const at = lay.units.length === 0 ? b.length : r.pick(lay.units).off;
  return concat([b.subarray(0, at), blk, b.subarray(at)]);
};

const appendBytes: Mutator = (b, lay, ctx) => {
  const r = ctx.rng;
  if (lay.units.length > 0 && r.chance(0.5)) {
    const u = r.pick(lay.units);
    return concat([b, b.subarray(u.off, u.off + u.len)]);
  }
  return concat([b, randomBytes(r, 1 + r.below(64))]);
};

const MUTATORS: ReadonlyArray<readonly [Mutator, number]> = [
  [flipBit, 3],
  [randomByte, 2],
  [arithmetic, 2],
  [interestingAt, 3],
  [lengthField, 6],
  [headerField, 6],
  [packetBytes, 6],
  [shrinkPacket, 2],
  [unitOps, 4],
  [splice, 3],
  [truncate, 2],
  [byteRanges, 2],
  [linkType, 1],
  [timestamps, 2],
  [insertBlock, 2],
  [appendBytes, 1],
];
const TOTAL_WEIGHT = MUTATORS.reduce((s, [, w]) => s + w, 0);

function pickMutator(r: Rng): Mutator {
  let x = r.below(TOTAL_WEIGHT);
  for (const [m, w] of MUTATORS) {
    if (x < w) return m;
    x -= w;
  }
  return flipBit;
}

/** A mutant of `input`: 1 to 16 stacked mutations (fewer more often), at most ctx.maxLength bytes. */
export function mutate(input: Uint8Array, ctx: MutationContext): Uint8Array {
  const r = ctx.rng;
  const stack = 1 << r.below(5);
  let b = input;
  for (let i = 0, tries = 0; i < stack && tries < stack * 4; tries++) {
    const next = pickMutator(r)(b, layoutOf(b), ctx);
    if (next === undefined) continue;
    b = next.length > ctx.maxLength ? next.subarray(0, ctx.maxLength) : next;
    i++;
  }
  return b === input
    ? (flipBit(input, layoutOf(input), ctx) ?? randomBytes(r, 1 + r.below(64)))
    : b;
}

/**
 * The first whole units of a capture, up to `maxBytes` (a seed cut to a size that runs fast):
 * the header and whole records or blocks, never half of one.
 */
export function capSeed(b: Uint8Array, maxBytes: number, maxUnits: number): Uint8Array {
  const lay = layoutOf(b);
  if (b.length <= maxBytes && lay.units.length <= maxUnits) return b;
  let end = lay.header;
  let n = 0;
  for (const u of lay.units) {
    if (u.off + u.len > maxBytes || n >= maxUnits) break;
    end = u.off + u.len;
    n++;
  }
  return end > lay.header ? b.slice(0, end) : b.slice(0, maxBytes);
}
