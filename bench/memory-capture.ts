/**
 * Writes the captures that check teardown's memory bounds (issue 8, point 3): one TCP connection
 * carrying millions of packets, or millions of one-packet flows. Each packet is built in place in
 * one reused buffer and the buffer is flushed to the file when full, so writing 4 M packets holds
 * no more than that buffer and the handful of message heads of the exchange being written.
 *
 * Shapes:
 * - `http`: one keep-alive HTTP/1.1 connection. After the handshake, exchange after exchange:
 *   mostly a GET answered with a short Content-Length body, some pipelined (three requests in
 *   one segment, their responses back to back across segment boundaries), some chunked, some
 *   POSTs with a large body, and now and then a bulk download of a few MB (long stretches of
 *   full-size data segments, which the HTTP parser skips by arithmetic). A few segments are
 *   sent twice (retransmissions), and some bulk downloads stall on a zero window: the client
 *   advertises window 0, the server sends zero-window probes (RFC 9293 3.8.6.1: Linux probes
 *   with sequence number SND.UNA - 1 and no data) answered by zero-window ACKs, then the
 *   client opens the window again. The client closes with FIN/FIN at the end.
 * - `tls`: one TLS 1.3 connection: a ClientHello (SNI, ALPN, supported_versions), the
 *   ServerHello and ChangeCipherSpec, then application-data records both ways (records of up to
 *   16 KiB, split across segments), with the same retransmissions, bulk stretches and zero-window
 *   stalls.
 * - `syn`: `flows` unanswered SYNs, each from its own 4-tuple (50,000 client addresses, then
 *   ports), to 16 server endpoints (8 addresses on port 80, 8 on 443), one every `gapUs`
 *   microseconds. With a gap of 1 every flow is alive at once at the end; with 90,000 (and
 *   teardown's 900 s idle timeout) about 10,000 are.
 *
 * The packets are IPv4 over Ethernet in a classic little-endian microsecond pcap. IPv4 header
 * checksums are computed; TCP checksums are zero (teardown does not check them). Sequence
 * numbers start close to 2^32 so both directions wrap early. Deterministic: one seeded PRNG.
 *
 *   node dist/bench/memory-capture.js --out /tmp/one.pcap --shape http --packets 3M
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { pcapFileHeader } from "../samples/tools/capture-writer.js";
import { parseCount } from "./synth-capture.js";

export type MemoryShape = "http" | "tls" | "syn";

export interface MemoryCaptureOptions {
  readonly path: string;
  readonly shape: MemoryShape;
  /** `http`, `tls`: packets in the one connection (exceeded by at most one exchange). */
  readonly packets?: number;
  /** `syn`: how many one-packet flows. */
  readonly flows?: number;
  /** `syn`: microseconds between SYNs (default 1). */
  readonly gapUs?: number;
  /** `http`, `tls`: the sender's maximum segment size (default 1460). */
  readonly mss?: number;
  readonly seed?: number;
}

export interface MemoryCaptureStats {
  readonly packets: number;
  readonly bytes: number;
  /** Connections in the file (1 for `http` and `tls`). */
  readonly flows: number;
  /** `http`: requests and responses written; `tls`: request and response rounds. */
  readonly requests: number;
  readonly responses: number;
  readonly retransmissions: number;
  readonly zeroWindowProbes: number;
}

const LINKTYPE_ETHERNET = 1;
const PCAP_RECORD_HEADER_LEN = 16;
const ETH_HEADER_LEN = 14;
const ETH_MIN_FRAME = 60;
const ETHERTYPE_IPV4 = 0x0800;
const IPV4_HEADER_LEN = 20;
const IPV4_DF = 0x4000;
const IPPROTO_TCP = 6;
const TCP_HEADER_LEN = 20;
const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;
const OUT_BUFFER_BYTES = 1 << 20;
const EPOCH_SEC = 1_700_000_000;
/** Window field of a receiver with room (scaled by 2^7: 256 KiB). */
const OPEN_WINDOW = 2048;
const WINDOW_SCALE = 7;
const CLIENT_MAC = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];
const SERVER_MAC = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x02];
const FILLER = Buffer.from(
  Array.from({ length: 64 * 1024 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 24) & 0xff),
);
const TLS_RECORD_MAX = 16384 + 256;

