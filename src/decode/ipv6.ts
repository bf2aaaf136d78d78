/**
 * IPv6 (RFC 8200): record addresses and hop limit, walk the extension header chain to the
 * upper-layer header, and take the payload length from the header or, for Linux BIG TCP and
 * other jumbograms, from the hop-by-hop Jumbo Payload option (RFC 2675).
 *
 * Limitations: non-first fragments are counted, not reassembled; ESP hides everything after it;
 * experimental extension headers (253, 254) and unknown next headers end the walk as "other".
 */
import { u16, u8, viewOf } from "./bytes.js";
import { decodeIpPayload } from "./ip-payload.js";
import type { DecodedPacket } from "./packet.js";

const IPV6_HEADER_LEN = 40;
const IPV6_VERSION = 0; // high nibble of byte 0
const IPV6_PAYLOAD_LENGTH = 4;
const IPV6_NEXT_HEADER = 6;
const IPV6_HOP_LIMIT = 7;
const IPV6_SRC = 8;
const IPV6_DST = 24;

/** Extension headers (IANA "IPv6 Extension Header Types"). */
const EXT_HOP_BY_HOP = 0;
const EXT_ROUTING = 43;
const EXT_FRAGMENT = 44;
const EXT_AH = 51;
const EXT_DEST_OPTIONS = 60;
const EXT_MOBILITY = 135; // RFC 6275
const EXT_HIP = 139; // RFC 7401
const EXT_SHIM6 = 140; // RFC 5533

/** Every extension header starts with next header (1 byte) and a length byte. */
const EXT_NEXT_HEADER = 0;
const EXT_LENGTH = 1;
const EXT_MIN_LEN = 2;
/** RFC 8200 4.3: length in 8-octet units, not counting the first 8 octets. */
const EXT_LENGTH_UNIT = 8;
/** RFC 4302 2.2: AH length in 4-octet units, minus 2. */
const AH_LENGTH_UNIT = 4;
const AH_LENGTH_BIAS = 2;

/** RFC 8200 4.5: next header, reserved, offset (13 bits) | res (2) | M (1), identification. */
const FRAGMENT_HEADER_LEN = 8;
const FRAGMENT_OFFSET_FLAGS = 2;
const FRAGMENT_OFFSET_MASK = 0xfff8;
const FRAGMENT_MORE = 0x0001;

/** RFC 8200 4.2 option TLVs; RFC 2675 Jumbo Payload option. */
const OPT_PAD1 = 0;
const OPT_JUMBO = 0xc2;
const OPT_JUMBO_LEN = 4;

