/**
 * Writes the crafted samples in `samples/crafted/`: capture shapes no tool on this machine
 * writes (big-endian files, VLAN/QinQ tags, IPv6 extension headers, IP fragments, IPv4 options,
 * BSD loopback and raw-IP link types, multi-section pcapng, TCP options, snaplen cuts) and three
 * damaged files for error paths. See samples/README.md, "Crafted samples", for the list.
 *
 * Deterministic: fixed addresses, ports, sequence numbers and timestamps, no randomness, so a
 * rerun writes byte-identical files. Every packet is built here, byte by byte, with correct IPv4
 * header and TCP checksums; documentation addresses only (192.0.2.0/24, 198.51.100.0/24,
 * 2001:db8::/32).
 *
 *   npx tsc -p tsconfig.json && node dist/samples/tools/craft.js
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  concatBytes,
  epb,
  idb,
  otherBlock,
  pb,
  pcapFile,
  shb,
  spb,
  type PcapHeaderSpec,
  type PcapRecordSpec,
} from "./capture-writer.js";
import {
  TCP_ACK as ACK,
  TCP_AE as AE,
  TCP_CWR as CWR,
  TCP_ECE as ECE,
  TCP_FIN as FIN,
  TCP_PSH as PSH,
  TCP_RST as RST,
  TCP_SYN as SYN,
  TCP_URG as URG,
} from "../../src/decode/index.js";

/** Compiled to dist/samples/tools/craft.js: three levels up is the repository root. */
const OUT_DIR = fileURLToPath(new URL("../../../samples/crafted/", import.meta.url));

// --- bytes -------------------------------------------------------------------------------------

function be16(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}

