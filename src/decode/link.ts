/**
 * Link-layer headers: find where the IP header starts and which IP version it is.
 *
 * Every function takes `[off, end)`, the captured bytes still to decode, and either hands the
 * network-layer bytes on or records why it stopped. Nothing here allocates.
 *
 * Limitations: 802.3 frames with LLC/SNAP, MPLS label stacks and PPPoE sessions are not opened
 * (status "other" or "encapsulated"), nor are link types outside the decoded rows of
 * `link-types.ts`.
 */
import { u16, u32, u32le, u8 } from "./bytes.js";
import { decodeIpv4 } from "./ipv4.js";
import { decodeIpv6 } from "./ipv6.js";
import type { DecodedPacket } from "./packet.js";

/** EtherType values (IEEE registry) the decoder reacts to. */
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q customer tag
const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad service tag
const ETHERTYPE_QINQ_LEGACY = 0x9100; // pre-802.1ad vendor QinQ tag, still sent by some switches
const ETHERTYPE_MPLS_UNICAST = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const ETHERTYPE_PPPOE_SESSION = 0x8864;

/** Ethernet II: destination (6), source (6), EtherType (2). */
const ETH_HEADER_LEN = 14;
const ETH_TYPE = 12;

/** An 802.1Q/802.1ad tag after the TPID: TCI (PCP, DEI, 12-bit VLAN id), then the next type. */
const VLAN_TAG_LEN = 4;
const VLAN_TCI = 0;
const VLAN_NEXT_TYPE = 2;
const VLAN_ID_MASK = 0x0fff;

/** Linux cooked v1 (`sll_header`): packet type, ARPHRD type, address length, 8-byte address, protocol. */
const SLL_HEADER_LEN = 16;
const SLL_PROTOCOL = 14;

/** Linux cooked v2 (`sll2_header`): protocol first, then reserved, ifindex, ARPHRD, type, address. */
const SLL2_HEADER_LEN = 20;
const SLL2_PROTOCOL = 0;

/** BSD loopback: one 32-bit address family. */
const NULL_HEADER_LEN = 4;
/** A host-order family read the wrong way round is >= 0x10000 (families are small numbers). */
const NULL_FAMILY_MAX = 0xffff;
const AF_INET = 2;
/** AF_INET6 differs per OS (libpcap LINKTYPE_NULL notes; Guy Harris, wireshark-dev 2015-08). */
const AF_INET6_LINUX = 10;
const AF_INET6_NETBSD_OPENBSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;
/** Windows AF_INET6, written by early Npcap loopback captures; on BSD 23 is AF_IPX. */
const AF_INET6_WINDOWS = 23;

const IP_VERSION_SHIFT = 4;

export function decodeEthernet(
  out: DecodedPacket,
  buf: Uint8Array,
  off: number,
  end: number,
): void {
  if (end - off < ETH_HEADER_LEN) {
    out.status = "truncated";
    out.problem = "link-truncated";
    return;
  }
  decodeEtherType(out, buf, off + ETH_HEADER_LEN, end, u16(buf, off + ETH_TYPE));
}

export function decodeLinuxSll(
  out: DecodedPacket,
  buf: Uint8Array,
  off: number,
  end: number,
): void {
  if (end - off < SLL_HEADER_LEN) {
    out.status = "truncated";
    out.problem = "link-truncated";
    return;
  }
  // For Ethernet-like devices the protocol is the EtherType; for others it is a small
  // LINUX_SLL_P_* value (< 0x0600) that decodeEtherType classes as "other".
  decodeEtherType(out, buf, off + SLL_HEADER_LEN, end, u16(buf, off + SLL_PROTOCOL));
}

export function decodeLinuxSll2(
  out: DecodedPacket,
  buf: Uint8Array,
  off: number,
  end: number,
): void {
  if (end - off < SLL2_HEADER_LEN) {
    out.status = "truncated";
    out.problem = "link-truncated";
    return;
  }
  decodeEtherType(out, buf, off + SLL2_HEADER_LEN, end, u16(buf, off + SLL2_PROTOCOL));
}

