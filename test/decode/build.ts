/**
 * Packet builders for the decoder tests: each layer starts from a template and takes
 * overrides, so a test states only what it is about (smoltcp's `packet_repr` style).
 * Lengths, data offsets and next-header chains are computed unless a test overrides them to
 * build something broken on purpose.
 */
import { decodePacket, newDecodedPacket, type DecodedPacket } from "../../src/decode/index.js";

export interface TcpSpec {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP_* flag bits, including TCP_AE (carried in byte 12). */
  flags: number;
  window: number;
  urgent: number;
  /** Raw option bytes (see `opt`); padded with EOL to a multiple of 4. */
  options: readonly number[];
  /** Payload bytes, filled with a counting pattern. */
  payloadLen: number;
  /** Data offset in 32-bit words; computed from the options unless set. */
  dataOffset?: number;
}

export const TCP_TEMPLATE: TcpSpec = {
  srcPort: 51234,
  dstPort: 80,
  seq: 0xfffffff0, // near the wrap, so a signed read would show
  ack: 0x80000001,
  flags: 0x018, // PSH, ACK
  window: 502,
  urgent: 0,
  options: [],
  payloadLen: 0,
};

/** TCP option byte strings. */
export const opt = {
  eol: (): number[] => [0],
  nop: (): number[] => [1],
  mss: (v: number): number[] => [2, 4, v >> 8, v & 0xff],
  windowScale: (shift: number): number[] => [3, 3, shift],
  sackPermitted: (): number[] => [4, 2],
  sack: (blocks: readonly (readonly [number, number])[]): number[] => [
    5,
    2 + 8 * blocks.length,
    ...blocks.flatMap(([l, r]) => [...be32(l), ...be32(r)]),
  ],
  timestamps: (val: number, ecr: number): number[] => [8, 10, ...be32(val), ...be32(ecr)],
};

export function tcp(o: Partial<TcpSpec> = {}): Uint8Array {
  const s = { ...TCP_TEMPLATE, ...o };
  const options = [...s.options];
  while (options.length % 4 !== 0) options.push(0);
  const headerLen = 20 + options.length;
  const bytes = new Uint8Array(headerLen + s.payloadLen);
  put16(bytes, 0, s.srcPort);
  put16(bytes, 2, s.dstPort);
  put32(bytes, 4, s.seq);
  put32(bytes, 8, s.ack);
  bytes[12] = ((s.dataOffset ?? headerLen / 4) << 4) | ((s.flags >> 8) & 0x01);
  bytes[13] = s.flags & 0xff;
  put16(bytes, 14, s.window);
  put16(bytes, 18, s.urgent);
  bytes.set(options, 20);
  for (let i = 0; i < s.payloadLen; i++) bytes[headerLen + i] = i & 0xff;
  return bytes;
}

export interface Ipv4Spec {
  src: readonly number[];
  dst: readonly number[];
  ttl: number;
  id: number;
  protocol: number;
  /** Raw option bytes; padded with EOL to a multiple of 4. */
  options: readonly number[];
  dontFragment: boolean;
  moreFragments: boolean;
  /** In 8-byte units. */
  fragmentOffset: number;
  /** Computed unless set. */
  totalLength?: number;
  /** Computed unless set. */
  ihl?: number;
  version?: number;
}

export const IPV4_TEMPLATE: Ipv4Spec = {
  src: [192, 0, 2, 10],
  dst: [198, 51, 100, 200],
  ttl: 64,
  id: 0xbeef,
  protocol: 6,
  options: [],
  dontFragment: true,
  moreFragments: false,
  fragmentOffset: 0,
};

