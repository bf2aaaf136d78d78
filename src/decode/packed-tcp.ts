/**
 * Decoded TCP segments packed into two transferable arrays, so that one thread can read and
 * decode a capture while another tracks its flows (cli/decode-thread.ts): per segment, the
 * fields the flow layer reads, as doubles, and its captured payload, copied.
 *
 * Unpacking fills a DecodedPacket in place (no allocation): the packed fields are set, and
 * `bytes`/`payloadOffset` point into the payload array. The fields not packed (TTL, IP id,
 * urgent pointer, SACK blocks, TCP timestamps) keep the values of `newDecodedPacket()`: the
 * flow layer does not read them, and a test holds the tracked flows of both paths equal.
 */
import { copyBytes } from "./bytes.js";
import type { DecodedPacket } from "./packet.js";

/** The doubles of one packed segment, by field. */
const enum K {
  FRAME = 0,
  TS_SEC = 1,
  TS_NSEC = 2,
  IP_VERSION = 3,
  SRC0 = 4,
  SRC1 = 5,
  SRC2 = 6,
  SRC3 = 7,
  DST0 = 8,
  DST1 = 9,
  DST2 = 10,
  DST3 = 11,
  SRC_PORT = 12,
  DST_PORT = 13,
  SEQ = 14,
  ACK = 15,
  FLAGS = 16,
  WINDOW = 17,
  WINDOW_SCALE = 18,
  MSS = 19,
  PAYLOAD_LEN = 20,
  CAPTURED_PAYLOAD_LEN = 21,
  TCP_HEADER_LEN = 22,
  /** Bytes from the IP header's start to the TCP header's (IP header, options, extensions). */
  IP_HEADER_LEN = 23,
  IP_PAYLOAD_LEN = 24,
  /** Where the payload starts in the payload array. */
  PAYLOAD_AT = 25,
  STRIDE = 26,
}

/** One batch of packed segments: `count` of them, fields in `fields`, payloads in `payload`. */
export interface PackedTcp {
  readonly count: number;
  readonly fields: Float64Array;
  readonly payload: Uint8Array;
}

/** Packs decoded segments until the batch is full, then hands it out (`take`). */
export class PackedTcpWriter {
  private fields: Float64Array;
  private payload: Uint8Array;
  private n = 0;
  private used = 0;

  /**
   * `maxSegments` per batch; `payloadBytes`: the payload array's size (grown for one huge
   * segment).
   */
  constructor(
    private readonly maxSegments: number,
    private readonly payloadBytes: number,
  ) {
    this.fields = new Float64Array(maxSegments * K.STRIDE);
    this.payload = new Uint8Array(payloadBytes);
  }

  get count(): number {
    return this.n;
  }

  /** Whether a segment with `payloadLen` captured payload bytes would fit in this batch. */
  fits(capturedPayloadLen: number): boolean {
    return this.n < this.maxSegments && this.used + capturedPayloadLen <= this.payload.length;
  }

  /**
   * Packs one decoded TCP segment (check `fits` first; an empty batch takes any segment, its
   * payload array grown if need be).
   */
  add(frame: number, tsSec: number, tsNsec: number, p: DecodedPacket): void {
    const captured = Math.min(p.capturedPayloadLen, p.payloadLen);
    if (this.n === 0 && captured > this.payload.length) this.payload = new Uint8Array(captured);
    const r = this.fields;
    const x = this.n * K.STRIDE;
    r[x + K.FRAME] = frame;
    r[x + K.TS_SEC] = tsSec;
    r[x + K.TS_NSEC] = tsNsec;
    r[x + K.IP_VERSION] = p.ipVersion;
    r[x + K.SRC0] = p.src0;
    r[x + K.SRC1] = p.src1;
    r[x + K.SRC2] = p.src2;
    r[x + K.SRC3] = p.src3;
    r[x + K.DST0] = p.dst0;
    r[x + K.DST1] = p.dst1;
    r[x + K.DST2] = p.dst2;
    r[x + K.DST3] = p.dst3;
    r[x + K.SRC_PORT] = p.srcPort;
    r[x + K.DST_PORT] = p.dstPort;
    r[x + K.SEQ] = p.seq;
    r[x + K.ACK] = p.ack;
    r[x + K.FLAGS] = p.flags;
    r[x + K.WINDOW] = p.window;
    r[x + K.WINDOW_SCALE] = p.windowScale;
    r[x + K.MSS] = p.mss;
    r[x + K.PAYLOAD_LEN] = p.payloadLen;
    r[x + K.CAPTURED_PAYLOAD_LEN] = p.capturedPayloadLen;
    r[x + K.TCP_HEADER_LEN] = p.tcpHeaderLen;
    r[x + K.IP_HEADER_LEN] = p.payloadOffset - p.tcpHeaderLen - p.ipOffset;
    r[x + K.IP_PAYLOAD_LEN] = p.ipPayloadLen;
    r[x + K.PAYLOAD_AT] = this.used;
    if (captured > 0) {
      copyBytes(p.bytes, p.payloadOffset, p.payloadOffset + captured, this.payload, this.used);
      this.used += captured;
    }
    this.n++;
  }

