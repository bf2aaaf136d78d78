/**
 * Zeek's connection `history` string, built packet by packet the way Zeek's TCP analyzer does
 * (TCPSessionAdapter's update_history, Session::CheckHistory and ScaledHistoryEntry), so users
 * can diff it with their conn.log: upper case for the originator (our client), lower case for
 * the responder.
 *
 *   S/s SYN   H/h SYN-ACK   A/a pure ACK   D/d payload   F/f FIN   R/r RST
 *   T/t retransmitted payload   W/w zero window   Q/q SYN with FIN or RST   I/i FIN with RST
 *   ^   the roles were flipped (the first packet was not the originator's)
 *
 * A packet gives at most one flag letter: with more than one of SYN, FIN and RST it is Q (or I
 * for FIN+RST); with exactly one it is S/H, F or R, even when it carries payload (a SYN with
 * data is S, not D); otherwise D for payload, else A for an ACK. A, D, I and Q are recorded
 * once per direction (S and H share one mark); S, H, F and R again when their sequence number
 * differs from the last of their kind (for F, the number after the payload). T and W come from
 * zeek-state.ts, which keeps the sequence numbers and counts Zeek decides them by, and are
 * recorded at the 1st, 10th, 100th... occurrence.
 *
 * Limitations: Zeek's C (bad checksum, the packet then being dropped unless Zeek runs with -C)
 * and G (content gap) are not produced: teardown neither verifies checksums nor reassembles.
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type DecodedPacket } from "../decode/index.js";
import type { Direction, Flow, Side } from "./flow.js";

// One bit per once-only letter per direction; the responder's bits are shifted by 8.
const SEEN_SYN = 1;
const SEEN_FIN = 2;
const SEEN_RST = 4;
const SEEN_ACK = 8;
const SEEN_DATA = 16;
const SEEN_MULTI = 32;
const SEEN_FIN_RST = 64;

function add(f: Flow, side: Side, code: string): void {
  f.history += side === "client" ? code : code.toLowerCase();
}

/** Records `code` if not yet seen in this direction; true when it had been seen before. */
function check(f: Flow, side: Side, bit: number, code: string): boolean {
  const mask = side === "client" ? bit : bit << 8;
  if ((f.historySeen & mask) === 0) {
    f.historySeen |= mask;
    add(f, side, code);
    return false;
  }
  return true;
}

/** The letters for one packet's flags and payload, before the packet updates `d` (its sender). */
export function appendHistory(f: Flow, side: Side, p: DecodedPacket, d: Direction): void {
  const syn = (p.flags & TCP_SYN) !== 0;
  const fin = (p.flags & TCP_FIN) !== 0;
  const rst = (p.flags & TCP_RST) !== 0;
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (bits > 1) {
    if (fin && rst) check(f, side, SEEN_FIN_RST, "I");
    else check(f, side, SEEN_MULTI, "Q");
  } else if (bits === 1) {
    if (syn) {
      const code = (p.flags & TCP_ACK) !== 0 ? "H" : "S";
      if (check(f, side, SEEN_SYN, code) && p.seq !== d.histLastSyn) add(f, side, code);
      d.histLastSyn = p.seq;
    } else if (fin) {
      const finSeq = (p.seq + p.payloadLen) >>> 0;
      if (check(f, side, SEEN_FIN, "F") && finSeq !== d.histLastFin) add(f, side, "F");
      d.histLastFin = finSeq;
    } else {
      if (check(f, side, SEEN_RST, "R") && p.seq !== d.histLastRst) add(f, side, "R");
      d.histLastRst = p.seq;
    }
  } else if (p.payloadLen > 0) {
    check(f, side, SEEN_DATA, "D");
  } else if ((p.flags & TCP_ACK) !== 0) {
    check(f, side, SEEN_ACK, "A");
  }
}

/** Records one T or W that Zeek's ScaledHistoryEntry let through (see zeek-state.ts). */
export function appendScaledEntry(f: Flow, side: Side, code: "T" | "W"): void {
  add(f, side, code);
}

/** Marks a flow whose roles were flipped from the order its first packet suggested. */
export function appendFlip(f: Flow): void {
  f.history += "^";
}
