/**
 * The catalogue of decode problems: one line per `DecodeProblem` code saying what it means and
 * which status it comes with. Codes are stable (appended, never renamed); the `satisfies`
 * clause makes the compiler reject a code that is missing here.
 */
import type { DecodeProblem, DecodeStatus } from "./packet.js";

export interface DecodeProblemInfo {
  /** The status a packet with this problem has. */
  readonly status: DecodeStatus | null;
  readonly meaning: string;
}

export const DECODE_PROBLEMS = {
  none: {
    status: null,
    meaning: "Nothing wrong: the packet was decoded as far as teardown needs.",
  },
  "link-truncated": {
    status: "truncated",
    meaning:
      "The capture ends inside the link-layer header (or its VLAN tags), before the network protocol is known.",
  },
  "ipv4-truncated": {
    status: "truncated",
    meaning: "The capture ends inside the IPv4 header or its options.",
  },
  "ipv4-bad-version": {
    status: "malformed",
    meaning: "The link layer says IPv4 but the version field is not 4.",
  },
  "ipv4-bad-ihl": {
    status: "malformed",
    meaning: "IPv4 header length (IHL) below 5 words, the minimum header (RFC 791).",
  },
  "ipv4-bad-total-length": {
    status: "malformed",
    meaning: "IPv4 total length smaller than the IPv4 header itself (and not 0, which TSO uses).",
  },
  "ipv6-truncated": {
    status: "truncated",
    meaning: "The capture ends inside the 40-byte IPv6 header.",
  },
  "ipv6-bad-version": {
    status: "malformed",
    meaning: "The link layer says IPv6 but the version field is not 6.",
  },
  "ipv6-ext-truncated": {
    status: "truncated",
    meaning: "The capture ends inside the IPv6 extension header chain.",
  },
  "tcp-truncated": {
    status: "truncated",
    meaning:
      "The capture ends before the TCP flags byte, so ports, sequence and acknowledgement numbers and flags are not all there.",
  },
  "tcp-bad-data-offset": {
    status: "malformed",
    meaning:
      "TCP data offset below 5 words, or a TCP header (data offset x 4) longer than the IP payload that carries it.",
  },
  "ip-bad-version": {
    status: "malformed",
    meaning: "A raw-IP link type whose first nibble is neither 4 nor 6.",
  },
  "ipv6-bad-payload-length": {
    status: "malformed",
    meaning:
      "IPv6 extension headers longer than the payload length (or jumbo payload length) declares.",
  },
  "ah-truncated": {
    status: "truncated",
    meaning:
      "The capture ends inside an IPv4 Authentication Header (RFC 4302), before the TCP header it protects.",
  },
} as const satisfies Record<DecodeProblem, DecodeProblemInfo>;
