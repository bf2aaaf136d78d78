/**
 * The decoded form of one captured packet, as far as teardown needs it: link, IP and TCP.
 *
 * Like the capture record, one object is reused for every packet (the decoder writes it in
 * place), so decoding allocates nothing per packet. Addresses are kept as 32-bit words so the
 * flow table can hash them without building strings; `formatAddress` in `address.ts` turns them
 * into text for output.
 */

/** What became of the packet. Only `tcp` packets carry the TCP fields below. */
export type DecodeStatus =
  /** A TCP segment (possibly with a snaplen-cut payload or options: see `truncated`). */
  | "tcp"
  /** IPv4/IPv6 but not TCP (UDP, ICMP, ...), or not IP at all (ARP, LLDP, ...). */
  | "other"
  /** A non-first IP fragment: counted, not decoded. */
  | "fragment"
  /** TCP/IP inside a tunnel or encapsulation teardown does not open (MPLS, PPPoE, GRE, ...). */
  | "encapsulated"
  /** A link type the decoder does not know. */
  | "unsupported-link"
  /** The snapshot length cut the packet before the TCP flags, seq and ack. */
  | "truncated"
  /** A header field that cannot be right (IPv4 IHL < 5, TCP data offset < 5, ...). */
  | "malformed";

/** Stable codes naming why a packet was not decoded as TCP, for counting and for diagnostics. */
export type DecodeProblem =
  | "none"
  | "link-truncated"
  | "ipv4-truncated"
  | "ipv4-bad-version"
  | "ipv4-bad-ihl"
  | "ipv4-bad-total-length"
  | "ipv6-truncated"
  | "ipv6-bad-version"
  | "ipv6-ext-truncated"
  | "tcp-truncated"
  | "tcp-bad-data-offset"
  | "ip-bad-version"
  | "ipv6-bad-payload-length"
  | "ah-truncated";

/** TCP flag bits as they sit in the 16-bit word after the ack number (low 9 bits + AE). */
export const TCP_FIN = 0x001;
export const TCP_SYN = 0x002;
export const TCP_RST = 0x004;
export const TCP_PSH = 0x008;
export const TCP_ACK = 0x010;
export const TCP_URG = 0x020;
export const TCP_ECE = 0x040;
export const TCP_CWR = 0x080;
/** AE (formerly NS, RFC 3540; renamed by accurate ECN). */
export const TCP_AE = 0x100;

/** Most SACK blocks a TCP header can carry (40 option bytes: 2 + 4 * 8 = 34). */
export const MAX_SACK_BLOCKS = 4;

export interface DecodedPacket {
  status: DecodeStatus;
  problem: DecodeProblem;
  /** Link type the packet was decoded with. */
  linkType: number;
  /** Number of 802.1Q/802.1ad tags removed. */
  vlanTags: number;
  /** Outermost VLAN id, -1 when untagged. */
  vlanId: number;

  /** 4 or 6; 0 when the packet is not IP. */
  ipVersion: 0 | 4 | 6;
  /**
   * Source and destination addresses as big-endian 32-bit words. IPv4 uses word 0 only (the
   * others are 0); IPv6 uses all four.
   */
  src0: number;
  src1: number;
  src2: number;
  src3: number;
  dst0: number;
  dst1: number;
  dst2: number;
  dst3: number;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl: number;
  /** IPv4 identification (0 for IPv6). */
  ipId: number;
  /** First fragment of a fragmented datagram: the TCP header is here, the rest of the payload is not. */
  firstFragment: boolean;
  /**
   * Bytes of IP payload according to the IP header (total length, or IPv6 payload/jumbo length),
   * counted after the IPv4 options or the IPv6 extension headers: the upper-layer segment length.
   */
  ipPayloadLen: number;
  /** Offset of the IP header in the record's buffer. */
  ipOffset: number;

  srcPort: number;
  dstPort: number;
  /** Raw 32-bit sequence and acknowledgement numbers (unsigned). */
  seq: number;
  ack: number;
  /** TCP_* flag bits. */
  flags: number;
  /** Window field as sent (not scaled). */
  window: number;
  urgentPointer: number;
  /** TCP header length in bytes (data offset * 4). */
  tcpHeaderLen: number;
  /** TCP payload length from the IP header, even when the snapshot length cut the packet. */
  payloadLen: number;
  /** Offset of the first payload byte in `bytes`. */
  payloadOffset: number;
  /**
   * The buffer the packet was decoded from (the capture record's): the payload is
   * `bytes[payloadOffset .. payloadOffset + capturedPayloadLen)`, valid only while the packet is
   * being handled (the reader reuses the buffer).
   */
  bytes: Uint8Array;
  /** Payload bytes actually present in the capture (<= payloadLen). */
  capturedPayloadLen: number;
  /** The snapshot length cut the packet inside the TCP header options or the payload. */
  truncated: boolean;

  /** TCP options; -1 (or false) when absent. */
  mss: number;
  windowScale: number;
  sackPermitted: boolean;
  hasTimestamps: boolean;
  tsVal: number;
  tsEcr: number;
  sackBlockCount: number;
  /** Left and right edges of each SACK block: [l0, r0, l1, r1, ...]; only the first 2 * sackBlockCount are valid. */
  sackBlocks: number[];
}

const NO_BYTES = new Uint8Array(0);

export function newDecodedPacket(): DecodedPacket {
  return {
    status: "other",
    problem: "none",
    linkType: 0,
    vlanTags: 0,
    vlanId: -1,
    ipVersion: 0,
    src0: 0,
    src1: 0,
    src2: 0,
    src3: 0,
    dst0: 0,
    dst1: 0,
    dst2: 0,
    dst3: 0,
    ttl: 0,
    ipId: 0,
    firstFragment: false,
    ipPayloadLen: 0,
    ipOffset: 0,
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    urgentPointer: 0,
    tcpHeaderLen: 0,
    payloadLen: 0,
    payloadOffset: 0,
    bytes: NO_BYTES,
    capturedPayloadLen: 0,
    truncated: false,
    mss: -1,
    windowScale: -1,
    sackPermitted: false,
    hasTimestamps: false,
    tsVal: 0,
    tsEcr: 0,
    sackBlockCount: 0,
    sackBlocks: [0, 0, 0, 0, 0, 0, 0, 0],
  };
}