export function decodeIpv6(out: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  const captured = end - off;
  if (captured < 1) {
    out.status = "truncated";
    out.problem = "ipv6-truncated";
    return;
  }
  if (u8(buf, off + IPV6_VERSION) >> 4 !== 6) {
    out.status = "malformed";
    out.problem = "ipv6-bad-version";
    return;
  }
  if (captured < IPV6_HEADER_LEN) {
    out.status = "truncated";
    out.problem = "ipv6-truncated";
    return;
  }

  out.ipVersion = 6;
  out.ipOffset = off;
  out.src0 = viewOf(buf).getUint32(off + IPV6_SRC);
  out.src1 = viewOf(buf).getUint32(off + IPV6_SRC + 4);
  out.src2 = viewOf(buf).getUint32(off + IPV6_SRC + 8);
  out.src3 = viewOf(buf).getUint32(off + IPV6_SRC + 12);
  out.dst0 = viewOf(buf).getUint32(off + IPV6_DST);
  out.dst1 = viewOf(buf).getUint32(off + IPV6_DST + 4);
  out.dst2 = viewOf(buf).getUint32(off + IPV6_DST + 8);
  out.dst3 = viewOf(buf).getUint32(off + IPV6_DST + 12);
  out.ttl = u8(buf, off + IPV6_HOP_LIMIT);

  const headerEnd = off + IPV6_HEADER_LEN;
  const payloadLength = u16(buf, off + IPV6_PAYLOAD_LENGTH);
  // Where the datagram ends by its own account; unknown (Infinity) while the payload length
  // is 0 and no Jumbo Payload option has been seen.
  let declaredEnd = payloadLength !== 0 ? headerEnd + payloadLength : Infinity;
  let nonFirstFragment = false;
  let next = u8(buf, off + IPV6_NEXT_HEADER);
  let at = headerEnd;

  // Each extension header is at least 8 bytes, so the walk ends within the captured bytes.
  walk: for (;;) {
    let extLen: number;
    const limit = declaredEnd < end ? declaredEnd : end;
    switch (next) {
      case EXT_HOP_BY_HOP:
      case EXT_ROUTING:
      case EXT_DEST_OPTIONS:
      case EXT_MOBILITY:
      case EXT_HIP:
      case EXT_SHIM6:
        if (limit - at < EXT_MIN_LEN) return extensionOverrun(out, declaredEnd, end);
        extLen = (u8(buf, at + EXT_LENGTH) + 1) * EXT_LENGTH_UNIT;
        break;
      case EXT_AH:
        if (limit - at < EXT_MIN_LEN) return extensionOverrun(out, declaredEnd, end);
        extLen = (u8(buf, at + EXT_LENGTH) + AH_LENGTH_BIAS) * AH_LENGTH_UNIT;
        break;
      case EXT_FRAGMENT:
        extLen = FRAGMENT_HEADER_LEN;
        break;
      default:
        break walk;
    }
    if (limit - at < extLen) return extensionOverrun(out, declaredEnd, end);

    if (next === EXT_HOP_BY_HOP && at === headerEnd && payloadLength === 0) {
      // RFC 2675: a jumbogram has payload length 0 and its real length (which counts the
      // extension headers, like the payload length does) in hop-by-hop, the first header.
      // Linux BIG TCP (kernel 5.19) sends IPv6 GSO packets over 64 KB this way.
      const jumboLength = findJumboLength(buf, at + EXT_MIN_LEN, at + extLen);
      if (jumboLength >= 0) declaredEnd = headerEnd + jumboLength;
    } else if (next === EXT_FRAGMENT) {
      const offsetFlags = u16(buf, at + FRAGMENT_OFFSET_FLAGS);
      if ((offsetFlags & FRAGMENT_OFFSET_MASK) !== 0) nonFirstFragment = true;
      else if ((offsetFlags & FRAGMENT_MORE) !== 0) out.firstFragment = true;
    }
    next = u8(buf, at + EXT_NEXT_HEADER);
    at += extLen;
    if (nonFirstFragment) break;
  }

  // With neither a payload length nor a jumbo option, treat it as IPv4 total length 0 (TSO):
  // the capture is the only account of the length there is.
  const datagramEnd = declaredEnd !== Infinity ? declaredEnd : end;
  const segmentLen = datagramEnd - at;
  if (segmentLen < 0) {
    out.status = "malformed";
    out.problem = "ipv6-bad-payload-length";
    return;
  }
  out.ipPayloadLen = segmentLen;
  if (nonFirstFragment) {
    out.status = "fragment";
    return;
  }
  decodeIpPayload(out, buf, at, datagramEnd < end ? datagramEnd : end, next, segmentLen);
}

/**
 * An extension header runs past the bytes available: past the datagram's own length it is
 * malformed; past the captured bytes only, it is a snaplen cut.
 */
function extensionOverrun(out: DecodedPacket, declaredEnd: number, end: number): void {
  if (declaredEnd <= end) {
    out.status = "malformed";
    out.problem = "ipv6-bad-payload-length";
  } else {
    out.status = "truncated";
    out.problem = "ipv6-ext-truncated";
  }
}

/** Jumbo Payload length from the hop-by-hop options in `[off, end)`, or -1 when absent. */
function findJumboLength(buf: Uint8Array, off: number, end: number): number {
  let at = off;
  while (at < end) {
    const type = u8(buf, at);
    if (type === OPT_PAD1) {
      at++;
      continue;
    }
    if (end - at < 2) return -1;
    const len = u8(buf, at + 1);
    if (type === OPT_JUMBO && len === OPT_JUMBO_LEN && end - at >= 2 + OPT_JUMBO_LEN) {
      return viewOf(buf).getUint32(at + 2);
    }
    at += 2 + len;
  }
  return -1;
}
