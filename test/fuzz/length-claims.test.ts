/**
 * Lengths claimed inside packets, through the whole pipeline (the fuzz target: reader, decoder,
 * flow tracker with HTTP and TLS sniffing, analysis, renderers): a header line of megabytes, a
 * Content-Length or chunk size of terabytes, a TLS handshake message of 16 MiB, an IPv6
 * jumbogram of 4 GiB. Each capture is compared with the same capture claiming little: what the
 * pipeline allocates must not grow with what a packet claims, only (a little) with the packets
 * it really holds, and every per-flow buffer stays bounded.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { concatBytes, pcapFileHeader, pcapRecord } from "../../samples/tools/capture-writer.js";
import { HTTP_LINE_MAX } from "../../src/flow/http-session.js";
import { installAllocationGuard } from "./alloc-guard.js";
import { runTarget, type TargetResult } from "./target.js";

installAllocationGuard();

const CLIENT = [10, 0, 0, 1];
const SERVER = [10, 0, 0, 2];
const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;

interface Segment {
  fromClient: boolean;
  flags: number;
  payload?: Uint8Array;
  /** IPv6 jumbogram claiming this payload length (the packet holds only what it holds). */
  jumbo?: number;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function put32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0);
}

/** A TCP connection's segments as Ethernet frames, sequence numbers kept in step. */
function connection(segments: readonly Segment[]): Uint8Array[] {
  const next = { client: 1000, server: 5000 };
  return segments.map((s) => {
    const payload = s.payload ?? new Uint8Array(0);
    const tcp = new Uint8Array(20 + payload.length);
    put16(tcp, 0, s.fromClient ? 40000 : 80);
    put16(tcp, 2, s.fromClient ? 80 : 40000);
    put32(tcp, 4, s.fromClient ? next.client : next.server);
    put32(tcp, 8, s.flags & ACK ? (s.fromClient ? next.server : next.client) : 0);
    tcp[12] = 5 << 4;
    tcp[13] = s.flags;
    put16(tcp, 14, 65535);
    tcp.set(payload, 20);
    const advance = payload.length + (s.flags & SYN ? 1 : 0);
    if (s.fromClient) next.client += advance;
    else next.server += advance;
    const [src, dst] = s.fromClient ? [CLIENT, SERVER] : [SERVER, CLIENT];
    if (s.jumbo !== undefined) return ipv6Jumbo(src, dst, tcp, s.jumbo);
    const ip = new Uint8Array(20);
    ip[0] = 0x45;
    put16(ip, 2, 20 + tcp.length);
    ip[8] = 64;
    ip[9] = 6;
    ip.set(src, 12);
    ip.set(dst, 16);
    return ethernet(0x0800, concatBytes([ip, tcp]));
  });
}

function ethernet(type: number, payload: Uint8Array): Uint8Array {
  const eth = new Uint8Array(14);
  put16(eth, 12, type);
  return concatBytes([eth, payload]);
}

/** IPv6 with payload length 0 and a hop-by-hop Jumbo Payload option claiming `claimed` (RFC 2675). */
function ipv6Jumbo(src: number[], dst: number[], tcp: Uint8Array, claimed: number): Uint8Array {
  const ip = new Uint8Array(40);
  ip[0] = 0x60;
  ip[6] = 0; // hop-by-hop
  ip[7] = 64;
  ip.set([0xfd, 0, ...new Array<number>(10).fill(0), ...src], 8);
  ip.set([0xfd, 0, ...new Array<number>(10).fill(0), ...dst], 24);
  const hbh = Uint8Array.of(6, 0, 0xc2, 4, 0, 0, 0, 0);
  put32(hbh, 4, claimed);
  return ethernet(0x86dd, concatBytes([ip, hbh, tcp]));
}

function pcap(frames: readonly Uint8Array[]): Uint8Array {
  const spec = { linkType: 1, snapLen: 262144 };
  return concatBytes([
    pcapFileHeader(spec),
    ...frames.map((data, i) => pcapRecord(spec, { tsSec: 1_700_000_000 + i, tsFrac: 0, data })),
  ]);
}

const text = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const HANDSHAKE: Segment[] = [
  { fromClient: true, flags: SYN },
  { fromClient: false, flags: SYN | ACK },
  { fromClient: true, flags: ACK },
];

/** `bytes` split into segments of at most 1400 bytes, all from one side. */
function split(fromClient: boolean, bytes: Uint8Array): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < bytes.length; i += 1400)
    out.push({ fromClient, flags: PSH_ACK, payload: bytes.subarray(i, i + 1400) });
  return out;
}

function run(segments: readonly Segment[]): TargetResult {
  return runTarget(pcap(connection(segments)));
}

/** A request whose one header line is `n` bytes long, in as many segments as it takes. */
function longHeaderLine(n: number): Segment[] {
  const line = new Uint8Array(n).fill(0x61);
  line.set(text("X-Long: "));
  const request = concatBytes([text("GET / HTTP/1.1\r\nHost: a\r\n"), line, text("\r\n\r\n")]);
  return [...HANDSHAKE, ...split(true, request)];
}

describe("lengths claimed inside packets, through the whole pipeline", () => {
  it("an HTTP header line of 2 MB is kept in one bounded buffer, not grown", () => {
    const short = run(longHeaderLine(2 * HTTP_LINE_MAX));
    const long = run(longHeaderLine(2_000_000));
    assert.equal(long.tcpPackets, HANDSHAKE.length + Math.ceil(2_000_029 / 1400));
    assert.equal(long.largestAllocation, short.largestAllocation);
  });

  it("Content-Length and chunk sizes of terabytes are counted, not allocated", () => {
    const response = (framing: string): Segment[] => [
      ...HANDSHAKE,
      { fromClient: true, flags: PSH_ACK, payload: text("GET / HTTP/1.1\r\nHost: a\r\n\r\n") },
      {
        fromClient: false,
        flags: PSH_ACK,
        payload: text(`HTTP/1.1 200 OK\r\n${framing}\r\n\r\nhello`),
      },
    ];
    const small = run(response("Content-Length: 5"));
    for (const framing of [
      "Content-Length: 99999999999999",
      "Content-Length: 99999999999999999999999999",
      "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff",
    ]) {
      const huge = run(response(framing));
      assert.equal(huge.largestAllocation, small.largestAllocation, framing);
    }
  });

  it("a TLS ClientHello claiming 16 MiB is refused before anything is sized by it", () => {
    const hello = (length: number, body: number): Segment[] => {
      const record = new Uint8Array(9 + body);
      record.set([0x16, 0x03, 0x01, 0x40, 0x00, 0x01]);
      record[6] = (length >>> 16) & 0xff;
      put16(record, 7, length & 0xffff);
      return [...HANDSHAKE, ...split(true, record)];
    };
    // 16 MiB is the most a 24-bit handshake length can say.
    const claimed = run(hello(0xffffff, 16000));
    const small = run(hello(100, 100));
    assert.equal(claimed.largestAllocation, small.largestAllocation);
  });

  it("an IPv6 jumbogram claiming 4 GiB of payload allocates what a small one does", () => {
    const segments = (claimed: number): Segment[] => [
      ...HANDSHAKE.map((s) => ({ ...s, jumbo: 28 })),
      {
        fromClient: true,
        flags: PSH_ACK,
        payload: text("GET / HTTP/1.1\r\n"),
        jumbo: claimed,
      },
    ];
    const small = run(segments(8 + 20 + 16));
    const huge = run(segments(0xffffffff));
    assert.equal(huge.tcpPackets, 4);
    assert.equal(huge.largestAllocation, small.largestAllocation);
  });
});