export function ipv4(payload: Uint8Array, o: Partial<Ipv4Spec> = {}): Uint8Array {
  const s = { ...IPV4_TEMPLATE, ...o };
  const options = [...s.options];
  while (options.length % 4 !== 0) options.push(0);
  const headerLen = 20 + options.length;
  const bytes = new Uint8Array(headerLen + payload.length);
  bytes[0] = ((s.version ?? 4) << 4) | (s.ihl ?? headerLen / 4);
  put16(bytes, 2, s.totalLength ?? bytes.length);
  put16(bytes, 4, s.id);
  put16(
    bytes,
    6,
    (s.dontFragment ? 0x4000 : 0) | (s.moreFragments ? 0x2000 : 0) | s.fragmentOffset,
  );
  bytes[8] = s.ttl;
  bytes[9] = s.protocol;
  bytes.set(s.src, 12);
  bytes.set(s.dst, 16);
  bytes.set(options, 20);
  bytes.set(payload, headerLen);
  return bytes;
}

/** An IPv6 extension header; `units` is the length field (8-byte units beyond the first 8). */
export type Ipv6Ext =
  | { type: 0 | 43 | 60 | 135 | 139 | 140; units?: number }
  | { type: 44; offset: number; more: boolean }
  | { type: 51; words?: number };

export interface Ipv6Spec {
  src: string;
  dst: string;
  hopLimit: number;
  /** The upper-layer protocol after the extension headers. */
  protocol: number;
  ext: readonly Ipv6Ext[];
  /** Computed unless set. */
  payloadLength?: number;
  /** Build a jumbogram: payload length 0 and a Jumbo Payload option in a first hop-by-hop header. */
  jumbo?: boolean;
  version?: number;
}

export const IPV6_TEMPLATE: Ipv6Spec = {
  src: "2001:db8::1",
  dst: "2001:db8:0:1::2",
  hopLimit: 63,
  protocol: 6,
  ext: [],
};

export function ipv6(payload: Uint8Array, o: Partial<Ipv6Spec> = {}): Uint8Array {
  const s = { ...IPV6_TEMPLATE, ...o };
  const exts = s.ext.map(extBytes);
  if (s.jumbo) exts.unshift({ type: 0, bytes: [0, 0, 0xc2, 4, 0, 0, 0, 0] });
  const extLen = exts.reduce((n, e) => n + e.bytes.length, 0);
  const bytes = new Uint8Array(40 + extLen + payload.length);
  bytes[0] = (s.version ?? 6) << 4;
  put16(bytes, 4, s.jumbo ? 0 : (s.payloadLength ?? extLen + payload.length));
  bytes[6] = exts[0]?.type ?? s.protocol;
  bytes[7] = s.hopLimit;
  bytes.set(v6(s.src), 8);
  bytes.set(v6(s.dst), 24);
  let at = 40;
  exts.forEach((e, i) => {
    const b = [...e.bytes];
    b[0] = exts[i + 1]?.type ?? s.protocol;
    bytes.set(b, at);
    at += b.length;
  });
  if (s.jumbo) put32(bytes, 40 + 4, s.payloadLength ?? extLen + payload.length);
  bytes.set(payload, at);
  return bytes;
}

function extBytes(e: Ipv6Ext): { type: number; bytes: number[] } {
  switch (e.type) {
    case 44: {
      const b = [0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78];
      const word = (e.offset << 3) | (e.more ? 1 : 0);
      b[2] = word >> 8;
      b[3] = word & 0xff;
      return { type: 44, bytes: b };
    }
    case 51: {
      const words = e.words ?? 4; // 24 bytes: 12 fixed + 12 of ICV (HMAC-SHA1-96)
      const b = new Array<number>((words + 2) * 4).fill(0);
      b[1] = words;
      return { type: 51, bytes: b };
    }
    default: {
      const units = e.units ?? 0;
      const b = new Array<number>((units + 1) * 8).fill(0);
      b[1] = units;
      // Fill the option area with one PadN option (RFC 8200 4.2), as real senders do.
      b[2] = 1;
      b[3] = b.length - 4;
      return { type: e.type, bytes: b };
    }
  }
}

