/**
 * Zeek's view of a TCP connection: one coarse state per endpoint, moved packet by packet the way
 * Zeek's TCP analyzer moves it (TCPSessionAdapter::Process and UpdateStateMachine, TCP_Endpoint),
 * and the conn.log `conn_state` derived from the two states by the same pure function as
 * `base/protocols/conn/main.zeek`. Users can then diff teardown's flows with their conn.log.
 *
 * Zeek's endpoint states are deliberately coarser than RFC 793's (see tcp-state.ts): a passive
 * observer only knows whether it has seen an endpoint's SYN, SYN-ACK, data, FIN or RST.
 *
 *   TCP_INACTIVE       nothing seen from this endpoint that changed its state
 *   TCP_SYN_SENT       it sent a SYN; it stays here, whatever else it sends, until the peer's
 *                      SYN-ACK (or its own FIN or RST)
 *   TCP_SYN_ACK_SENT   the originator's first packet was a SYN-ACK (no SYN seen)
 *   TCP_PARTIAL        it sent data or ACKs without any SYN seen (a mid-stream pickup)
 *   TCP_ESTABLISHED    the responder answered a SYN with a SYN-ACK (both ends move here)
 *   TCP_CLOSED         it sent a FIN
 *   TCP_RESET          it sent a RST
 *
 * The module also keeps what Zeek keeps per endpoint to emit the history letters that depend
 * on sequence numbers and counts: T (payload at or below the highest sequence number already
 * sent, Zeek's `update_last_seq`) and W (a zero window, Zeek's `update_window`), both at the
 * 1st, 10th, 100th... occurrence; and the start, last and acknowledged sequence numbers behind
 * Zeek's endpoint `size` (conn.log `orig_bytes` / `resp_bytes`, also used to tell REJ apart).
 *
 * Roles: `client` is Zeek's originator, `server` its responder. The flow tracker decides them
 * when a flow is created; Zeek decides at the same point (its likely_server_ports heuristic) and
 * adds '^' to the history when it flips them, as the tracker does.
 *
 * Limitations:
 * - Checksums are not verified. Zeek (unless run with -C) drops a packet whose TCP checksum is
 *   wrong before any of this and records C/c instead; teardown processes it like any other.
 * - No reassembly, so no G/g (content gaps) and no deferred close while data is pending.
 * - Zeek's timers are not modelled: an attempt that got no answer within tcp_attempt_delay (5 s),
 *   a closed connection after tcp_close_delay, or one idle for tcp_inactivity_timeout is removed
 *   by Zeek and later packets of the 4-tuple start a new conn.log row. Teardown's flow tracker
 *   has its own lifetime rules; a flow here can cover what Zeek logs as two rows.
 * - Roles are the tracker's: it flips a flow whose first packet is a SYN-ACK, or guesses by port
 *   numbers for mid-stream flows; Zeek uses its likely_server_ports table (which depends on the
 *   scripts loaded) and, since 5.1, flips a SYN-ACK-first flow once an ACK or data follows. A
 *   SYN that answers the originator's SYN-ACK (Zeek's SYN/SYN-ACK reversal) establishes both
 *   ends as in Zeek; Zeek also flips the roles there and adds '^', here they stay the tracker's.
 * - Zeek drops a packet whose TCP header (with options) the snapshot length cut; teardown keeps
 *   it, as its flags, sequence and acknowledgement numbers are still there.
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type DecodedPacket } from "../decode/index.js";
import { F, Z } from "./flow-layout.js";
import type { Flow, ZeekEndpoint } from "./flow.js";
import { ZEEK_STATES, type ZeekEndpointState } from "./zeek-endpoint-state.js";
import type { FlowStore } from "./flow-store.js";
import { appendHistoryLetter, LETTER_T, LETTER_W } from "./zeek-history.js";

export type { ZeekEndpointState } from "./zeek-endpoint-state.js";

/** Sequence deltas larger than this on a SYN or RST are not trusted (Zeek's TOO_LARGE_SEQ_DELTA). */
const TOO_LARGE_SEQ_DELTA = 1048576;
/** T and W are recorded at the 1st, 10th, 100th... occurrence (Session::ScaledHistoryEntry). */
const SCALING_BASE = 10;
const TWO_32 = 4294967296;