  /**
   * The batch so far; the writer then packs into `next` (arrays of a batch given back), or into
   * new arrays.
   */
  take(next?: PackedTcp): PackedTcp {
    const batch: PackedTcp = { count: this.n, fields: this.fields, payload: this.payload };
    this.fields =
      next !== undefined && next.fields.length === this.maxSegments * K.STRIDE
        ? next.fields
        : new Float64Array(this.maxSegments * K.STRIDE);
    this.payload =
      next !== undefined && next.payload.length >= this.payloadBytes
        ? next.payload
        : new Uint8Array(this.payloadBytes);
    this.n = 0;
    this.used = 0;
    return batch;
  }
}

/** The frame number (in its file) of segment `i` of a batch. */
export function packedFrame(b: PackedTcp, i: number): number {
  return b.fields[i * K.STRIDE + K.FRAME]!;
}

export function packedTsSec(b: PackedTcp, i: number): number {
  return b.fields[i * K.STRIDE + K.TS_SEC]!;
}

export function packedTsNsec(b: PackedTcp, i: number): number {
  return b.fields[i * K.STRIDE + K.TS_NSEC]!;
}

/** Fills `out` with segment `i` of a batch (see the module comment for what is not packed). */
export function unpackTcp(out: DecodedPacket, b: PackedTcp, i: number): void {
  const r = b.fields;
  const x = i * K.STRIDE;
  out.status = "tcp";
  out.problem = "none";
  out.ipVersion = r[x + K.IP_VERSION] === 6 ? 6 : 4;
  out.src0 = r[x + K.SRC0]!;
  out.src1 = r[x + K.SRC1]!;
  out.src2 = r[x + K.SRC2]!;
  out.src3 = r[x + K.SRC3]!;
  out.dst0 = r[x + K.DST0]!;
  out.dst1 = r[x + K.DST1]!;
  out.dst2 = r[x + K.DST2]!;
  out.dst3 = r[x + K.DST3]!;
  out.srcPort = r[x + K.SRC_PORT]!;
  out.dstPort = r[x + K.DST_PORT]!;
  out.seq = r[x + K.SEQ]!;
  out.ack = r[x + K.ACK]!;
  out.flags = r[x + K.FLAGS]!;
  out.window = r[x + K.WINDOW]!;
  out.windowScale = r[x + K.WINDOW_SCALE]!;
  out.mss = r[x + K.MSS]!;
  out.payloadLen = r[x + K.PAYLOAD_LEN]!;
  out.capturedPayloadLen = r[x + K.CAPTURED_PAYLOAD_LEN]!;
  out.tcpHeaderLen = r[x + K.TCP_HEADER_LEN]!;
  out.ipPayloadLen = r[x + K.IP_PAYLOAD_LEN]!;
  out.bytes = b.payload;
  out.payloadOffset = r[x + K.PAYLOAD_AT]!;
  // The IP header "starts" where the flow layer's byte count expects it, before the payload.
  out.ipOffset = out.payloadOffset - out.tcpHeaderLen - r[x + K.IP_HEADER_LEN]!;
}