export interface VlanTag {
  tpid: number;
  id: number;
}

export function ethernet(
  payload: Uint8Array,
  o: { etherType?: number; tags?: readonly VlanTag[]; padTo?: number } = {},
): Uint8Array {
  const tags = o.tags ?? [];
  const len = 14 + 4 * tags.length + payload.length;
  const bytes = new Uint8Array(Math.max(len, o.padTo ?? 0)).fill(0xaa, len);
  bytes.set([0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02], 0);
  let at = 12;
  for (const t of tags) {
    put16(bytes, at, t.tpid);
    put16(bytes, at + 2, (5 << 13) | t.id); // PCP 5 must not leak into the id
    at += 4;
  }
  put16(bytes, at, o.etherType ?? etherTypeOf(payload));
  bytes.set(payload, at + 2);
  return bytes;
}

/** Linux cooked v1: packet type, ARPHRD_ETHER, address length 6, address, protocol. */
export function sll(payload: Uint8Array, protocol = etherTypeOf(payload)): Uint8Array {
  const bytes = new Uint8Array(16 + payload.length);
  bytes.set([0, 4, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 0x01, 0, 0], 0);
  put16(bytes, 14, protocol);
  bytes.set(payload, 16);
  return bytes;
}

/** Linux cooked v2: protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address. */
export function sll2(payload: Uint8Array, protocol = etherTypeOf(payload)): Uint8Array {
  const bytes = new Uint8Array(20 + payload.length);
  put16(bytes, 0, protocol);
  bytes.set([0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 0x02, 0, 0, 0, 0, 0x01, 0, 0], 2);
  bytes.set(payload, 20);
  return bytes;
}

/** BSD loopback: the family in the capturing host's byte order (NULL) or big-endian (LOOP). */
export function loopback(payload: Uint8Array, family: number, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(4 + payload.length);
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(0, family, littleEndian);
  bytes.set(payload, 4);
  return bytes;
}

function etherTypeOf(ip: Uint8Array): number {
  return (ip[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800;
}

/**
 * Decode `bytes[0 .. capLen)` into a fresh object. The packet sits at an odd offset inside a
 * larger buffer with junk on both sides, so offset arithmetic errors and reads past `capLen`
 * show up as wrong values.
 */
export function decode(linkType: number, bytes: Uint8Array, capLen = bytes.length): DecodedPacket {
  const out = newDecodedPacket();
  decodeInto(out, linkType, bytes, capLen);
  return out;
}

export const JUNK = 0xee;
const LEAD = 7;

export function decodeInto(
  out: DecodedPacket,
  linkType: number,
  bytes: Uint8Array,
  capLen = bytes.length,
): void {
  const buf = new Uint8Array(LEAD + bytes.length + 64).fill(JUNK);
  buf.set(bytes.subarray(0, capLen), LEAD);
  decodePacket(out, linkType, buf, LEAD, capLen);
}

/** The offset `decode` places packets at, for checking `ipOffset` and `payloadOffset`. */
export const PACKET_OFFSET = LEAD;

/** IPv6 text to bytes (test helper; accepts `::` and a trailing dotted quad). */
export function v6(text: string): number[] {
  const hexOnly = text.replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_m, a: string, b: string, c: string, d: string) =>
      `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`,
  );
  const parse = (s: string): number[] => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const [head = "", rest] = hexOnly.split("::");
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  const zeros = rest === undefined ? [] : new Array<number>(8 - h.length - r.length).fill(0);
  return [...h, ...zeros, ...r].flatMap((g) => [g >> 8, g & 0xff]);
}

export function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function put32(b: Uint8Array, at: number, v: number): void {
  b.set(be32(v), at);
}

/** The subset of `actual` named by `expected`, for `deepStrictEqual` against `expected`. */
export function pick<T extends object>(actual: T, expected: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(expected) as (keyof T)[]) out[k] = actual[k];
  return out;
}
