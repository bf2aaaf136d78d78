/**
 * The decoder's entry point: one captured packet in, the reused `DecodedPacket` filled in.
 *
 * Decoding never throws and allocates nothing: every header is read with index arithmetic on
 * the capture buffer after one length check (the smoltcp/gopacket "view" pattern), and the
 * result is written into the caller's object. A snaplen cut ("truncated"), an impossible field
 * ("malformed") and a protocol teardown does not open ("other", "encapsulated",
 * "unsupported-link") are kept apart, because they call for different explanations.
 */
import {
  decodeEthernet,
  decodeLinuxSll,
  decodeLinuxSll2,
  decodeLoop,
  decodeNull,
  decodeRawIp,
} from "./link.js";
import { decodeIpv4 } from "./ipv4.js";
import { decodeIpv6 } from "./ipv6.js";
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_BSD,
  LINKTYPE_RAW_OPENBSD,
} from "./link-types.js";
import type { DecodedPacket } from "./packet.js";

/**
 * Decode the packet in `buf[offset .. offset + capLen)`, captured on a `linkType` interface,
 * into `out`. Every field of `out` is rewritten, so nothing from the previous packet survives.
 */
export function decodePacket(
  out: DecodedPacket,
  linkType: number,
  buf: Uint8Array,
  offset: number,
  capLen: number,
): void {
  resetDecodedPacket(out, linkType);
  out.bytes = buf;

  // A record that claims more bytes than the buffer holds (or a nonsense offset) is decoded
  // as far as the bytes really go, never read past.
  let start = offset;
  let end = offset + capLen;
  if (end > buf.length) end = buf.length;
  if (!(start >= 0 && end >= start)) start = end = 0;

  switch (linkType) {
    case LINKTYPE_ETHERNET:
      decodeEthernet(out, buf, start, end);
      return;
    case LINKTYPE_LINUX_SLL:
      decodeLinuxSll(out, buf, start, end);
      return;
    case LINKTYPE_LINUX_SLL2:
      decodeLinuxSll2(out, buf, start, end);
      return;
    case LINKTYPE_NULL:
      decodeNull(out, buf, start, end);
      return;
    case LINKTYPE_LOOP:
      decodeLoop(out, buf, start, end);
      return;
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_BSD:
    case LINKTYPE_RAW_OPENBSD:
      decodeRawIp(out, buf, start, end);
      return;
    case LINKTYPE_IPV4:
      decodeIpv4(out, buf, start, end);
      return;
    case LINKTYPE_IPV6:
      decodeIpv6(out, buf, start, end);
      return;
    default:
      out.status = "unsupported-link";
  }
}

/** The same values `newDecodedPacket()` starts with; a test keeps the two in step. */
function resetDecodedPacket(out: DecodedPacket, linkType: number): void {
  out.status = "other";
  out.problem = "none";
  out.linkType = linkType;
  out.vlanTags = 0;
  out.vlanId = -1;
  out.ipVersion = 0;
  out.src0 = 0;
  out.src1 = 0;
  out.src2 = 0;
  out.src3 = 0;
  out.dst0 = 0;
  out.dst1 = 0;
  out.dst2 = 0;
  out.dst3 = 0;
  out.ttl = 0;
  out.ipId = 0;
  out.firstFragment = false;
  out.ipPayloadLen = 0;
  out.ipOffset = 0;
  out.srcPort = 0;
  out.dstPort = 0;
  out.seq = 0;
  out.ack = 0;
  out.flags = 0;
  out.window = 0;
  out.urgentPointer = 0;
  out.tcpHeaderLen = 0;
  out.payloadLen = 0;
  out.payloadOffset = 0;
  out.capturedPayloadLen = 0;
  out.truncated = false;
  out.mss = -1;
  out.windowScale = -1;
  out.sackPermitted = false;
  out.hasTimestamps = false;
  out.tsVal = 0;
  out.tsEcr = 0;
  out.sackBlockCount = 0;
  const blocks = out.sackBlocks;
  for (let i = 0; i < blocks.length; i++) blocks[i] = 0;
}