// State codes as stored (indexes in ZEEK_STATES).
const INACTIVE = ZEEK_STATES.indexOf("TCP_INACTIVE");
const SYN_SENT = ZEEK_STATES.indexOf("TCP_SYN_SENT");
const SYN_ACK_SENT = ZEEK_STATES.indexOf("TCP_SYN_ACK_SENT");
const PARTIAL = ZEEK_STATES.indexOf("TCP_PARTIAL");
const ESTABLISHED = ZEEK_STATES.indexOf("TCP_ESTABLISHED");
const CLOSED = ZEEK_STATES.indexOf("TCP_CLOSED");
const RESET = ZEEK_STATES.indexOf("TCP_RESET");

/**
 * Counts one more occurrence at `count` (the next threshold follows it); true when this one
 * gets a letter (Session::ScaledHistoryEntry).
 */
function scaledNext(r: Float64Array, count: number): boolean {
  if (++r[count]! !== r[count + 1]!) return false;
  r[count + 1]! *= SCALING_BASE;
  return true;
}

/** `a - b` as Zeek's seq_delta: a signed 32-bit distance. */
function seqDelta(a: number, b: number): number {
  return (a - b) | 0;
}

/** InitStartSeq, InitAckSeq and InitLastSeq together (the wrap counts are kept, as in Zeek). */
function initStart(r: Float64Array, e: number, start: number, last: number): void {
  r[e + Z.START_SEQ] = start >>> 0;
  r[e + Z.ACK_SEQ] = start >>> 0;
  r[e + Z.LAST_SEQ] = last >>> 0;
}

function updateLastSeq(r: Float64Array, e: number, seq: number): void {
  if (seq < r[e + Z.LAST_SEQ]!) r[e + Z.SEQ_WRAPS]!++;
  r[e + Z.LAST_SEQ] = seq;
}

function updateAckSeq(r: Float64Array, e: number, seq: number): void {
  if (seq < r[e + Z.ACK_SEQ]!) r[e + Z.ACK_WRAPS]!++;
  r[e + Z.ACK_SEQ] = seq;
}

/** The one place a Zeek endpoint state changes (TCP_Endpoint::SetState). */
function setState(r: Float64Array, e: number, next: number): void {
  if (next === r[e + Z.STATE]) return;
  r[e + Z.PREV_STATE] = r[e + Z.STATE]!;
  r[e + Z.STATE] = next;
}

/** A fresh Zeek endpoint at offset `e`: INACTIVE, the T and W scales at their first step. */
export function initZeekEndpoint(r: Float64Array, e: number): void {
  r[e + Z.STATE] = r[e + Z.PREV_STATE] = INACTIVE;
  r[e + Z.RXMIT_THRESHOLD] = 1;
  r[e + Z.ZERO_WINDOW_THRESHOLD] = 1;
}

/**
 * Zeek's init_endpoint: (re)initialise the sender's sequence space from this segment. An
 * endpoint still INACTIVE is re-initialised by every packet it sends; a SYN restarts it.
 */
function initEndpoint(
  r: Float64Array,
  e: number,
  syn: boolean,
  seq: number,
  onePast: number,
): void {
  switch (r[e + Z.STATE]) {
    case INACTIVE:
      // A partial connection numbers its bytes as though a SYN had come just before.
      if (syn) initStart(r, e, seq, onePast);
      else initStart(r, e, seq - 1, seq);
      return;
    case SYN_SENT:
    case SYN_ACK_SENT:
      if (syn && seq !== r[e + Z.START_SEQ]) initStart(r, e, seq, onePast); // SYN_seq_jump
      return;
    case ESTABLISHED:
    case PARTIAL:
      // A SYN inside a connection: guess this is the one that really sets it up.
      if (syn) initStart(r, e, seq, onePast);
      return;
    case RESET:
      // Numbers taken from a RST (perhaps spoofed) give way to a later SYN.
      if (syn && r[e + Z.PREV_STATE] === INACTIVE) initStart(r, e, seq, onePast);
      return;
    default:
      // CLOSED: nothing changes the numbers.
      return;
  }
}