/**
 * LINKTYPE_NULL writes the family in the capturing host's byte order, which the file does not
 * record; families are small, so a little-endian read above 0xFFFF means the host was
 * big-endian (the same test as tcpdump's print-null.c and Wireshark's packet-null.c).
 */
export function decodeNull(out: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < NULL_HEADER_LEN) {
    out.status = "truncated";
    out.problem = "link-truncated";
    return;
  }
  let family = u32le(buf, off);
  if (family > NULL_FAMILY_MAX) family = u32(buf, off);
  decodeAddressFamily(out, buf, off + NULL_HEADER_LEN, end, family);
}

/** LINKTYPE_LOOP: OpenBSD writes the family in network byte order. */
export function decodeLoop(out: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < NULL_HEADER_LEN) {
    out.status = "truncated";
    out.problem = "link-truncated";
    return;
  }
  decodeAddressFamily(out, buf, off + NULL_HEADER_LEN, end, u32(buf, off));
}

/** Raw IP (LINKTYPE_RAW and its old BSD values): no link header, the version nibble decides. */
export function decodeRawIp(out: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 1) {
    out.status = "truncated";
    out.problem = "link-truncated";
    return;
  }
  const version = u8(buf, off) >> IP_VERSION_SHIFT;
  if (version === 4) decodeIpv4(out, buf, off, end);
  else if (version === 6) decodeIpv6(out, buf, off, end);
  else {
    out.status = "malformed";
    out.problem = "ip-bad-version";
  }
}

function decodeAddressFamily(
  out: DecodedPacket,
  buf: Uint8Array,
  off: number,
  end: number,
  family: number,
): void {
  switch (family) {
    case AF_INET:
      decodeIpv4(out, buf, off, end);
      return;
    case AF_INET6_LINUX:
    case AF_INET6_NETBSD_OPENBSD:
    case AF_INET6_FREEBSD:
    case AF_INET6_DARWIN:
      decodeIpv6(out, buf, off, end);
      return;
    case AF_INET6_WINDOWS:
      // Only trust 23 when the payload looks like IPv6, since BSD uses it for IPX.
      if (end - off >= 1 && u8(buf, off) >> IP_VERSION_SHIFT === 6) {
        decodeIpv6(out, buf, off, end);
        return;
      }
      out.status = "other";
      return;
    default:
      out.status = "other";
  }
}

/**
 * Dispatch on an EtherType, first peeling any stack of VLAN tags (802.1Q inside 802.1ad, or
 * the legacy 0x9100 QinQ TPID). The loop is bounded by the captured bytes: each tag consumes 4.
 */
function decodeEtherType(
  out: DecodedPacket,
  buf: Uint8Array,
  off: number,
  end: number,
  etherType: number,
): void {
  let type = etherType;
  let at = off;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_LEGACY) {
    if (end - at < VLAN_TAG_LEN) {
      out.status = "truncated";
      out.problem = "link-truncated";
      return;
    }
    if (out.vlanTags === 0) out.vlanId = u16(buf, at + VLAN_TCI) & VLAN_ID_MASK;
    out.vlanTags++;
    type = u16(buf, at + VLAN_NEXT_TYPE);
    at += VLAN_TAG_LEN;
  }
  switch (type) {
    case ETHERTYPE_IPV4:
      decodeIpv4(out, buf, at, end);
      return;
    case ETHERTYPE_IPV6:
      decodeIpv6(out, buf, at, end);
      return;
    case ETHERTYPE_MPLS_UNICAST:
    case ETHERTYPE_MPLS_MULTICAST:
    case ETHERTYPE_PPPOE_SESSION:
      out.status = "encapsulated";
      return;
    default:
      // Includes 802.3 length fields (< 0x0600, IEEE 802.3 clause 3.2.6), ARP, LLDP...
      out.status = "other";
  }
}