/** mulberry32: the same small seeded PRNG as synth-capture.ts. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One TCP segment to write. */
interface Segment {
  srcIp: number;
  dstIp: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  fromClient: boolean;
  options: Uint8Array | null;
}

/** A pcap file written record by record through one buffer. */
class PcapStream {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(OUT_BUFFER_BYTES);
  private pos = 0;
  packets = 0;
  bytes = 0;
  private ipId = 1;

  constructor(path: string) {
    this.fd = openSync(path, "w");
    const header = pcapFileHeader({ linkType: LINKTYPE_ETHERNET, snapLen: 262_144 });
    writeSync(this.fd, header);
    this.bytes = header.length;
  }

  /** Writes `s` at `us` microseconds after EPOCH_SEC, with payload `payload[0, len)`. */
  tcp(us: number, s: Segment, payload: Buffer, len: number): void {
    const optLen = s.options === null ? 0 : s.options.length;
    const ipLen = IPV4_HEADER_LEN + TCP_HEADER_LEN + optLen + len;
    const frameLen = Math.max(ETH_MIN_FRAME, ETH_HEADER_LEN + ipLen);
    if (this.pos + PCAP_RECORD_HEADER_LEN + frameLen > this.buf.length) this.flush();
    const b = this.buf;
    let p = this.pos;
    const sec = Math.floor(us / 1e6);
    b.writeUInt32LE(EPOCH_SEC + sec, p);
    b.writeUInt32LE(us - sec * 1e6, p + 4);
    b.writeUInt32LE(frameLen, p + 8);
    b.writeUInt32LE(frameLen, p + 12);
    p += PCAP_RECORD_HEADER_LEN;
    const frame = p;
    const [dst, src] = s.fromClient ? [SERVER_MAC, CLIENT_MAC] : [CLIENT_MAC, SERVER_MAC];
    for (let i = 0; i < 6; i++) {
      b[p + i] = dst[i]!;
      b[p + 6 + i] = src[i]!;
    }
    b.writeUInt16BE(ETHERTYPE_IPV4, p + 12);
    p += ETH_HEADER_LEN;
    const ip = p;
    b[p] = 0x45;
    b[p + 1] = 0;
    b.writeUInt16BE(ipLen, p + 2);
    b.writeUInt16BE(this.ipId, p + 4);
    this.ipId = (this.ipId + 1) & 0xffff;
    b.writeUInt16BE(IPV4_DF, p + 6);
    b[p + 8] = 64;
    b[p + 9] = IPPROTO_TCP;
    b.writeUInt16BE(0, p + 10);
    b.writeUInt32BE(s.srcIp >>> 0, p + 12);
    b.writeUInt32BE(s.dstIp >>> 0, p + 16);
    let sum = 0;
    for (let i = 0; i < IPV4_HEADER_LEN; i += 2) sum += b.readUInt16BE(ip + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    b.writeUInt16BE(~sum & 0xffff, ip + 10);
    p += IPV4_HEADER_LEN;
    b.writeUInt16BE(s.srcPort, p);
    b.writeUInt16BE(s.dstPort, p + 2);
    b.writeUInt32BE(s.seq >>> 0, p + 4);
    b.writeUInt32BE(s.ack >>> 0, p + 8);
    b[p + 12] = ((TCP_HEADER_LEN + optLen) / 4) << 4;
    b[p + 13] = s.flags;
    b.writeUInt16BE(s.window, p + 14);
    b.writeUInt32BE(0, p + 16); // checksum (left zero) and urgent pointer
    p += TCP_HEADER_LEN;
    if (s.options !== null) {
      b.set(s.options, p);
      p += optLen;
    }
    payload.copy(b, p, 0, len);
    p += len;
    // Ethernet pads short frames to 60 bytes (the padding is not TCP data: IPv4 says so).
    b.fill(0, p, frame + frameLen);
    this.pos = frame + frameLen;
    this.packets++;
    this.bytes += PCAP_RECORD_HEADER_LEN + frameLen;
  }

  flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** A part of a byte stream: bytes given, or `len` bytes of filler (a body, ciphertext). */
type Piece = Buffer | number;

/** SYN options as Linux sends them, without timestamps: MSS, NOP, NOP, SACK permitted, NOP, WS. */
function synOptions(mss: number): Uint8Array {
  return Uint8Array.of(2, 4, mss >> 8, mss & 0xff, 1, 1, 4, 2, 1, 3, 3, WINDOW_SCALE);
}

/** The one long connection: both sides' next sequence numbers, the clock, the counters. */
class LongFlow {
  private readonly out: PcapStream;
  readonly random: () => number;
  readonly mss: number;
  private readonly scratch: Buffer;
  private readonly empty = Buffer.alloc(0);
  /** Next sequence number each side sends (every ACK acknowledges all the other side sent). */
  private clientNxt = 0xfffe0000;
  private serverNxt = 0xffff8000;
  us = 0;
  requests = 0;
  responses = 0;
  retransmissions = 0;
  zeroWindowProbes = 0;
  private readonly seg: Segment;

  constructor(
    out: PcapStream,
    seed: number,
    mss: number,
    private readonly serverPort: number,
  ) {
    this.out = out;
    this.random = rng(seed);
    this.mss = mss;
    this.scratch = Buffer.alloc(mss);
    this.seg = {
      srcIp: 0,
      dstIp: 0,
      srcPort: 0,
      dstPort: 0,
      seq: 0,
      ack: 0,
      flags: 0,
      window: OPEN_WINDOW,
      fromClient: true,
      options: null,
    };
  }

  get packets(): number {
    return this.out.packets;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** Writes one segment from a side at the current time, `len` bytes of `scratch` as payload. */
  private emit(
    fromClient: boolean,
    flags: number,
    seq: number,
    len: number,
    window = OPEN_WINDOW,
    options: Uint8Array | null = null,
  ): void {
    const s = this.seg;
    s.fromClient = fromClient;
    s.srcIp = fromClient ? 0x0a000001 : 0x0a000002;
    s.dstIp = fromClient ? 0x0a000002 : 0x0a000001;
    s.srcPort = fromClient ? 40000 : this.serverPort;
    s.dstPort = fromClient ? this.serverPort : 40000;
    s.seq = seq;
    // A SYN carries no acknowledgement; everything else acknowledges all the peer sent.
    s.ack = (flags & SYN) !== 0 && fromClient ? 0 : fromClient ? this.serverNxt : this.clientNxt;
    s.flags = flags;
    s.window = window;
    s.options = options;
    this.out.tcp(this.us, s, len === 0 ? this.empty : this.scratch, len);
  }

  handshake(): void {
    this.clientNxt = (this.clientNxt + 1) >>> 0;
    this.emit(true, SYN, (this.clientNxt - 1) >>> 0, 0, 64240, synOptions(this.mss));
    this.us += 150;
    this.serverNxt = (this.serverNxt + 1) >>> 0;
    this.emit(false, SYN | ACK, (this.serverNxt - 1) >>> 0, 0, 65160, synOptions(this.mss));
    this.us += 150;
    this.emit(true, ACK, this.clientNxt, 0);
    this.us += 200;
  }

  /** A bare ACK from a side. */
  private ack(fromClient: boolean, window = OPEN_WINDOW): void {
    this.emit(fromClient, ACK, fromClient ? this.clientNxt : this.serverNxt, 0, window);
  }

  /**
   * Sends `pieces` as one stream from a side in segments of up to MSS bytes, the receiver
   * acknowledging every second segment and the last. `stall` at a segment index: the receiver
   * advertises a zero window there and the sender probes it before it opens again.
   */
  send(fromClient: boolean, pieces: readonly Piece[], stall = -1): void {
    let total = 0;
    for (const p of pieces) total += typeof p === "number" ? p : p.length;
    let piece = 0;
    let pieceOff = 0;
    let segments = 0;
    while (total > 0) {
      const len = Math.min(this.mss, total);
      // Gather the segment's bytes from the pieces it spans.
      let filled = 0;
      while (filled < len) {
        const p = pieces[piece]!;
        const plen = typeof p === "number" ? p : p.length;
        const n = Math.min(plen - pieceOff, len - filled);
        if (typeof p === "number") {
          let k = 0;
          while (k < n) {
            const from = (pieceOff + k) % FILLER.length;
            const m = Math.min(n - k, FILLER.length - from);
            FILLER.copy(this.scratch, filled + k, from, from + m);
            k += m;
          }
        } else {
          p.copy(this.scratch, filled, pieceOff, pieceOff + n);
        }
        filled += n;
        pieceOff += n;
        if (pieceOff === plen) {
          piece++;
          pieceOff = 0;
        }
      }
      total -= len;
      const seq = fromClient ? this.clientNxt : this.serverNxt;
      const flags = total === 0 ? ACK | PSH : ACK;
      this.emit(fromClient, flags, seq, len);
      this.us += 12;
      if (this.chance(1 / 400)) {
        // The same bytes again: a retransmission (the first copy was lost past the capture point).
        this.us += 200;
        this.emit(fromClient, flags, seq, len);
        this.retransmissions++;
      }
      if (fromClient) this.clientNxt = (this.clientNxt + len) >>> 0;
      else this.serverNxt = (this.serverNxt + len) >>> 0;
      segments++;
      if (segments === stall) {
        this.zeroWindowStall(!fromClient);
      } else if (segments % 2 === 0 || total === 0) {
        this.us += 30;
        this.ack(!fromClient);
      }
    }
  }

  /**
   * The receiver's buffer is full: it acknowledges everything with window 0, the sender probes
   * (sequence SND.UNA - 1, no data; each answered by a zero-window ACK, backing off), then the
   * receiver's window update.
   */
  private zeroWindowStall(receiverIsClient: boolean): void {
    this.us += 30;
    this.ack(receiverIsClient, 0);
    const probes = this.int(2, 5);
    let backoff = 200_000;
    for (let i = 0; i < probes; i++) {
      this.us += backoff;
      backoff *= 2;
      const senderNxt = receiverIsClient ? this.serverNxt : this.clientNxt;
      this.emit(!receiverIsClient, ACK, (senderNxt - 1) >>> 0, 0);
      this.zeroWindowProbes++;
      this.us += 100;
      this.ack(receiverIsClient, 0);
    }
    this.us += 50_000;
    this.ack(receiverIsClient);
  }

  /** FIN from the client, FIN from the server, the last ACK. */
  close(): void {
    this.us += 5_000;
    this.emit(true, FIN | ACK, this.clientNxt, 0);
    this.clientNxt = (this.clientNxt + 1) >>> 0;
    this.us += 100;
    this.emit(false, FIN | ACK, this.serverNxt, 0);
    this.serverNxt = (this.serverNxt + 1) >>> 0;
    this.us += 100;
    this.ack(true);
  }
}

const latin1 = (s: string): Buffer => Buffer.from(s, "latin1");

/** One round of the HTTP connection: an exchange (or several) and the time before the next. */
function httpRound(f: LongFlow): void {
  const roll = f.random();
  const n = f.requests;
  const request = (path: string, extra = ""): Buffer =>
    latin1(
      `GET ${path}?n=${n} HTTP/1.1\r\nHost: svc.example.com\r\nUser-Agent: memory-capture/1\r\n` +
        `Accept: */*${extra}\r\n\r\n`,
    );
  const response = (len: number, status = 200): Buffer =>
    latin1(
      `HTTP/1.1 ${status} ${status === 200 ? "OK" : "Not Found"}\r\nServer: memory-capture\r\n` +
        `Content-Type: application/octet-stream\r\nContent-Length: ${len}\r\n\r\n`,
    );
  if (roll < 0.7) {
    // Sequential GET, short body.
    const len = f.int(0, 12_000);
    f.send(true, [request("/api/items")]);
    f.requests++;
    f.us += f.int(200, 3_000);
    f.send(false, [response(len, f.chance(0.05) ? 404 : 200), len]);
    f.responses++;
  } else if (roll < 0.82) {
    // Three pipelined requests in one segment, the responses back to back.
    f.send(true, [request("/a"), request("/b"), request("/c")]);
    f.requests += 3;
    f.us += f.int(200, 3_000);
    const pieces: Piece[] = [];
    for (let i = 0; i < 3; i++) {
      const len = f.int(0, 6_000);
      pieces.push(response(len), len);
    }
    f.send(false, pieces);
    f.responses += 3;
  } else if (roll < 0.92) {
    // A chunked response of a few chunks.
    f.send(true, [request("/stream")]);
    f.requests++;
    f.us += f.int(200, 3_000);
    const pieces: Piece[] = [
      latin1("HTTP/1.1 200 OK\r\nServer: memory-capture\r\nTransfer-Encoding: chunked\r\n\r\n"),
    ];
    for (let i = f.int(1, 6); i > 0; i--) {
      const len = f.int(1, 9_000);
      pieces.push(latin1(`${len.toString(16)}\r\n`), len, latin1("\r\n"));
    }
    pieces.push(latin1("0\r\n\r\n"));
    f.send(false, pieces);
    f.responses++;
  } else if (roll < 0.97) {
    // A POST with a body of up to 256 KiB.
    const len = f.int(1_000, 256 * 1024);
    f.send(true, [
      latin1(
        `POST /upload?n=${n} HTTP/1.1\r\nHost: svc.example.com\r\n` +
          `Content-Type: application/octet-stream\r\nContent-Length: ${len}\r\n\r\n`,
      ),
      len,
    ]);
    f.requests++;
    f.us += f.int(200, 3_000);
    f.send(false, [response(2), 2]);
    f.responses++;
  } else {
    // A bulk download: a long stretch of full-size segments, sometimes stalling on a zero window.
    const len = f.int(512 * 1024, 4 * 1024 * 1024);
    f.send(true, [request("/bulk")]);
    f.requests++;
    f.us += f.int(200, 3_000);
    const segments = Math.ceil(len / f.mss);
    f.send(false, [response(len), len], f.chance(0.3) ? f.int(10, segments - 1) : -1);
    f.responses++;
  }
  f.us += f.int(100, 20_000);
}

/** A ClientHello (TLS 1.3 by supported_versions) for `sni`, offering h2 and http/1.1. */
function clientHello(sni: string): Buffer {
  const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
  const ext = (type: number, body: number[]): number[] => [
    ...u16(type),
    ...u16(body.length),
    ...body,
  ];
  const name = [...latin1(sni)];
  const alpn = [2, ...latin1("h2"), 8, ...latin1("http/1.1")];
  const extensions = [
    ...ext(0, [...u16(name.length + 3), 0, ...u16(name.length), ...name]),
    ...ext(16, [...u16(alpn.length), ...alpn]),
    ...ext(43, [2, 0x03, 0x04]),
    ...ext(51, [...u16(36), ...u16(0x001d), ...u16(32), ...new Array<number>(32).fill(7)]),
  ];
  const body = [
    0x03,
    0x03,
    ...new Array<number>(32).fill(0x5a),
    0,
    ...u16(4),
    ...u16(0x1301),
    ...u16(0x1302),
    1,
    0,
    ...u16(extensions.length),
    ...extensions,
  ];
  const hs = [1, 0, ...u16(body.length), ...body];
  return Buffer.from([0x16, 0x03, 0x01, ...u16(hs.length), ...hs]);
}

/** A TLS 1.3 ServerHello record and ChangeCipherSpec. */
function serverHello(): Buffer {
  const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
  const extensions = [
    ...[0, 43, 0, 2, 0x03, 0x04],
    ...[0, 51, ...u16(36), ...u16(0x001d), ...u16(32), ...new Array<number>(32).fill(9)],
  ];
  const body = [
    0x03,
    0x03,
    ...new Array<number>(32).fill(0xa5),
    0,
    ...u16(0x1301),
    0,
    ...u16(extensions.length),
    ...extensions,
  ];
  const hs = [2, 0, ...u16(body.length), ...body];
  return Buffer.from([0x16, 0x03, 0x03, ...u16(hs.length), ...hs, 0x14, 0x03, 0x03, 0, 1, 1]);
}

/** Application-data records totalling about `bytes`, each at most TLS_RECORD_MAX. */
function appData(bytes: number): Piece[] {
  const pieces: Piece[] = [];
  for (let left = Math.max(1, bytes); left > 0;) {
    const len = Math.min(left, TLS_RECORD_MAX);
    pieces.push(Buffer.from([23, 0x03, 0x03, len >> 8, len & 0xff]), len);
    left -= len;
  }
  return pieces;
}

/** One round of the TLS connection: a request's records, the response's, a pause. */
function tlsRound(f: LongFlow): void {
  const roll = f.random();
  const request = f.int(40, 1_200);
  f.send(true, appData(request));
  f.requests++;
  f.us += f.int(200, 3_000);
  if (roll < 0.95) {
    f.send(false, appData(f.int(30, 20_000)));
  } else {
    const len = f.int(512 * 1024, 4 * 1024 * 1024);
    f.send(false, appData(len), f.chance(0.3) ? f.int(10, Math.ceil(len / f.mss) - 1) : -1);
  }
  f.responses++;
  f.us += f.int(100, 20_000);
}

function writeLongFlow(out: PcapStream, o: MemoryCaptureOptions): MemoryCaptureStats {
  const target = o.packets ?? 1_000_000;
  const f = new LongFlow(out, o.seed ?? 1, o.mss ?? 1460, o.shape === "tls" ? 443 : 80);
  f.handshake();
  if (o.shape === "tls") {
    f.send(true, [clientHello("svc.example.com")]);
    f.us += 2_000;
    f.send(false, [serverHello(), ...appData(3_000)]);
    f.us += 500;
    f.send(true, appData(58));
  }
  // Three packets close the connection.
  while (f.packets < target - 3) {
    if (o.shape === "tls") tlsRound(f);
    else httpRound(f);
  }
  f.close();
  return {
    packets: out.packets,
    bytes: out.bytes,
    flows: 1,
    requests: f.requests,
    responses: f.responses,
    retransmissions: f.retransmissions,
    zeroWindowProbes: f.zeroWindowProbes,
  };
}

function writeSynFlows(out: PcapStream, o: MemoryCaptureOptions): MemoryCaptureStats {
  const flows = o.flows ?? 1_000_000;
  const gapUs = o.gapUs ?? 1;
  const random = rng(o.seed ?? 1);
  const empty = Buffer.alloc(0);
  const options = synOptions(1460);
  const seg: Segment = {
    srcIp: 0,
    dstIp: 0,
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    flags: SYN,
    window: 64240,
    fromClient: true,
    options,
  };
  const CLIENTS = 50_000;
  if (flows > CLIENTS * (65536 - 1024)) throw new Error(`at most ${CLIENTS * 64512} flows`);
  for (let i = 0; i < flows; i++) {
    // 10.64.0.0/10 for clients, 10.0.0.0/28 for servers: no tuple repeats.
    seg.srcIp = 0x0a400000 + (i % CLIENTS);
    seg.srcPort = 1024 + Math.floor(i / CLIENTS);
    seg.dstIp = 0x0a000000 + (i % 16);
    seg.dstPort = i % 2 === 0 ? 80 : 443;
    seg.seq = Math.floor(random() * 4294967296) >>> 0;
    out.tcp(i * gapUs, seg, empty, 0);
  }
  return {
    packets: out.packets,
    bytes: out.bytes,
    flows,
    requests: 0,
    responses: 0,
    retransmissions: 0,
    zeroWindowProbes: 0,
  };
}

export function writeMemoryCapture(o: MemoryCaptureOptions): MemoryCaptureStats {
  const out = new PcapStream(o.path);
  try {
    return o.shape === "syn" ? writeSynFlows(out, o) : writeLongFlow(out, o);
  } finally {
    out.close();
  }
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      shape: { type: "string", default: "http" },
      packets: { type: "string" },
      flows: { type: "string" },
      "gap-us": { type: "string" },
      mss: { type: "string" },
      seed: { type: "string", default: "1" },
    },
  });
  if (values.out === undefined) throw new Error("--out FILE is required");
  const shape = values.shape;
  if (shape !== "http" && shape !== "tls" && shape !== "syn")
    throw new Error(`--shape is http, tls or syn, not ${shape}`);
  const t0 = process.hrtime.bigint();
  const stats = writeMemoryCapture({
    path: values.out,
    shape,
    packets: values.packets === undefined ? undefined : parseCount(values.packets),
    flows: values.flows === undefined ? undefined : parseCount(values.flows),
    gapUs: values["gap-us"] === undefined ? undefined : Number(values["gap-us"]),
    mss: values.mss === undefined ? undefined : Number(values.mss),
    seed: Number(values.seed) >>> 0,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ ...stats, seconds })}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