/**
 * Moves Zeek's endpoint states for one packet from `side`, and records the T and W history
 * letters. Call it for every TCP packet of the flow, after `appendHistory` (Zeek records a
 * packet's flag letter before its W and T). `base` is the flow's record in the store.
 */
export function updateZeekState(
  store: FlowStore,
  base: number,
  slot: number,
  isOrig: boolean,
  p: DecodedPacket,
): void {
  const r = store.f64;
  const e = base + (isOrig ? F.ZEEK_ORIG : F.ZEEK_RESP);
  const peer = base + (isOrig ? F.ZEEK_RESP : F.ZEEK_ORIG);
  const flags = p.flags;
  const syn = (flags & TCP_SYN) !== 0;
  const fin = (flags & TCP_FIN) !== 0;
  const rst = (flags & TCP_RST) !== 0;
  const ack = (flags & TCP_ACK) !== 0;
  const len = p.payloadLen;
  const seq = p.seq >>> 0;
  const ackSeq = p.ack >>> 0;

  // SYN and FIN take one sequence number each; a RST's payload is not part of the stream.
  let segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
  if (rst) segLen -= len;
  const onePast = (seq + segLen) >>> 0;

  initEndpoint(r, e, syn, seq, onePast);

  // update_window: a zero window is news unless it comes with or after a RST, or after the
  // peer's FIN (no window matters then). SYNs and FINs count; the scale does not change zero.
  const zeroWindowNews =
    p.window === 0 && !rst && r[peer + Z.STATE] !== CLOSED && r[e + Z.STATE] !== RESET;
  if (zeroWindowNews && scaledNext(r, e + Z.ZERO_WINDOW_COUNT))
    appendHistoryLetter(store, base, slot, isOrig, LETTER_W);

  if (fin) r[e + Z.FIN_COUNT]!++;

  if (ack) {
    if (r[peer + Z.STATE] === INACTIVE) {
      // init_peer: number the silent peer's bytes from what this packet acknowledges.
      initStart(r, peer, ackSeq - 1, ackSeq - 1);
    } else if (!rst && !ackUnderflow(r, peer, ackSeq)) {
      // update_ack_seq; acks on RSTs are not trusted. An ack of exactly 0 far ahead is broken.
      const delta = seqDelta(ackSeq, r[peer + Z.ACK_SEQ]!);
      if (!(ackSeq === 0 && delta > TOO_LARGE_SEQ_DELTA) && delta > 0)
        updateAckSeq(r, peer, ackSeq);
    }
  }

  // update_last_seq: payload that does not advance the highest sequence number sent is a
  // retransmission (T).
  const lastSeq = r[e + Z.LAST_SEQ]!;
  const deltaLast = seqDelta(onePast, lastSeq);
  if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) {
    // An outlandish SYN or RST sequence number is not trusted.
  } else if (fin && lastSeq === (r[e + Z.START_SEQ]! + 1) >>> 0) {
    // Only the SYN and now the FIN seen: take the FIN's number even if it looks old (> 2 GB).
    updateLastSeq(r, e, onePast);
  } else if (r[e + Z.STATE] === RESET) {
    // Sequence numbers after a RST are not trusted.
  } else if (deltaLast > 0) {
    updateLastSeq(r, e, onePast);
  } else if (len > 0) {
    if (scaledNext(r, e + Z.RXMIT_COUNT)) appendHistoryLetter(store, base, slot, isOrig, LETTER_T);
  }

  transition(r, e, peer, isOrig, syn, ack, fin, rst, len);
}