function be32(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** Fixed-size unsigned fields in the given byte order: [size in bytes (1, 2, 4 or 8), value]. */
function fields(
  le: boolean,
  list: readonly (readonly [1 | 2 | 4 | 8, number | bigint])[],
): Uint8Array {
  const size = list.reduce((n, [s]) => n + s, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [s, v] of list) {
    if (s === 1) view.setUint8(at, Number(v));
    else if (s === 2) view.setUint16(at, Number(v), le);
    else if (s === 4) view.setUint32(at, Number(v) >>> 0, le);
    else view.setBigUint64(at, BigInt(v), le);
    at += s;
  }
  return out;
}

function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** `n` bytes of printable, deterministic filler text. */
function filler(n: number, seed: string): Uint8Array {
  const line = ascii(`${seed} 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = line[i % line.length] ?? 0x2e;
  return out;
}

function ipv4Address(s: string): Uint8Array {
  return Uint8Array.from(s.split(".").map(Number));
}

/** Parses the compressed text form ("2001:db8::1") into 16 bytes. */
function ipv6Address(s: string): Uint8Array {
  const [head = "", tail] = s.split("::");
  const groups = (part: string): number[] =>
    part === "" ? [] : part.split(":").map((g) => parseInt(g, 16));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return concatBytes(all.map(be16));
}

function mac(last: number): Uint8Array {
  // Locally administered unicast addresses.
  return Uint8Array.of(0x02, 0x00, 0x5e, 0x10, 0x00, last);
}

// --- checksums ---------------------------------------------------------------------------------

/** RFC 1071 one's-complement sum of 16-bit big-endian words, folded to 16 bits. */
function onesComplementSum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  for (const p of concatBytesIfOdd(parts)) {
    for (let i = 0; i < p.length; i += 2) sum += ((p[i] ?? 0) << 8) | (p[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Parts of odd length would shift the word alignment of what follows: join them first. */
function concatBytesIfOdd(parts: readonly Uint8Array[]): readonly Uint8Array[] {
  return parts.some((p) => p.length % 2 !== 0) ? [concatBytes(parts)] : parts;
}

function internetChecksum(parts: readonly Uint8Array[]): number {
  return ~onesComplementSum(parts) & 0xffff;
}

const IPPROTO_TCP = 6;

/** The pseudo-header the TCP checksum covers (RFC 9293 3.1, RFC 8200 8.1). */
function pseudoHeader(src: Uint8Array, dst: Uint8Array, tcpLength: number): Uint8Array {
  if (src.length === 4)
    return concatBytes([src, dst, Uint8Array.of(0, IPPROTO_TCP), be16(tcpLength)]);
  return concatBytes([src, dst, be32(tcpLength), Uint8Array.of(0, 0, 0, IPPROTO_TCP)]);
}

// --- TCP ---------------------------------------------------------------------------------------

interface TcpSpec {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** FIN..CWR in bits 0-7, AE in bit 8. */
  flags: number;
  window: number;
  urgent: number;
  options: Uint8Array;
  payload: Uint8Array;
}

/** A TCP segment (header, options padded to 32 bits, payload) with its checksum filled in. */
function tcpSegment(t: TcpSpec, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const optLen = Math.ceil(t.options.length / 4) * 4;
  const options = new Uint8Array(optLen);
  options.set(t.options);
  const dataOffset = (20 + optLen) / 4;
  const header = concatBytes([
    be16(t.srcPort),
    be16(t.dstPort),
    be32(t.seq),
    be32(t.ack),
    Uint8Array.of((dataOffset << 4) | ((t.flags >> 8) & 1), t.flags & 0xff),
    be16(t.window),
    be16(0),
    be16(t.urgent),
    options,
  ]);
  const segment = concatBytes([header, t.payload]);
  const sum = internetChecksum([pseudoHeader(src, dst, segment.length), segment]);
  segment.set(be16(sum), 16);
  return segment;
}

/** TCP option encoders (IANA "TCP Option Kind Numbers"). */
const opt = {
  nop: (): Uint8Array => Uint8Array.of(1),
  mss: (v: number): Uint8Array => concatBytes([Uint8Array.of(2, 4), be16(v)]),
  windowScale: (shift: number): Uint8Array => Uint8Array.of(3, 3, shift),
  sackPermitted: (): Uint8Array => Uint8Array.of(4, 2),
  sack: (blocks: readonly (readonly [number, number])[]): Uint8Array =>
    concatBytes([
      Uint8Array.of(5, 2 + 8 * blocks.length),
      ...blocks.flatMap(([l, r]) => [be32(l), be32(r)]),
    ]),
  timestamps: (val: number, ecr: number): Uint8Array =>
    concatBytes([Uint8Array.of(8, 10), be32(val), be32(ecr)]),
};

/** SYN options as Windows sends them: MSS, NOP, window scale, NOP, NOP, SACK permitted. */
function synOptions(mss: number, shift: number): Uint8Array {
  return concatBytes([
    opt.mss(mss),
    opt.nop(),
    opt.windowScale(shift),
    opt.nop(),
    opt.nop(),
    opt.sackPermitted(),
  ]);
}

/** SYN options as Linux sends them: MSS, SACK permitted, timestamps, NOP, window scale. */
function linuxSynOptions(mss: number, tsVal: number, tsEcr: number, shift: number): Uint8Array {
  return concatBytes([
    opt.mss(mss),
    opt.sackPermitted(),
    opt.timestamps(tsVal, tsEcr),
    opt.nop(),
    opt.windowScale(shift),
  ]);
}

// --- conversations -----------------------------------------------------------------------------

/** One crafted TCP packet, before any IP or link-layer header is put around it. */
interface TcpPacket {
  timeNs: bigint;
  fromClient: boolean;
  src: Uint8Array;
  dst: Uint8Array;
  ttl: number;
  ipId: number;
  /** The TCP segment, checksummed for (src, dst). */
  segment: Uint8Array;
}

interface Endpoint {
  ip: string;
  port: number;
  isn: number;
  window: number;
  ttl: number;
  ipId: number;
}

interface SendOptions {
  /** Time since the previous packet of the conversation. */
  afterUs?: number;
  payload?: Uint8Array;
  options?: Uint8Array;
  window?: number;
  urgent?: number;
  /** Sequence number relative to the sender's ISN, for retransmissions; default: next. */
  seq?: number;
  /** Acknowledgement number relative to the peer's ISN; default: all the peer has sent. */
  ack?: number;
}

interface Side {
  ip: Uint8Array;
  port: number;
  isn: number;
  /** Relative sequence number of the next new byte. */
  next: number;
  window: number;
  ttl: number;
  ipId: number;
}

/** Keeps sequence numbers, acknowledgements, IP ids and the clock of one TCP connection. */
class Conversation {
  readonly packets: TcpPacket[] = [];
  private readonly client: Side;
  private readonly server: Side;
  private timeNs: bigint;

  constructor(client: Endpoint, server: Endpoint, startNs: bigint) {
    const side = (e: Endpoint): Side => ({
      ip: e.ip.includes(":") ? ipv6Address(e.ip) : ipv4Address(e.ip),
      port: e.port,
      isn: e.isn,
      next: 0,
      window: e.window,
      ttl: e.ttl,
      ipId: e.ipId,
    });
    this.client = side(client);
    this.server = side(server);
    this.timeNs = startNs;
  }

  send(fromClient: boolean, flags: number, o: SendOptions = {}): TcpPacket {
    const me = fromClient ? this.client : this.server;
    const peer = fromClient ? this.server : this.client;
    const payload = o.payload ?? new Uint8Array(0);
    const relSeq = o.seq ?? me.next;
    const relAck = o.ack ?? peer.next;
    this.timeNs += BigInt(Math.round((o.afterUs ?? 0) * 1000));
    const segment = tcpSegment(
      {
        srcPort: me.port,
        dstPort: peer.port,
        seq: (me.isn + relSeq) >>> 0,
        ack: (flags & ACK) !== 0 ? (peer.isn + relAck) >>> 0 : 0,
        flags,
        window: o.window ?? me.window,
        urgent: o.urgent ?? 0,
        options: o.options ?? new Uint8Array(0),
        payload,
      },
      me.ip,
      peer.ip,
    );
    const consumed = payload.length + ((flags & SYN) !== 0 ? 1 : 0) + ((flags & FIN) !== 0 ? 1 : 0);
    me.next = Math.max(me.next, relSeq + consumed);
    const p: TcpPacket = {
      timeNs: this.timeNs,
      fromClient,
      src: me.ip,
      dst: peer.ip,
      ttl: me.ttl,
      ipId: me.ipId,
      segment,
    };
    me.ipId = (me.ipId + 1) & 0xffff;
    this.packets.push(p);
    return p;
  }
}

interface ExchangeSpec {
  client: Endpoint;
  server: Endpoint;
  startNs: bigint;
  request: Uint8Array;
  response: Uint8Array;
  /** Round-trip time in microseconds, as seen at the client, where the capture is taken. */
  rttUs: number;
}

/**
 * The usual short connection: handshake, one request, one response, the client closes first.
 * SYN, SYN-ACK, ACK, request [P.], response [P.], ACK, FIN [F.], FIN [F.], ACK.
 */
function shortExchange(x: ExchangeSpec): TcpPacket[] {
  const c = new Conversation(x.client, x.server, x.startNs);
  const v6 = x.client.ip.includes(":");
  const rtt = x.rttUs;
  c.send(true, SYN, { options: synOptions(v6 ? 1440 : 1460, 8), window: 64240 });
  c.send(false, SYN | ACK, {
    afterUs: rtt,
    options: synOptions(v6 ? 1440 : 1460, 7),
    window: 65160,
  });
  c.send(true, ACK, { afterUs: 37.5 });
  c.send(true, PSH | ACK, { afterUs: 121.25, payload: x.request });
  c.send(false, PSH | ACK, { afterUs: rtt + 431.875, payload: x.response });
  c.send(true, ACK, { afterUs: 52.125 });
  c.send(true, FIN | ACK, { afterUs: 1502.5 });
  c.send(false, FIN | ACK, { afterUs: rtt + 88.75 });
  c.send(true, ACK, { afterUs: 21.5 });
  return c.packets;
}

function httpRequest(host: string, path: string): Uint8Array {
  return ascii(
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: craft/1.0\r\nAccept: */*\r\n\r\n`,
  );
}

/** An HTTP response of exactly `total` bytes, headers included. */
function httpResponseOfLength(total: number, seed: string): Uint8Array {
  let bodyLen = total;
  for (let i = 0; i < 3; i++)
    bodyLen = total - (httpResponse(new Uint8Array(bodyLen)).length - bodyLen);
  return httpResponse(filler(bodyLen, seed));
}

function httpResponse(body: Uint8Array): Uint8Array {
  const head = ascii(
    `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
  );
  return concatBytes([head, body]);
}

/** Client and server endpoints with documentation addresses; `n` keeps ports and ISNs apart. */
function hosts(n: number, v6: boolean): { client: Endpoint; server: Endpoint } {
  return {
    client: {
      ip: v6 ? `2001:db8::${10 + n}` : `192.0.2.${10 + n}`,
      port: 50000 + 111 * n,
      isn: (0x1a2b3c4d + 0x01010101 * n) >>> 0,
      window: 502,
      ttl: 64,
      ipId: 0x1000 + 0x100 * n,
    },
    server: {
      ip: v6 ? `2001:db8:1::${20 + n}` : `198.51.100.${20 + n}`,
      port: 8080,
      isn: (0xc0ffee00 - 0x00100100 * n) >>> 0,
      window: 509,
      ttl: 56,
      ipId: 0x7000 + 0x100 * n,
    },
  };
}

/** A standard HTTP exchange between `hosts(n, v6)`; the response is `responseLen` bytes. */
function standardExchange(n: number, v6: boolean, startNs: bigint, responseLen = 150): TcpPacket[] {
  const { client, server } = hosts(n, v6);
  return shortExchange({
    client,
    server,
    startNs,
    request: httpRequest(v6 ? `[${server.ip}]` : server.ip, `/crafted/${n}`),
    response: httpResponseOfLength(responseLen, `body${n}`),
    rttUs: 12345.678,
  });
}

/** 2023-11-14T22:13:20Z plus a fraction with every digit set. */
const T0 = 1_700_000_000_123_456_789n;
const SECOND = 1_000_000_000n;

// --- IP ----------------------------------------------------------------------------------------

interface Ipv4Options {
  /** Raw option bytes; padded with EOL to a multiple of 4. */
  options?: Uint8Array;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** In 8-byte units. */
  fragmentOffset?: number;
}

/** An IPv4 header (RFC 791) with its checksum, followed by `payload`. */
function ipv4Datagram(p: TcpPacket, payload: Uint8Array, o: Ipv4Options = {}): Uint8Array {
  const optLen = Math.ceil((o.options?.length ?? 0) / 4) * 4;
  const options = new Uint8Array(optLen);
  if (o.options) options.set(o.options);
  const headerLen = 20 + optLen;
  const flagsFrag =
    ((o.dontFragment ?? true) ? 0x4000 : 0) |
    (o.moreFragments ? 0x2000 : 0) |
    (o.fragmentOffset ?? 0);
  const header = concatBytes([
    Uint8Array.of(0x40 | (headerLen / 4), 0x00),
    be16(headerLen + payload.length),
    be16(p.ipId),
    be16(flagsFrag),
    Uint8Array.of(p.ttl, IPPROTO_TCP),
    be16(0),
    p.src,
    p.dst,
    options,
  ]);
  header.set(be16(internetChecksum([header])), 10);
  return concatBytes([header, payload]);
}

/** An IPv6 header (RFC 8200) whose next header is `nextHeader`, followed by `payload`. */
function ipv6Datagram(p: TcpPacket, nextHeader: number, payload: Uint8Array): Uint8Array {
  const flowLabel = 0x12345 + (p.fromClient ? 0 : 1);
  return concatBytes([
    be32((6 << 28) | flowLabel),
    be16(payload.length),
    Uint8Array.of(nextHeader, p.ttl),
    p.src,
    p.dst,
    payload,
  ]);
}

/** The TCP packet in a plain IPv4 or IPv6 datagram (DF set for IPv4). */
function ipDatagram(p: TcpPacket): Uint8Array {
  return p.src.length === 4 ? ipv4Datagram(p, p.segment) : ipv6Datagram(p, IPPROTO_TCP, p.segment);
}

/** IPv6 extension headers (IANA "IPv6 Extension Header Types"), each chained by its first byte. */
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const IPV6_DEST_OPTIONS = 60;

interface ExtHeader {
  type: number;
  /** The header after its next-header byte (and, for AH, everything after the length byte). */
  body: Uint8Array;
}

/** Hop-by-hop options: Router Alert (MLD, RFC 2711) and a PadN to 8 bytes. */
function hopByHop(): ExtHeader {
  return { type: IPV6_HOP_BY_HOP, body: Uint8Array.of(0, 0x05, 2, 0, 0, 0x01, 0) };
}

/** Destination options holding one PadN option of 4 zero bytes. */
function destinationOptions(): ExtHeader {
  return { type: IPV6_DEST_OPTIONS, body: Uint8Array.of(0, 0x01, 4, 0, 0, 0, 0) };
}

/**
 * Segment Routing Header (RFC 8754, routing type 4) with segments left 0: the one segment is the
 * packet's own destination, so the TCP pseudo-header is unchanged.
 */
function segmentRouting(finalDst: Uint8Array): ExtHeader {
  const lengthUnits = 2; // 16 bytes of segment list, in 8-byte units
  return {
    type: IPV6_ROUTING,
    body: concatBytes([Uint8Array.of(lengthUnits, 4, 0, 0, 0), be16(0), finalDst]),
  };
}

/** Routing header type 0 (RFC 2460, deprecated by RFC 5095) with segments left 0 and one address. */
function routingType0(finalDst: Uint8Array): ExtHeader {
  return { type: IPV6_ROUTING, body: concatBytes([Uint8Array.of(2, 0, 0), be32(0), finalDst]) };
}

/** Authentication Header (RFC 4302): SPI, sequence number and a 96-bit ICV, 24 bytes in all. */
function authenticationHeader(spi: number, seq: number): ExtHeader {
  const icv = Uint8Array.of(0x5a, 0xa5, 0x3c, 0xc3, 0x0f, 0xf0, 0x69, 0x96, 0x11, 0x22, 0x33, 0x44);
  const payloadLen = 24 / 4 - 2;
  return {
    type: IPV6_AH,
    body: concatBytes([Uint8Array.of(payloadLen, 0, 0), be32(spi), be32(seq), icv]),
  };
}

/** Fragment header (RFC 8200 4.5); `offset` in 8-byte units. */
function fragmentHeader(offset: number, more: boolean, id: number): ExtHeader {
  return {
    type: IPV6_FRAGMENT,
    body: concatBytes([Uint8Array.of(0), be16((offset << 3) | (more ? 1 : 0)), be32(id)]),
  };
}

/** An IPv6 datagram whose extension headers `chain` come before `upper` (protocol `upperType`). */
function ipv6WithExtensions(
  p: TcpPacket,
  chain: readonly ExtHeader[],
  upperType: number,
  upper: Uint8Array,
): Uint8Array {
  const parts: Uint8Array[] = [];
  chain.forEach((h, i) => parts.push(Uint8Array.of(chain[i + 1]?.type ?? upperType), h.body));
  const first = chain[0]?.type ?? upperType;
  return ipv6Datagram(p, first, concatBytes([...parts, upper]));
}

// --- link layer --------------------------------------------------------------------------------

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const TPID_8021Q = 0x8100;
const TPID_8021AD = 0x88a8;
const TPID_QINQ_LEGACY = 0x9100;

interface VlanTag {
  tpid: number;
  vid: number;
  pcp?: number;
}

/** An Ethernet II frame carrying `ip`, with any VLAN tags (outermost first). No FCS. */
function ethernet(p: TcpPacket, ip: Uint8Array, tags: readonly VlanTag[] = []): Uint8Array {
  const clientMac = mac(0x0a);
  const serverMac = mac(0x14);
  const etherType = (ip[0] ?? 0) >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
  return concatBytes([
    p.fromClient ? serverMac : clientMac,
    p.fromClient ? clientMac : serverMac,
    ...tags.flatMap((t) => [be16(t.tpid), be16(((t.pcp ?? 0) << 13) | t.vid)]),
    be16(etherType),
    ip,
  ]);
}

/** Pads a frame with zeros to the Ethernet minimum of 60 bytes (64 with the FCS). */
function padTo60(frame: Uint8Array): Uint8Array {
  if (frame.length >= 60) return frame;
  const out = new Uint8Array(60);
  out.set(frame);
  return out;
}

// --- writing files -----------------------------------------------------------------------------

interface Frame {
  timeNs: bigint;
  data: Uint8Array;
}

function frames(packets: readonly TcpPacket[], toFrame: (p: TcpPacket) => Uint8Array): Frame[] {
  return packets.map((p) => ({ timeNs: p.timeNs, data: toFrame(p) }));
}

function pcapRecords(list: readonly Frame[], nanosecond: boolean): PcapRecordSpec[] {
  return list.map((f) => {
    const sec = f.timeNs / SECOND;
    const ns = f.timeNs % SECOND;
    return { tsSec: Number(sec), tsFrac: Number(nanosecond ? ns : ns / 1000n), data: f.data };
  });
}

function classicPcap(spec: PcapHeaderSpec, list: readonly Frame[]): Uint8Array {
  return pcapFile(spec, pcapRecords(list, spec.nanosecond ?? false));
}

const written: { name: string; size: number }[] = [];

function write(name: string, bytes: Uint8Array): void {
  writeFileSync(join(OUT_DIR, name), bytes);
  written.push({ name, size: bytes.length });
}

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LOOP = 108;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;

// --- the files ---------------------------------------------------------------------------------

/** 1: big-endian classic pcap, microseconds, Ethernet, IPv4. */
function bigEndianUsec(): void {
  const packets = standardExchange(0, false, T0 - (T0 % 1000n));
  write(
    "bigendian-usec.pcap",
    classicPcap(
      { littleEndian: false, linkType: LINKTYPE_ETHERNET },
      frames(packets, (p) => ethernet(p, ipDatagram(p))),
    ),
  );
}

/** 2: big-endian nanosecond pcap, Ethernet, IPv6 then IPv4, sub-microsecond digits. */
function bigEndianNsec(): void {
  const packets = [
    ...standardExchange(1, true, T0),
    ...standardExchange(2, false, T0 + 2n * SECOND + 987_654_321n),
  ];
  write(
    "bigendian-nsec.pcap",
    classicPcap(
      { littleEndian: false, nanosecond: true, linkType: LINKTYPE_ETHERNET },
      frames(packets, (p) => ethernet(p, ipDatagram(p))),
    ),
  );
}

/** 3: one 802.1Q tag, VLAN 100, on an IPv4 and an IPv6 connection. */
function vlan8021q(): void {
  const packets = [...standardExchange(3, false, T0), ...standardExchange(4, true, T0 + SECOND)];
  const tag: VlanTag = { tpid: TPID_8021Q, vid: 100 };
  write(
    "vlan-8021q.pcap",
    classicPcap(
      { linkType: LINKTYPE_ETHERNET },
      frames(packets, (p) => ethernet(p, ipDatagram(p), [tag])),
    ),
  );
}

/** 4: 802.1ad S-tag 200 + 802.1Q C-tag 300; then a connection under the legacy 0x9100 outer tag. */
function qinq8021ad(): void {
  const standard = frames(standardExchange(5, false, T0), (p) =>
    ethernet(p, ipDatagram(p), [
      { tpid: TPID_8021AD, vid: 200 },
      { tpid: TPID_8021Q, vid: 300, pcp: 3 },
    ]),
  );
  const legacy = frames(standardExchange(6, true, T0 + SECOND), (p) =>
    ethernet(p, ipDatagram(p), [
      { tpid: TPID_QINQ_LEGACY, vid: 200 },
      { tpid: TPID_8021Q, vid: 300 },
    ]),
  );
  write("qinq-8021ad.pcap", classicPcap({ linkType: LINKTYPE_ETHERNET }, [...standard, ...legacy]));
}

/** 5: IPv6 with extension header chains before TCP, a different chain on every packet. */
function ipv6ExtHeaders(): void {
  const packets = standardExchange(7, true, T0);
  const chains: ((p: TcpPacket) => ExtHeader[])[] = [
    () => [hopByHop()],
    () => [destinationOptions()],
    (p) => [segmentRouting(p.dst)],
    (p) => [hopByHop(), destinationOptions(), segmentRouting(p.dst), destinationOptions()],
    () => [authenticationHeader(0x00001000, 1)],
    (p) => [hopByHop(), routingType0(p.dst)],
    () => [destinationOptions(), destinationOptions()],
    () => [hopByHop(), authenticationHeader(0x00001000, 2), destinationOptions()],
    () => [],
  ];
  write(
    "ipv6-ext-headers.pcap",
    classicPcap(
      { linkType: LINKTYPE_ETHERNET },
      packets.map((p, i) => ({
        timeNs: p.timeNs,
        data: ethernet(
          p,
          ipv6WithExtensions(p, (chains[i] ?? (() => []))(p), IPPROTO_TCP, p.segment),
        ),
      })),
    ),
  );
}

/** Splits `payload` into pieces of `size` bytes (the last one shorter). */
function chunks(payload: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += size) out.push(payload.subarray(at, at + size));
  return out;
}

/**
 * 6: an IPv4 response of 3000 payload bytes sent as three fragments (1480 + 1480 + 60 bytes of
 * IP payload; the first holds the TCP header), and an IPv6 response of 2000 bytes sent as two
 * fragments under a Fragment header (1448 + 572). Everything else is unfragmented.
 */
function ipFragments(): void {
  const v4 = standardExchange(8, false, T0, 3000);
  const v6 = standardExchange(9, true, T0 + SECOND, 2000);
  const out: Frame[] = [];
  for (const p of v4) {
    if (p.segment.length < 1000) {
      out.push({ timeNs: p.timeNs, data: ethernet(p, ipDatagram(p)) });
      continue;
    }
    chunks(p.segment, 1480).forEach((piece, i, all) => {
      const ip = ipv4Datagram(p, piece, {
        dontFragment: false,
        moreFragments: i < all.length - 1,
        fragmentOffset: (i * 1480) / 8,
      });
      out.push({ timeNs: p.timeNs + BigInt(i * 1200), data: ethernet(p, ip) });
    });
  }
  for (const p of v6) {
    if (p.segment.length < 1000) {
      out.push({ timeNs: p.timeNs, data: ethernet(p, ipDatagram(p)) });
      continue;
    }
    chunks(p.segment, 1448).forEach((piece, i, all) => {
      const frag = fragmentHeader((i * 1448) / 8, i < all.length - 1, 0x5eed0001);
      out.push({
        timeNs: p.timeNs + BigInt(i * 1150),
        data: ethernet(p, ipv6WithExtensions(p, [frag], IPPROTO_TCP, piece)),
      });
    });
  }
  write("ipv4-fragments.pcap", classicPcap({ linkType: LINKTYPE_ETHERNET }, out));
}

/**
 * 7: IPv4 headers with options (IHL 6: Router Alert; IHL 7: NOP + Record Route with one slot;
 * IHL 8: NOP + Timestamp), small segments in Ethernet frames padded to 60 bytes.
 */
function ipv4OptionsPadding(): void {
  const { client, server } = hosts(10, false);
  const packets = shortExchange({
    client,
    server,
    startNs: T0,
    request: ascii("Q\n"),
    response: ascii("OK\n"),
    rttUs: 250.5,
  });
  const routerAlert = Uint8Array.of(0x94, 4, 0, 0);
  const recordRoute = concatBytes([Uint8Array.of(0x01, 0x07, 7, 8), ipv4Address("192.0.2.254")]);
  const timestamp = concatBytes([Uint8Array.of(0x01, 0x44, 8, 9, 0x00), be32(0x0337f98d)]);
  const optionsFor: (Uint8Array | undefined)[] = [
    routerAlert, // SYN: IHL 6, 70-byte frame
    recordRoute, // SYN-ACK: IHL 7, 74 bytes
    undefined, // ACK: 54 bytes, padded with 6
    routerAlert, // request "Q\n": 14 + 24 + 20 + 2 = 60, no padding
    undefined, // response "OK\n": 57 bytes, padded with 3
    recordRoute, // ACK: IHL 7, 62 bytes
    routerAlert, // FIN: IHL 6, 58 bytes, padded with 2
    undefined, // FIN: padded with 6
    timestamp, // ACK: IHL 8
  ];
  const list = packets.map((p, i) => {
    const options = optionsFor[i];
    const ip =
      options === undefined ? ipv4Datagram(p, p.segment) : ipv4Datagram(p, p.segment, { options });
    return { timeNs: p.timeNs, data: padTo60(ethernet(p, ip)) };
  });
  write("ipv4-options-padding.pcap", classicPcap({ linkType: LINKTYPE_ETHERNET }, list));
}

/**
 * 8: one little-endian pcapng, five interfaces: NULL (AF_INET 2 and macOS AF_INET6 30, host
 * order little-endian), LOOP (family big-endian, OpenBSD AF_INET6 24), RAW, IPV4 and IPV6.
 */
function nullLoopRaw(): void {
  const le = true;
  const AF_INET = 2;
  const AF_INET6_DARWIN = 30;
  const AF_INET6_OPENBSD = 24;
  const family = (p: TcpPacket, v6: number): number => (p.src.length === 4 ? AF_INET : v6);
  const interfaces: {
    linkType: number;
    name: string;
    conversations: TcpPacket[][];
    frame: (p: TcpPacket) => Uint8Array;
  }[] = [
    {
      linkType: LINKTYPE_NULL,
      name: "lo0",
      conversations: [standardExchange(11, false, T0), standardExchange(12, true, T0 + SECOND)],
      frame: (p) => concatBytes([fields(true, [[4, family(p, AF_INET6_DARWIN)]]), ipDatagram(p)]),
    },
    {
      linkType: LINKTYPE_LOOP,
      name: "lo0-openbsd",
      conversations: [
        standardExchange(13, false, T0 + 2n * SECOND),
        standardExchange(14, true, T0 + 3n * SECOND),
      ],
      frame: (p) => concatBytes([be32(family(p, AF_INET6_OPENBSD)), ipDatagram(p)]),
    },
    {
      linkType: LINKTYPE_RAW,
      name: "tun0",
      conversations: [
        standardExchange(15, false, T0 + 4n * SECOND),
        standardExchange(16, true, T0 + 5n * SECOND),
      ],
      frame: ipDatagram,
    },
    {
      linkType: LINKTYPE_IPV4,
      name: "ipv4only",
      conversations: [standardExchange(17, false, T0 + 6n * SECOND)],
      frame: ipDatagram,
    },
    {
      linkType: LINKTYPE_IPV6,
      name: "ipv6only",
      conversations: [standardExchange(18, true, T0 + 7n * SECOND)],
      frame: ipDatagram,
    },
  ];
  const blocks: Uint8Array[] = [shb(le)];
  interfaces.forEach((itf) =>
    blocks.push(idb(le, { linkType: itf.linkType, name: itf.name, tsresol: 9 })),
  );
  interfaces.forEach((itf, interfaceId) => {
    for (const p of itf.conversations.flat()) {
      blocks.push(epb(le, { interfaceId, ticks: p.timeNs, data: itf.frame(p) }));
    }
  });
  write("null-loop-raw.pcapng", concatBytes(blocks));
}

/** Name Resolution Block records (pcapng 4.5): IPv4 and IPv6 names, then the end record. */
function nrbBody(le: boolean): Uint8Array {
  const record = (type: number, value: Uint8Array): Uint8Array => {
    const padded = new Uint8Array(Math.ceil(value.length / 4) * 4);
    padded.set(value);
    return concatBytes([
      fields(le, [
        [2, type],
        [2, value.length],
      ]),
      padded,
    ]);
  };
  return concatBytes([
    record(1, concatBytes([ipv4Address("198.51.100.39"), ascii("server.example\0")])),
    record(1, concatBytes([ipv4Address("192.0.2.29"), ascii("client.example\0")])),
    record(2, concatBytes([ipv6Address("2001:db8:1::40"), ascii("server6.example\0")])),
    fields(le, [
      [2, 0],
      [2, 0],
    ]),
  ]);
}

/** Interface Statistics Block body (pcapng 4.6) in nanosecond ticks: start, end, received, dropped. */
function isbBody(
  le: boolean,
  interfaceId: number,
  startNs: bigint,
  endNs: bigint,
  received: number,
): Uint8Array {
  const ticks = (t: bigint): [readonly [4, number], readonly [4, number]] => [
    [4, Number(t >> 32n)],
    [4, Number(t & 0xffffffffn)],
  ];
  return fields(le, [
    [4, interfaceId],
    ...ticks(endNs),
    [2, 2], // isb_starttime
    [2, 8],
    ...ticks(startNs),
    [2, 3], // isb_endtime
    [2, 8],
    ...ticks(endNs),
    [2, 4], // isb_ifrecv
    [2, 8],
    [8, BigInt(received)],
    [2, 5], // isb_ifdrop
    [2, 8],
    [8, 0n],
    [2, 0], // opt_endofopt
    [2, 0],
  ]);
}

/**
 * 9: a big-endian section (if_tsresol 9, if_name) with EPBs, one SPB, an NRB and an ISB; then a
 * little-endian section whose interface counts 2^-20 s with if_tsoffset 3600, with EPBs and one
 * obsolete Packet Block.
 */
function pcapngBigEndianMultiSection(): void {
  const first = standardExchange(19, false, T0);
  const second = standardExchange(20, true, T0 + 5n * SECOND);
  const eth = (p: TcpPacket): Uint8Array => ethernet(p, ipDatagram(p));

  const be = false;
  const section1: Uint8Array[] = [
    shb(be, { options: [{ code: 4, value: ascii("teardown craft.ts") }] }),
    idb(be, { linkType: LINKTYPE_ETHERNET, tsresol: 9, name: "eth0", snapLen: 65535 }),
  ];
  // The last packet of the first connection goes in a Simple Packet Block (no timestamp).
  first.forEach((p, i) => {
    section1.push(
      i === first.length - 1
        ? spb(be, eth(p))
        : epb(be, { interfaceId: 0, ticks: p.timeNs, data: eth(p) }),
    );
  });
  section1.push(otherBlock(be, 4, nrbBody(be)));
  const firstStart = first[0]?.timeNs ?? T0;
  const firstEnd = first[first.length - 1]?.timeNs ?? T0;
  section1.push(otherBlock(be, 5, isbBody(be, 0, firstStart, firstEnd, first.length)));

  // Second section: ticks of 2^-20 s, counted from if_tsoffset = 3600 s before the real time.
  const le = true;
  const TSOFFSET = 3600n;
  const binaryTicks = (ns: bigint): bigint => ((ns - TSOFFSET * SECOND) << 20n) / SECOND;
  const section2: Uint8Array[] = [
    shb(le),
    idb(le, { linkType: LINKTYPE_ETHERNET, tsresol: 0x80 | 20, tsoffset: TSOFFSET, name: "eth1" }),
  ];
  second.forEach((p, i) => {
    const spec = { interfaceId: 0, ticks: binaryTicks(p.timeNs), data: eth(p) };
    section2.push(i === 4 ? pb(le, spec) : epb(le, spec));
  });
  write("pcapng-bigendian-multisection.pcapng", concatBytes([...section1, ...section2]));
}

/**
 * 10: TCP options and flags. Connection A (IPv4, Linux-style options with timestamps, ECN
 * setup): SACK with 1, 2 and 3 blocks after losses, retransmissions, an urgent byte, ECE/CWR,
 * a close. Connection B (IPv6, no timestamps): SACK with 4 blocks, then the client resets.
 * Connection C (IPv4): accurate ECN handshake with the AE bit, then a RST from the server.
 */
function tcpOptions(): void {
  const packets: TcpPacket[] = [];
  const ts = (val: number, ecr: number): Uint8Array =>
    concatBytes([opt.nop(), opt.nop(), opt.timestamps(val, ecr)]);
  const sackTs = (
    val: number,
    ecr: number,
    blocks: readonly (readonly [number, number])[],
  ): Uint8Array => concatBytes([ts(val, ecr), opt.nop(), opt.nop(), opt.sack(blocks)]);

  // A: the server sends seven 100-byte segments; #2, #4 and #6 are lost before the capture point.
  {
    const { client, server } = hosts(21, false);
    const c = new Conversation(client, server, T0);
    const rel = (n: number): number => (server.isn + n) >>> 0;
    c.send(true, SYN | ECE | CWR, { options: linuxSynOptions(1460, 1000, 0, 7), window: 64240 });
    c.send(false, SYN | ACK | ECE, {
      afterUs: 8000,
      options: linuxSynOptions(1460, 5000, 1000, 9),
      window: 65160,
    });
    c.send(true, ACK, { afterUs: 8050, options: ts(1008, 5000) });
    c.send(true, PSH | ACK, {
      afterUs: 100,
      options: ts(1008, 5000),
      payload: ascii("GET /sack HTTP/1.1\r\nHost: x\r\n\r\n"),
    });
    const data = (n: number): Uint8Array => filler(100, `seg${n}`);
    c.send(false, ACK, { afterUs: 8100, options: ts(5008, 1008), payload: data(1), seq: 1 });
    c.send(true, ACK, { afterUs: 8000, options: ts(1016, 5008) });
    // #2 (seq 101) lost; #3 arrives.
    c.send(false, ACK, { afterUs: 10, options: ts(5008, 1008), payload: data(3), seq: 201 });
    c.send(true, ACK, {
      afterUs: 8000,
      options: sackTs(1024, 5008, [[rel(201), rel(301)]]),
      ack: 101,
    });
    // #4 lost; #5 arrives, with ECE: the router marked congestion on the way to the client, and
    // the client echoes it (ECE) until the server answers with CWR.
    c.send(false, ACK, { afterUs: 20, options: ts(5009, 1008), payload: data(5), seq: 401 });
    c.send(true, ACK | ECE, {
      afterUs: 8000,
      options: sackTs(1032, 5009, [
        [rel(401), rel(501)],
        [rel(201), rel(301)],
      ]),
      ack: 101,
    });
    // #6 lost; #7 arrives.
    c.send(false, ACK, { afterUs: 15, options: ts(5010, 1008), payload: data(7), seq: 601 });
    c.send(true, ACK | ECE, {
      afterUs: 8000,
      options: sackTs(1040, 5010, [
        [rel(601), rel(701)],
        [rel(401), rel(501)],
        [rel(201), rel(301)],
      ]),
      ack: 101,
    });
    // Retransmissions of #2, #4, #6; the first one carries CWR.
    c.send(false, ACK | CWR, {
      afterUs: 9000,
      options: ts(5020, 1040),
      payload: data(2),
      seq: 101,
    });
    c.send(false, ACK, { afterUs: 5, options: ts(5020, 1040), payload: data(4), seq: 301 });
    c.send(false, ACK, { afterUs: 5, options: ts(5020, 1040), payload: data(6), seq: 501 });
    c.send(true, ACK, { afterUs: 8000, options: ts(1060, 5020), ack: 701 });
    // An urgent byte (telnet-style interrupt): URG with the urgent pointer after it.
    c.send(true, PSH | ACK | URG, {
      afterUs: 200000,
      options: ts(1260, 5020),
      payload: Uint8Array.of(0xff),
      urgent: 1,
    });
    c.send(false, ACK, { afterUs: 8000, options: ts(5228, 1260) });
    c.send(true, FIN | ACK, { afterUs: 1000, options: ts(1269, 5228) });
    c.send(false, FIN | ACK, { afterUs: 8000, options: ts(5237, 1269) });
    c.send(true, ACK, { afterUs: 8000, options: ts(1285, 5237) });
    packets.push(...c.packets);
  }

  // B: IPv6 without timestamps: four server segments lost in between, SACK with 4 blocks.
  {
    const { client, server } = hosts(22, true);
    const c = new Conversation(client, server, T0 + SECOND);
    const rel = (n: number): number => (server.isn + n) >>> 0;
    c.send(true, SYN, { options: synOptions(1440, 8), window: 64800 });
    c.send(false, SYN | ACK, { afterUs: 3000, options: synOptions(1440, 7), window: 64800 });
    c.send(true, ACK, { afterUs: 3020 });
    c.send(true, PSH | ACK, {
      afterUs: 50,
      payload: ascii("GET /four HTTP/1.1\r\nHost: y\r\n\r\n"),
    });
    // Nine 50-byte segments #0..#8; #0, #2, #4 and #6 are lost, #1, #3, #5, #7 and #8 arrive.
    for (const n of [1, 3, 5, 7, 8])
      c.send(false, ACK, { afterUs: 3000, payload: filler(50, `six${n}`), seq: 1 + 50 * n });
    const blocks: [number, number][] = [
      [rel(1 + 50 * 7), rel(1 + 50 * 9)],
      [rel(1 + 50 * 5), rel(1 + 50 * 6)],
      [rel(1 + 50 * 3), rel(1 + 50 * 4)],
      [rel(1 + 50 * 1), rel(1 + 50 * 2)],
    ];
    c.send(true, ACK, {
      afterUs: 3000,
      options: concatBytes([opt.nop(), opt.nop(), opt.sack(blocks)]),
      ack: 1,
    });
    c.send(true, RST | ACK, { afterUs: 40000, ack: 1 });
    packets.push(...c.packets);
  }

  // C: accurate ECN (AccECN): SYN with AE, CWR and ECE, a SYN-ACK with CWR only (its ACE field),
  // then the ACE counter in AE, CWR, ECE on every segment; the server resets.
  {
    const { client, server } = hosts(23, false);
    const c = new Conversation(client, server, T0 + 2n * SECOND);
    c.send(true, SYN | ECE | CWR | AE, { options: synOptions(1460, 8), window: 64240 });
    c.send(false, SYN | ACK | CWR, { afterUs: 4000, options: synOptions(1460, 7), window: 65160 });
    // After the handshake the ACE counter (AE, CWR, ECE) starts at 5: AE and ECE set.
    c.send(true, ACK | ECE | AE, { afterUs: 4020 });
    c.send(true, PSH | ACK | ECE | AE, { afterUs: 40, payload: ascii("PING\n") });
    c.send(false, PSH | ACK | ECE | AE, { afterUs: 4000, payload: ascii("PONG\n") });
    c.send(false, RST | ACK, { afterUs: 100 });
    packets.push(...c.packets);
  }

  write(
    "tcp-options.pcap",
    classicPcap(
      { linkType: LINKTYPE_ETHERNET },
      frames(packets, (p) => ethernet(p, ipDatagram(p))),
    ),
  );
}

/**
 * 11: EPBs cut by the snapshot length: interface 0 keeps 54 bytes (Ethernet + IPv4 + 20 bytes of
 * TCP), interface 1 keeps 60; original lengths are the full frames.
 */
function snaplenCut(): void {
  const le = true;
  const blocks: Uint8Array[] = [
    shb(le),
    idb(le, { linkType: LINKTYPE_ETHERNET, snapLen: 54, name: "eth0" }),
    idb(le, { linkType: LINKTYPE_ETHERNET, snapLen: 60, name: "eth1" }),
  ];
  const conversations = [
    standardExchange(24, false, T0, 1200),
    standardExchange(25, false, T0 + SECOND, 700),
  ];
  conversations.forEach((packets, interfaceId) => {
    const snap = interfaceId === 0 ? 54 : 60;
    for (const p of packets) {
      const frame = ethernet(p, ipDatagram(p));
      blocks.push(
        epb(le, {
          interfaceId,
          ticks: p.timeNs / 1000n,
          data: frame.subarray(0, Math.min(snap, frame.length)),
          origLen: frame.length,
        }),
      );
    }
  });
  write("snaplen-cut.pcapng", concatBytes(blocks));
}

/** 12a: three good records, then a record header claiming 0xFFFFFF00 captured bytes. */
function damagedImpossibleLength(): void {
  const spec: PcapHeaderSpec = { linkType: LINKTYPE_ETHERNET };
  const packets = standardExchange(26, false, T0).slice(0, 4);
  const good = classicPcap(
    spec,
    frames(packets.slice(0, 3), (p) => ethernet(p, ipDatagram(p))),
  );
  const last = packets[3];
  if (last === undefined) throw new Error("no fourth packet");
  const data = ethernet(last, ipDatagram(last));
  const bad = pcapRecords([{ timeNs: last.timeNs, data }], false)[0];
  if (bad === undefined) throw new Error("no record");
  const header = fields(true, [
    [4, bad.tsSec],
    [4, bad.tsFrac],
    [4, 0xffffff00],
    [4, data.length],
  ]);
  write("damaged-impossible-length.pcap", concatBytes([good, header, data]));
}

/** 12b: good blocks, then an EPB whose trailing Block Total Length differs from its leading one. */
function damagedBlockMismatch(): void {
  const le = true;
  const packets = standardExchange(27, false, T0);
  const blocks: Uint8Array[] = [shb(le), idb(le, { linkType: LINKTYPE_ETHERNET })];
  packets
    .slice(0, 3)
    .forEach((p) =>
      blocks.push(
        epb(le, { interfaceId: 0, ticks: p.timeNs / 1000n, data: ethernet(p, ipDatagram(p)) }),
      ),
    );
  const p = packets[3];
  if (p === undefined) throw new Error("no fourth packet");
  const bad = epb(le, {
    interfaceId: 0,
    ticks: p.timeNs / 1000n,
    data: ethernet(p, ipDatagram(p)),
  });
  const view = new DataView(bad.buffer, bad.byteOffset, bad.byteLength);
  view.setUint32(bad.length - 4, bad.length + 8, le);
  blocks.push(bad);
  packets
    .slice(4)
    .forEach((q) =>
      blocks.push(
        epb(le, { interfaceId: 0, ticks: q.timeNs / 1000n, data: ethernet(q, ipDatagram(q)) }),
      ),
    );
  write("damaged-block-mismatch.pcapng", concatBytes(blocks));
}

/** 12c: an HTML page saved under a capture's name. */
function notACapture(): void {
  const html =
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Download capture</title>\n</head>\n' +
    "<body>\n<h1>404 Not Found</h1>\n<p>The capture you asked for is not here. " +
    "This page was saved instead of the file.</p>\n</body>\n</html>\n";
  write("not-a-capture.txt.pcap", ascii(html));
}

function main(): void {
  mkdirSync(OUT_DIR, { recursive: true });
  bigEndianUsec();
  bigEndianNsec();
  vlan8021q();
  qinq8021ad();
  ipv6ExtHeaders();
  ipFragments();
  ipv4OptionsPadding();
  nullLoopRaw();
  pcapngBigEndianMultiSection();
  tcpOptions();
  snaplenCut();
  damagedImpossibleLength();
  damagedBlockMismatch();
  notACapture();
  let total = 0;
  for (const w of written) {
    console.log(`${String(w.size).padStart(7)}  samples/crafted/${w.name}`);
    total += w.size;
  }
  console.log(`${String(total).padStart(7)}  total`);
}

main();
