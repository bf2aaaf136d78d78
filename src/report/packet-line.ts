/**
 * One line per TCP packet, in the spirit of `tcpdump -r`: frame number (Wireshark's
 * `frame.number`), capture time as epoch seconds to the nanosecond, endpoints, flags in
 * tcpdump's letters, raw sequence and acknowledgement numbers, window and payload length.
 *
 *   17 1700000000.123456789 10.0.0.1:51234 > 10.0.0.5:80 [P.] seq 1001 ack 2002 win 502 len 120
 *
 * IPv6 addresses are bracketed ([::1]:8080). Every field is a number or an address formatted
 * from numbers, so nothing from packet payloads reaches the terminal.
 */
import { formatEpoch } from "../capture/index.js";
import {
  formatAddress,
  TCP_ACK,
  TCP_AE,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  type DecodedPacket,
} from "../decode/index.js";

/** tcpdump's flag letters, in tcpdump's order (print-tcp.c `tcp_flag_values`). */
const FLAG_LETTERS: readonly (readonly [number, string])[] = [
  [TCP_FIN, "F"],
  [TCP_SYN, "S"],
  [TCP_RST, "R"],
  [TCP_PSH, "P"],
  [TCP_ACK, "."],
  [TCP_URG, "U"],
  [TCP_ECE, "E"],
  [TCP_CWR, "W"],
  [TCP_AE, "e"],
];

export function formatFlags(flags: number): string {
  let s = "";
  for (const [bit, letter] of FLAG_LETTERS) if ((flags & bit) !== 0) s += letter;
  return s === "" ? "none" : s;
}

export function formatEndpoint(p: DecodedPacket, which: "src" | "dst"): string {
  const addr = formatAddress(p, which);
  const port = which === "src" ? p.srcPort : p.dstPort;
  return p.ipVersion === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export function formatPacketLine(
  frame: number,
  tsSec: number,
  tsNsec: number,
  p: DecodedPacket,
): string {
  return (
    `${frame} ${formatEpoch(tsSec, tsNsec)} ${formatEndpoint(p, "src")} > ${formatEndpoint(p, "dst")} ` +
    `[${formatFlags(p.flags)}] seq ${p.seq} ack ${p.ack} win ${p.window} len ${p.payloadLen}`
  );
}

/** A packet that was not decoded as TCP: `17 1700000000.000000000 - other (ipv4-bad-ihl)`. */
export function formatSkippedLine(
  frame: number,
  tsSec: number,
  tsNsec: number,
  p: DecodedPacket,
): string {
  const why = p.problem === "none" ? p.status : `${p.status} (${p.problem})`;
  return `${frame} ${formatEpoch(tsSec, tsNsec)} - ${why}`;
}
