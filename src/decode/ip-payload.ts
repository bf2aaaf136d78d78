/**
 * What an IPv4 or IPv6 header points at: TCP is decoded; tunnels teardown does not open are
 * "encapsulated" so that a user learns their TCP is hidden rather than absent; the rest is
 * "other".
 */
import { u16, u8 } from "./bytes.js";
import type { DecodedPacket } from "./packet.js";
import { decodeTcp } from "./tcp.js";

/** IANA protocol numbers. */
const IPPROTO_IPIP = 4; // IPv4 in IP (RFC 2003)
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41; // IPv6 in IP (RFC 4213, 6in4)
const IPPROTO_GRE = 47;
const IPPROTO_ESP = 50; // encrypted: the TCP header inside cannot be read at all
const IPPROTO_AH = 51; // authenticated, not encrypted: the TCP header follows in clear
const IPPROTO_L2TP = 115; // L2TPv3 over IP (RFC 3931)

const UDP_SRC_PORT = 0;
const UDP_DST_PORT = 2;
const UDP_PORTS_LEN = 4;
const UDP_PORT_VXLAN = 4789; // RFC 7348
const UDP_PORT_TEREDO = 3544; // RFC 4380

/**
 * `[off, end)` holds the captured part of the upper-layer segment (already trimmed to the IP
 * length); `segmentLen` is its length according to the IP header.
 */
export function decodeIpPayload(
  out: DecodedPacket,
  buf: Uint8Array,
  off: number,
  end: number,
  protocol: number,
  segmentLen: number,
): void {
  let at = off;
  let next = protocol;
  let length = segmentLen;
  // RFC 4302 2.2: next header, then the length in 4-octet units minus 2. IPv6 walks AH in its
  // extension chain; IPv4 arrives here. A loop, not a recursion: AH headers are 8 bytes at
  // least, so one packet can chain thousands of them, and each must not cost a stack frame.
  while (next === IPPROTO_AH) {
    if (end - at < 2) {
      out.status = "truncated";
      out.problem = "ah-truncated";
      return;
    }
    const ahLen = (u8(buf, at + 1) + 2) * 4;
    if (end - at < ahLen) {
      out.status = "truncated";
      out.problem = "ah-truncated";
      return;
    }
    next = u8(buf, at);
    at += ahLen;
    length -= ahLen;
    out.ipPayloadLen = length;
  }
  switch (next) {
    case IPPROTO_TCP:
      decodeTcp(out, buf, at, end, length);
      return;
    case IPPROTO_UDP:
      out.status = isTunnelUdp(buf, at, end) ? "encapsulated" : "other";
      return;
    case IPPROTO_IPIP:
    case IPPROTO_IPV6:
    case IPPROTO_GRE:
    case IPPROTO_ESP:
    case IPPROTO_L2TP:
      out.status = "encapsulated";
      return;
    default:
      out.status = "other";
  }
}

function isTunnelUdp(buf: Uint8Array, off: number, end: number): boolean {
  if (end - off < UDP_PORTS_LEN) return false;
  const src = u16(buf, off + UDP_SRC_PORT);
  const dst = u16(buf, off + UDP_DST_PORT);
  return (
    src === UDP_PORT_VXLAN ||
    dst === UDP_PORT_VXLAN ||
    src === UDP_PORT_TEREDO ||
    dst === UDP_PORT_TEREDO
  );
}