/** Zeek's get_relative_seq underflow test for an ack: before the peer's start, unwrapped. */
function ackUnderflow(r: Float64Array, peer: number, ackSeq: number): boolean {
  let wraps = r[peer + Z.ACK_WRAPS]!;
  const peerAck = r[peer + Z.ACK_SEQ]!;
  const delta = seqDelta(ackSeq, peerAck);
  if (delta < 0 && wraps > 0 && ackSeq > peerAck) wraps--;
  else if (delta > 0 && ackSeq < peerAck) wraps++;
  return wraps === 0 && seqDelta(ackSeq, r[peer + Z.START_SEQ]!) < 0;
}

/**
 * Zeek's UpdateStateMachine: every endpoint transition, one arm per state of the sender, each
 * following the TCPSessionAdapter method named in its comment. `orig` is the originator's
 * endpoint (for the rules that look at it whichever side sent).
 */
function transition(
  r: Float64Array,
  e: number,
  peer: number,
  isOrig: boolean,
  syn: boolean,
  ack: boolean,
  fin: boolean,
  rst: boolean,
  len: number,
): void {
  const orig = isOrig ? e : peer;
  const state = r[e + Z.STATE];
  switch (state) {
    case INACTIVE: {
      // UpdateInactiveState.
      if (syn) {
        if (isOrig) {
          // The originator opens; a SYN-ACK as its first packet is connection_originator_SYN_ack.
          setState(r, e, ack ? SYN_ACK_SENT : SYN_SENT);
        } else {
          // The responder answers the originator's SYN (or, without ACK, opens simultaneously):
          // both ends are established. A SYN answering the originator's SYN-ACK is Zeek's
          // SYN/SYN-ACK reversal: both are established too (Zeek also flips the roles there).
          if (!ack && r[peer + Z.STATE] === SYN_ACK_SENT) setState(r, peer, ESTABLISHED);
          if (r[peer + Z.STATE] === SYN_SENT) setState(r, peer, ESTABLISHED);
          setState(r, e, ESTABLISHED);
        }
      }
      if (fin) setState(r, e, CLOSED);
      if (rst) setState(r, e, RESET);
      if (r[e + Z.STATE] === INACTIVE) {
        // No control flag moved it.
        if (!isOrig && len === 0 && r[orig + Z.STATE] === SYN_SENT) {
          // Some TCPs ack an initial SYN before sending their SYN-ACK: not a partial connection.
        } else if (ack && r[peer + Z.STATE] === ESTABLISHED) {
          // The SYN was missed but the SYN-ACK seen: this ACK completes the handshake.
          setState(r, e, ESTABLISHED);
        } else {
          setState(r, e, PARTIAL);
        }
      }
      return;
    }
    case SYN_SENT:
    case SYN_ACK_SENT:
      // UpdateSYN_SentState: only a FIN or RST moves an endpoint whose handshake is pending;
      // the originator's ACK of the SYN-ACK does not (the responder's SYN-ACK moved it).
      if (fin) setState(r, e, CLOSED);
      if (rst) setState(r, e, RESET);
      return;
    case ESTABLISHED:
    case PARTIAL:
      // UpdateEstablishedState.
      if (syn && state === PARTIAL && r[peer + Z.STATE] === INACTIVE && !ack) {
        // SYN_after_partial: the connection starts over.
        setState(r, e, SYN_SENT);
      }
      if (fin && !rst) {
        setState(r, e, CLOSED);
        // The peer sent FIN then RST and now this side closes too: a normal termination.
        if (r[peer + Z.STATE] === RESET && r[peer + Z.PREV_STATE] === CLOSED)
          setState(r, peer, CLOSED);
      }
      if (rst) setState(r, e, RESET);
      return;
    case CLOSED:
      // UpdateClosedState: a RST after this side's FIN counts unless both sides had closed.
      if (rst && r[peer + Z.STATE] !== CLOSED) setState(r, e, RESET);
      return;
    default:
      // RESET (UpdateResetState): nothing moves an endpoint that has reset.
      return;
  }
}

