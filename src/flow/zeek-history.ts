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
import { D, F, HISTORY_CAPACITY } from "./flow-layout.js";
import type { FlowStore } from "./flow-store.js";

// One bit per once-only letter per direction; the responder's bits are shifted by 8.
const SEEN_SYN = 1;
const SEEN_FIN = 2;
const SEEN_RST = 4;
const SEEN_ACK = 8;
const SEEN_DATA = 16;
const SEEN_MULTI = 32;
const SEEN_FIN_RST = 64;

// The originator's letters as character codes; the responder's are their lower case.
const LETTER_S = 0x53;
const LETTER_H = 0x48;
const LETTER_A = 0x41;
const LETTER_D = 0x44;
const LETTER_F = 0x46;
const LETTER_R = 0x52;
const LETTER_Q = 0x51;
const LETTER_I = 0x49;
export const LETTER_T = 0x54;
export const LETTER_W = 0x57;
const FLIP = 0x5e; // '^'
const LOWER_CASE = 0x20;

/** Appends one character to the flow's history: in the store, then in its overflow string. */
function push(store: FlowStore, base: number, slot: number, code: number): void {
  const r = store.f64;
  const length = r[base + F.HISTORY_LENGTH]!;
  if (length < HISTORY_CAPACITY) {
    store.history[slot * HISTORY_CAPACITY + length] = code;
  } else {
    const more = store.historyOverflow.get(slot) ?? "";
    store.historyOverflow.set(slot, more + String.fromCharCode(code));
  }
  r[base + F.HISTORY_LENGTH] = length + 1;
}

/** Records one letter: upper case for the originator (client), lower case for the responder. */
export function appendHistoryLetter(
  store: FlowStore,
  base: number,
  slot: number,
  isOrig: boolean,
  letter: number,
): void {
  push(store, base, slot, isOrig ? letter : letter | LOWER_CASE);
}

/** Records `letter` if not yet seen in this direction; true when it had been seen before. */
function check(
  store: FlowStore,
  base: number,
  slot: number,
  isOrig: boolean,
  bit: number,
  letter: number,
): boolean {
  const r = store.f64;
  const mask = isOrig ? bit : bit << 8;
  const seen = r[base + F.HISTORY_SEEN]!;
  if ((seen & mask) === 0) {
    r[base + F.HISTORY_SEEN] = seen | mask;
    appendHistoryLetter(store, base, slot, isOrig, letter);
    return false;
  }
  return true;
}

/**
 * The letters for one packet's flags and payload, before the packet updates its sender's
 * direction, at offset `d` of the store (the flow's base plus F.CLIENT or F.SERVER).
 */
export function appendHistory(
  store: FlowStore,
  base: number,
  slot: number,
  isOrig: boolean,
  d: number,
  p: DecodedPacket,
): void {
  const r = store.f64;
  const flags = p.flags;
  const syn = (flags & TCP_SYN) !== 0;
  const fin = (flags & TCP_FIN) !== 0;
  const rst = (flags & TCP_RST) !== 0;
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (bits > 1) {
    if (fin && rst) check(store, base, slot, isOrig, SEEN_FIN_RST, LETTER_I);
    else check(store, base, slot, isOrig, SEEN_MULTI, LETTER_Q);
  } else if (bits === 1) {
    if (syn) {
      const letter = (flags & TCP_ACK) !== 0 ? LETTER_H : LETTER_S;
      if (check(store, base, slot, isOrig, SEEN_SYN, letter) && p.seq !== r[d + D.HIST_LAST_SYN])
        appendHistoryLetter(store, base, slot, isOrig, letter);
      r[d + D.HIST_LAST_SYN] = p.seq;
    } else if (fin) {
      const finSeq = (p.seq + p.payloadLen) >>> 0;
      if (check(store, base, slot, isOrig, SEEN_FIN, LETTER_F) && finSeq !== r[d + D.HIST_LAST_FIN])
        appendHistoryLetter(store, base, slot, isOrig, LETTER_F);
      r[d + D.HIST_LAST_FIN] = finSeq;
    } else {
      if (check(store, base, slot, isOrig, SEEN_RST, LETTER_R) && p.seq !== r[d + D.HIST_LAST_RST])
        appendHistoryLetter(store, base, slot, isOrig, LETTER_R);
      r[d + D.HIST_LAST_RST] = p.seq;
    }
  } else if (p.payloadLen > 0) {
    check(store, base, slot, isOrig, SEEN_DATA, LETTER_D);
  } else if ((flags & TCP_ACK) !== 0) {
    check(store, base, slot, isOrig, SEEN_ACK, LETTER_A);
  }
}

/** Marks a flow whose roles were flipped from the order its first packet suggested. */
export function appendFlip(store: FlowStore, base: number, slot: number): void {
  push(store, base, slot, FLIP);
}
