/**
 * Addresses as text, for output only (allocation is fine here; the decoder keeps addresses as
 * 32-bit words so the flow table never builds strings per packet).
 */
import type { DecodedPacket } from "./packet.js";

/**
 * The packet's source or destination address: dotted quad for IPv4, RFC 5952 text for IPv6
 * (lower case, no leading zeros, the longest run of two or more zero groups as `::`, the first
 * such run on a tie), with IPv4-mapped addresses as `::ffff:a.b.c.d` the way inet_ntop and
 * Wireshark print them (RFC 5952 5). Empty string when the packet is not IP.
 */
export function formatAddress(p: DecodedPacket, which: "src" | "dst"): string {
  const w0 = which === "src" ? p.src0 : p.dst0;
  if (p.ipVersion === 4) return formatIpv4(w0);
  if (p.ipVersion !== 6) return "";
  if (which === "src") return formatIpv6(p.src0, p.src1, p.src2, p.src3);
  return formatIpv6(p.dst0, p.dst1, p.dst2, p.dst3);
}

export function formatIpv4(word: number): string {
  return `${(word >>> 24) & 0xff}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
}

/** IPv6 text from four big-endian 32-bit words. */
export function formatIpv6(w0: number, w1: number, w2: number, w3: number): string {
  if (w0 === 0 && w1 === 0 && w2 === 0x0000ffff) return `::ffff:${formatIpv4(w3)}`;
  const groups = [
    w0 >>> 16,
    w0 & 0xffff,
    w1 >>> 16,
    w1 & 0xffff,
    w2 >>> 16,
    w2 & 0xffff,
    w3 >>> 16,
    w3 & 0xffff,
  ];

  // RFC 5952 4.2.2 and 4.2.3: compress the longest run of zero groups, only if it is at
  // least two long, the leftmost when runs tie.
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i <= groups.length; i++) {
    if (i < groups.length && groups[i] === 0) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      if (i - runStart > bestLen) {
        bestStart = runStart;
        bestLen = i - runStart;
      }
      runStart = -1;
    }
  }

  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(":");
  if (bestStart < 0) return hex(0, groups.length);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, groups.length)}`;
}