/**
 * Zeek's endpoint `size` (TCP_Endpoint::Size, conn.log orig_bytes / resp_bytes): the sequence
 * space from the start to the highest number sent or acknowledged, less the SYN and FIN. It
 * counts bytes the capture missed but the peer acknowledged, and retransmissions only once.
 */
export function zeekSize(e: ZeekEndpoint, peer: ZeekEndpoint): number {
  // A half-open connection discovered and aborted: its numbers mean nothing.
  if (
    e.prevState === "TCP_SYN_SENT" &&
    e.state === "TCP_RESET" &&
    peer.state === "TCP_INACTIVE" &&
    !noDataAcked(e)
  )
    return 0;
  const last = e.seqWraps * TWO_32 + e.lastSeq;
  const acked = e.ackWraps * TWO_32 + e.ackSeq;
  let size = (last > acked ? last : acked) - e.startSeq;
  if (size !== 0) size--;
  if (e.finCount > 0 && size !== 0) size--;
  return size;
}

function noDataAcked(e: ZeekEndpoint): boolean {
  const acked = e.ackWraps * TWO_32 + e.ackSeq;
  return acked === e.startSeq || acked === e.startSeq + 1;
}

/** conn.log's orig_bytes and resp_bytes for a flow. */
export function zeekBytes(f: Flow): { readonly orig: number; readonly resp: number } {
  return { orig: zeekSize(f.zeekOrig, f.zeekResp), resp: zeekSize(f.zeekResp, f.zeekOrig) };
}

/** History of an originator that sent a SYN then a RST, with no SYN-ACK, ACK or FIN of its own. */
const RSTOS0_HISTORY = /^\^?S[^HAFGIQ]*R.*$/;

/** conn.log's `conn_state` for a TCP flow (see zeekConnStateOf). */
export function zeekConnState(f: Flow): string {
  return zeekConnStateOf(
    f.zeekOrig.state,
    f.zeekResp.state,
    () => f.history,
    () => {
      const b = zeekBytes(f);
      return b.orig === 0 && b.resp === 0;
    },
  );
}

/**
 * conn.log's `conn_state`: a pure function of the two endpoint states, the history and whether
 * both sizes are zero (the last two asked for only when they matter), exactly as `conn_state()`
 * in base/protocols/conn/main.zeek.
 */
export function zeekConnStateOf(
  os: ZeekEndpointState,
  rs: ZeekEndpointState,
  history: () => string,
  noBytes: () => boolean,
): string {
  const oInactive = os === "TCP_INACTIVE" || os === "TCP_PARTIAL";
  const rInactive = rs === "TCP_INACTIVE" || rs === "TCP_PARTIAL";

  if (rs === "TCP_RESET") {
    if (os === "TCP_SYN_SENT" || os === "TCP_SYN_ACK_SENT") return "REJ";
    if (os === "TCP_RESET" && noBytes()) return "REJ";
    return oInactive ? "RSTRH" : "RSTR";
  }
  if (os === "TCP_RESET") {
    if (rInactive) return RSTOS0_HISTORY.test(history()) ? "RSTOS0" : "OTH";
    return "RSTO";
  }
  if (rs === "TCP_CLOSED" && os === "TCP_CLOSED") return "SF";
  if (os === "TCP_CLOSED") return rInactive ? "SH" : "S2";
  if (rs === "TCP_CLOSED") return oInactive ? "SHR" : "S3";
  if (os === "TCP_SYN_SENT" && rs === "TCP_INACTIVE") return "S0";
  if (os === "TCP_ESTABLISHED" && rs === "TCP_ESTABLISHED") return "S1";
  return "OTH";
}
