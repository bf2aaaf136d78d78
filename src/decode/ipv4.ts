/**
 * IPv4 (RFC 791): record addresses, TTL and id, trim the payload to the total length, and hand
 * unfragmented or first-fragment payloads to the upper-layer dispatch.
 *
 * Limitations: non-first fragments are counted, not reassembled; options are skipped, not read.
 * (AH, protocol 51, is walked in ip-payload.ts.)
 */
import { u16, u8, viewOf } from "./bytes.js";
import { decodeIpPayload } from "./ip-payload.js";
import type { DecodedPacket } from "./packet.js";

const IPV4_MIN_HEADER_LEN = 20;
const IPV4_VERSION_IHL = 0; // version (high nibble), header length in 32-bit words (low nibble)
const IPV4_TOTAL_LENGTH = 2;
const IPV4_IDENTIFICATION = 4;
const IPV4_FLAGS_FRAGMENT = 6; // reserved, DF, MF, 13-bit fragment offset in 8-byte units
const IPV4_TTL = 8;
const IPV4_PROTOCOL = 9;
const IPV4_SRC = 12;
const IPV4_DST = 16;

const IPV4_MIN_IHL = 5;
const IPV4_FLAG_MF = 0x2000;
const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff;

export function decodeIpv4(out: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  const captured = end - off;
  if (captured < 1) {
    out.status = "truncated";
    out.problem = "ipv4-truncated";
    return;
  }
  const versionIhl = u8(buf, off + IPV4_VERSION_IHL);
  if (versionIhl >> 4 !== 4) {
    out.status = "malformed";
    out.problem = "ipv4-bad-version";
    return;
  }
  const ihl = versionIhl & 0x0f;
  if (ihl < IPV4_MIN_IHL) {
    out.status = "malformed";
    out.problem = "ipv4-bad-ihl";
    return;
  }
  if (captured < IPV4_MIN_HEADER_LEN) {
    out.status = "truncated";
    out.problem = "ipv4-truncated";
    return;
  }

  out.ipVersion = 4;
  out.ipOffset = off;
  out.src0 = viewOf(buf).getUint32(off + IPV4_SRC);
  out.dst0 = viewOf(buf).getUint32(off + IPV4_DST);
  out.ttl = u8(buf, off + IPV4_TTL);
  out.ipId = u16(buf, off + IPV4_IDENTIFICATION);

  const headerLen = ihl * 4;
  if (captured < headerLen) {
    out.status = "truncated";
    out.problem = "ipv4-truncated";
    return;
  }
  let totalLen = u16(buf, off + IPV4_TOTAL_LENGTH);
  if (totalLen === 0) {
    // Total length 0 is what Linux BIG TCP for IPv4 (kernel 6.3) writes for GSO packets over
    // 64 KB, and what hosts capturing before TCP segmentation offload show; like Wireshark
    // ("may be caused by TSO") and tcpdump, take the length from the capture.
    totalLen = captured;
  } else if (totalLen < headerLen) {
    out.status = "malformed";
    out.problem = "ipv4-bad-total-length";
    return;
  }
  // The total length, not the capture, says how much payload there is: Ethernet pads frames
  // to 60 bytes, and those pad bytes must never count as TCP data; a snaplen cut must not
  // shorten the segment either.
  out.ipPayloadLen = totalLen - headerLen;

  const fragment = u16(buf, off + IPV4_FLAGS_FRAGMENT);
  if ((fragment & IPV4_FRAGMENT_OFFSET_MASK) !== 0) {
    out.status = "fragment";
    return;
  }
  out.firstFragment = (fragment & IPV4_FLAG_MF) !== 0;

  const datagramEnd = off + totalLen;
  decodeIpPayload(
    out,
    buf,
    off + headerLen,
    datagramEnd < end ? datagramEnd : end,
    u8(buf, off + IPV4_PROTOCOL),
    out.ipPayloadLen,
  );
}
