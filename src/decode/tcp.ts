/**
 * TCP header and options (RFC 9293 3.1). What the flow tracker needs most (ports, sequence and
 * acknowledgement numbers, flags) sits in the first 14 bytes, so a segment cut by the snapshot
 * length after that is still decoded, with `truncated` set.
 */
import { u16, u8, viewOf } from "./bytes.js";
import { MAX_SACK_BLOCKS, type DecodedPacket } from "./packet.js";

const TCP_MIN_HEADER_LEN = 20;
const TCP_SRC_PORT = 0;
const TCP_DST_PORT = 2;
const TCP_SEQ = 4;
const TCP_ACK = 8;
const TCP_DATA_OFFSET = 12; // data offset (high nibble), reserved (3 bits), AE (low bit)
const TCP_FLAGS = 13; // CWR ECE URG ACK PSH RST SYN FIN
const TCP_WINDOW = 14;
const TCP_URGENT = 18;
/** Bytes through the flags: enough for the flow tracker. */
const TCP_FLAGS_END = TCP_FLAGS + 1;
const TCP_WINDOW_END = TCP_WINDOW + 2;
const TCP_MIN_DATA_OFFSET = 5;
/** AE (RFC 3540 NS, accurate ECN) is the low bit of byte 12; it becomes flag bit 8. */
const TCP_AE_BIT = 0x01;

/** Option kinds (IANA "TCP Option Kind Numbers") and their only valid lengths. */
const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_MSS_LEN = 4;
const OPT_WINDOW_SCALE = 3; // RFC 7323 2.2
const OPT_WINDOW_SCALE_LEN = 3;
const OPT_SACK_PERMITTED = 4; // RFC 2018
const OPT_SACK_PERMITTED_LEN = 2;
const OPT_SACK = 5; // RFC 2018: 2 + 8 bytes per block
const OPT_SACK_BLOCK_LEN = 8;
const OPT_TIMESTAMPS = 8; // RFC 7323 3.2
const OPT_TIMESTAMPS_LEN = 10;
const OPT_HEADER_LEN = 2; // kind, length

/**
 * `[off, end)` is the captured part of the segment, already trimmed to `segmentLen`, the
 * segment length the IP header declares.
 */
export function decodeTcp(
  out: DecodedPacket,
  buf: Uint8Array,
  off: number,
  end: number,
  segmentLen: number,
): void {
  if (segmentLen < TCP_MIN_HEADER_LEN) {
    // Even the smallest data offset (5) runs past what IP says the segment holds.
    out.status = "malformed";
    out.problem = "tcp-bad-data-offset";
    return;
  }
  const captured = end - off;
  if (captured < TCP_FLAGS_END) {
    out.status = "truncated";
    out.problem = "tcp-truncated";
    return;
  }

  out.srcPort = u16(buf, off + TCP_SRC_PORT);
  out.dstPort = u16(buf, off + TCP_DST_PORT);
  out.seq = viewOf(buf).getUint32(off + TCP_SEQ);
  out.ack = viewOf(buf).getUint32(off + TCP_ACK);
  const offsetByte = u8(buf, off + TCP_DATA_OFFSET);
  out.flags = ((offsetByte & TCP_AE_BIT) << 8) | u8(buf, off + TCP_FLAGS);
  const dataOffset = offsetByte >> 4;
  const headerLen = dataOffset * 4;
  out.tcpHeaderLen = headerLen;
  if (dataOffset < TCP_MIN_DATA_OFFSET || headerLen > segmentLen) {
    out.status = "malformed";
    out.problem = "tcp-bad-data-offset";
    return;
  }

  out.status = "tcp";
  if (captured >= TCP_WINDOW_END) out.window = u16(buf, off + TCP_WINDOW);
  if (captured >= TCP_MIN_HEADER_LEN) {
    out.urgentPointer = u16(buf, off + TCP_URGENT);
    const headerEnd = off + headerLen;
    decodeTcpOptions(out, buf, off + TCP_MIN_HEADER_LEN, headerEnd < end ? headerEnd : end);
  }
  out.payloadLen = segmentLen - headerLen;
  out.payloadOffset = off + headerLen;
  out.capturedPayloadLen = captured > headerLen ? captured - headerLen : 0;
  out.truncated = captured < segmentLen;
}

/**
 * Options in `[off, end)`. An option whose length is impossible, or that the capture cuts,
 * ends the parse: the options before it stay, nothing after it is trusted (RFC 9293 3.1 lets
 * a receiver treat a bad option length as a malformed segment; an observer keeps what it can).
 */
function decodeTcpOptions(out: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  let at = off;
  while (at < end) {
    const kind = u8(buf, at);
    if (kind === OPT_EOL) return;
    if (kind === OPT_NOP) {
      at++;
      continue;
    }
    if (end - at < OPT_HEADER_LEN) return;
    const len = u8(buf, at + 1);
    if (len < OPT_HEADER_LEN || len > end - at) return;
    switch (kind) {
      case OPT_MSS:
        if (len !== OPT_MSS_LEN) return;
        out.mss = u16(buf, at + 2);
        break;
      case OPT_WINDOW_SCALE:
        if (len !== OPT_WINDOW_SCALE_LEN) return;
        // Kept as sent; RFC 7323 2.3 says a receiver treats a shift above 14 as 14, which is
        // the flow tracker's decision to make (and to flag).
        out.windowScale = u8(buf, at + 2);
        break;
      case OPT_SACK_PERMITTED:
        if (len !== OPT_SACK_PERMITTED_LEN) return;
        out.sackPermitted = true;
        break;
      case OPT_SACK: {
        const blockBytes = len - OPT_HEADER_LEN;
        if (blockBytes === 0 || blockBytes % OPT_SACK_BLOCK_LEN !== 0) return;
        const count = blockBytes / OPT_SACK_BLOCK_LEN;
        const kept = count < MAX_SACK_BLOCKS ? count : MAX_SACK_BLOCKS;
        const blocks = out.sackBlocks;
        for (let i = 0; i < kept; i++) {
          const edge = at + OPT_HEADER_LEN + i * OPT_SACK_BLOCK_LEN;
          blocks[2 * i] = viewOf(buf).getUint32(edge);
          blocks[2 * i + 1] = viewOf(buf).getUint32(edge + 4);
        }
        out.sackBlockCount = kept;
        break;
      }
      case OPT_TIMESTAMPS:
        if (len !== OPT_TIMESTAMPS_LEN) return;
        out.hasTimestamps = true;
        out.tsVal = viewOf(buf).getUint32(at + 2);
        out.tsEcr = viewOf(buf).getUint32(at + 6);
        break;
      default:
        // Unknown or uninteresting kinds (MPTCP, TCP-AO, fast open...) are skipped by length.
        break;
    }
    at += len;
  }
}
