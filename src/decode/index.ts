/**
 * The decode layer's front door: turn one captured packet into the link, IP and TCP fields
 * teardown needs, in place and without allocating. Above this layer, nothing reads packet
 * bytes; below it sits only `capture`.
 */
export * from "./packet.js";
export { decodePacket } from "./decoder.js";
export { copyBytes, latin1 } from "./bytes.js";
export { formatAddress, formatIpv4, formatIpv6 } from "./address.js";
export {
  LINK_TYPES,
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
  isDecodedLinkType,
  linkTypeInfo,
  linkTypeName,
  type LinkTypeInfo,
} from "./link-types.js";
export { DECODE_PROBLEMS, type DecodeProblemInfo } from "./problems.js";
export { DecodeCounts, type DecodeCountsData } from "./decode-counts.js";
export {
  PackedTcpWriter,
  packedFrame,
  packedTsNsec,
  packedTsSec,
  unpackTcp,
  type PackedTcp,
} from "./packed-tcp.js";
export * from "./tls-handshake.js";
