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
import type { Flow, Side } from "./flow.js";
import { appendScaledEntry } from "./zeek-history.js";

/** Zeek's per-endpoint TCP states, named as in Zeek scripts (`c$orig$state == TCP_CLOSED`). */
export type ZeekEndpointState =
  | "TCP_INACTIVE"
  | "TCP_SYN_SENT"
  | "TCP_SYN_ACK_SENT"
  | "TCP_PARTIAL"
  | "TCP_ESTABLISHED"
  | "TCP_CLOSED"
  | "TCP_RESET";

/** Sequence deltas larger than this on a SYN or RST are not trusted (Zeek's TOO_LARGE_SEQ_DELTA). */
const TOO_LARGE_SEQ_DELTA = 1048576;
/** T and W are recorded at the 1st, 10th, 100th... occurrence (Session::ScaledHistoryEntry). */
const SCALING_BASE = 10;
const TWO_32 = 4294967296;

/** A count whose history letter is recorded at the 1st, 10th, 100th... occurrence. */
export class ScaledCount {
  count = 0;
  threshold = 1;

  /** Counts one more; true when this one gets a letter (Session::ScaledHistoryEntry). */
  next(): boolean {
    if (++this.count !== this.threshold) return false;
    this.threshold *= SCALING_BASE;
    return true;
  }
}

/** One endpoint as Zeek's TCP analyzer keeps it (TCP_Endpoint), as far as states need. */
export class ZeekEndpoint {
  state: ZeekEndpointState = "TCP_INACTIVE";
  prevState: ZeekEndpointState = "TCP_INACTIVE";
  /** Initial sequence number (or one before the first seen, for a partial connection). */
  startSeq = 0;
  /** One past the highest sequence number this endpoint sent, and its 2^32 wraps. */
  lastSeq = 0;
  seqWraps = 0;
  /** Highest acknowledgement the peer sent for this endpoint's data, and its wraps. */
  ackSeq = 0;
  ackWraps = 0;
  finCount = 0;
  /** Retransmissions (T) and zero windows (W) sent, for the history's 1, 10, 100... scale. */
  readonly rxmit = new ScaledCount();
  readonly zeroWindow = new ScaledCount();
}

/** `a - b` as Zeek's seq_delta: a signed 32-bit distance. */
function seqDelta(a: number, b: number): number {
  return (a - b) | 0;
}

/** InitStartSeq, InitAckSeq and InitLastSeq together (the wrap counts are kept, as in Zeek). */
function initStart(e: ZeekEndpoint, start: number, last: number): void {
  e.startSeq = start >>> 0;
  e.ackSeq = start >>> 0;
  e.lastSeq = last >>> 0;
}

function updateLastSeq(e: ZeekEndpoint, seq: number): void {
  if (seq < e.lastSeq) e.seqWraps++;
  e.lastSeq = seq;
}

function updateAckSeq(e: ZeekEndpoint, seq: number): void {
  if (seq < e.ackSeq) e.ackWraps++;
  e.ackSeq = seq;
}

/** The one place a Zeek endpoint state changes (TCP_Endpoint::SetState). */
function setState(e: ZeekEndpoint, next: ZeekEndpointState): void {
  if (next === e.state) return;
  e.prevState = e.state;
  e.state = next;
}

/**
 * Zeek's init_endpoint: (re)initialise the sender's sequence space from this segment. An
 * endpoint still INACTIVE is re-initialised by every packet it sends; a SYN restarts it.
 */
function initEndpoint(e: ZeekEndpoint, syn: boolean, seq: number, onePast: number): void {
  switch (e.state) {
    case "TCP_INACTIVE":
      // A partial connection numbers its bytes as though a SYN had come just before.
      if (syn) initStart(e, seq, onePast);
      else initStart(e, seq - 1, seq);
      return;
    case "TCP_SYN_SENT":
    case "TCP_SYN_ACK_SENT":
      if (syn && seq !== e.startSeq) initStart(e, seq, onePast); // SYN_seq_jump
      return;
    case "TCP_ESTABLISHED":
    case "TCP_PARTIAL":
      // A SYN inside a connection: guess this is the one that really sets it up.
      if (syn) initStart(e, seq, onePast);
      return;
    case "TCP_RESET":
      // Numbers taken from a RST (perhaps spoofed) give way to a later SYN.
      if (syn && e.prevState === "TCP_INACTIVE") initStart(e, seq, onePast);
      return;
    case "TCP_CLOSED":
      return;
    default: {
      const unreachable: never = e.state;
      return unreachable;
    }
  }
}

/**
 * Moves Zeek's endpoint states for one packet from `side`, and records the T and W history
 * letters. Call it for every TCP packet of the flow, after `appendHistory` (Zeek records a
 * packet's flag letter before its W and T).
 */
export function updateZeekState(f: Flow, side: Side, p: DecodedPacket): void {
  const isOrig = side === "client";
  const e = isOrig ? f.zeekOrig : f.zeekResp;
  const peer = isOrig ? f.zeekResp : f.zeekOrig;
  const syn = (p.flags & TCP_SYN) !== 0;
  const fin = (p.flags & TCP_FIN) !== 0;
  const rst = (p.flags & TCP_RST) !== 0;
  const ack = (p.flags & TCP_ACK) !== 0;
  const len = p.payloadLen;
  const seq = p.seq >>> 0;
  const ackSeq = p.ack >>> 0;

  // SYN and FIN take one sequence number each; a RST's payload is not part of the stream.
  let segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
  if (rst) segLen -= len;
  const onePast = (seq + segLen) >>> 0;

  initEndpoint(e, syn, seq, onePast);

  // update_window: a zero window is news unless it comes with or after a RST, or after the
  // peer's FIN (no window matters then). SYNs and FINs count; the scale does not change zero.
  const zeroWindowNews =
    p.window === 0 && !rst && peer.state !== "TCP_CLOSED" && e.state !== "TCP_RESET";
  if (zeroWindowNews && e.zeroWindow.next()) appendScaledEntry(f, side, "W");

  if (fin) e.finCount++;

  if (ack) {
    if (peer.state === "TCP_INACTIVE") {
      // init_peer: number the silent peer's bytes from what this packet acknowledges.
      initStart(peer, ackSeq - 1, ackSeq - 1);
    } else if (!rst && !ackUnderflow(peer, ackSeq)) {
      // update_ack_seq; acks on RSTs are not trusted. An ack of exactly 0 far ahead is broken.
      const delta = seqDelta(ackSeq, peer.ackSeq);
      if (!(ackSeq === 0 && delta > TOO_LARGE_SEQ_DELTA) && delta > 0) updateAckSeq(peer, ackSeq);
    }
  }

  // update_last_seq: payload that does not advance the highest sequence number sent is a
  // retransmission (T).
  const deltaLast = seqDelta(onePast, e.lastSeq);
  if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) {
    // An outlandish SYN or RST sequence number is not trusted.
  } else if (fin && e.lastSeq === (e.startSeq + 1) >>> 0) {
    // Only the SYN and now the FIN seen: take the FIN's number even if it looks old (> 2 GB).
    updateLastSeq(e, onePast);
  } else if (e.state === "TCP_RESET") {
    // Sequence numbers after a RST are not trusted.
  } else if (deltaLast > 0) {
    updateLastSeq(e, onePast);
  } else if (len > 0) {
    if (e.rxmit.next()) appendScaledEntry(f, side, "T");
  }

  transition(e, peer, isOrig, syn, ack, fin, rst, len);
}

/** Zeek's get_relative_seq underflow test for an ack: before the peer's start, unwrapped. */
function ackUnderflow(peer: ZeekEndpoint, ackSeq: number): boolean {
  let wraps = peer.ackWraps;
  const delta = seqDelta(ackSeq, peer.ackSeq);
  if (delta < 0 && wraps > 0 && ackSeq > peer.ackSeq) wraps--;
  else if (delta > 0 && ackSeq < peer.ackSeq) wraps++;
  return wraps === 0 && seqDelta(ackSeq, peer.startSeq) < 0;
}

/**
 * Zeek's UpdateStateMachine: every endpoint transition, one arm per state of the sender, each
 * following the TCPSessionAdapter method named in its comment. `orig` is the originator's
 * endpoint (for the rules that look at it whichever side sent).
 */
function transition(
  e: ZeekEndpoint,
  peer: ZeekEndpoint,
  isOrig: boolean,
  syn: boolean,
  ack: boolean,
  fin: boolean,
  rst: boolean,
  len: number,
): void {
  const orig = isOrig ? e : peer;
  const state = e.state;
  switch (state) {
    case "TCP_INACTIVE": {
      // UpdateInactiveState.
      if (syn) {
        if (isOrig) {
          // The originator opens; a SYN-ACK as its first packet is connection_originator_SYN_ack.
          setState(e, ack ? "TCP_SYN_ACK_SENT" : "TCP_SYN_SENT");
        } else {
          // The responder answers the originator's SYN (or, without ACK, opens simultaneously):
          // both ends are established. A SYN answering the originator's SYN-ACK is Zeek's
          // SYN/SYN-ACK reversal: both are established too (Zeek also flips the roles there).
          if (!ack && peer.state === "TCP_SYN_ACK_SENT") setState(peer, "TCP_ESTABLISHED");
          if (peer.state === "TCP_SYN_SENT") setState(peer, "TCP_ESTABLISHED");
          setState(e, "TCP_ESTABLISHED");
        }
      }
      if (fin) setState(e, "TCP_CLOSED");
      if (rst) setState(e, "TCP_RESET");
      if (e.state === "TCP_INACTIVE") {
        // No control flag moved it.
        if (!isOrig && len === 0 && orig.state === "TCP_SYN_SENT") {
          // Some TCPs ack an initial SYN before sending their SYN-ACK: not a partial connection.
        } else if (ack && peer.state === "TCP_ESTABLISHED") {
          // The SYN was missed but the SYN-ACK seen: this ACK completes the handshake.
          setState(e, "TCP_ESTABLISHED");
        } else {
          setState(e, "TCP_PARTIAL");
        }
      }
      return;
    }
    case "TCP_SYN_SENT":
    case "TCP_SYN_ACK_SENT":
      // UpdateSYN_SentState: only a FIN or RST moves an endpoint whose handshake is pending;
      // the originator's ACK of the SYN-ACK does not (the responder's SYN-ACK moved it).
      if (fin) setState(e, "TCP_CLOSED");
      if (rst) setState(e, "TCP_RESET");
      return;
    case "TCP_ESTABLISHED":
    case "TCP_PARTIAL":
      // UpdateEstablishedState.
      if (syn && state === "TCP_PARTIAL" && peer.state === "TCP_INACTIVE" && !ack) {
        // SYN_after_partial: the connection starts over.
        setState(e, "TCP_SYN_SENT");
      }
      if (fin && !rst) {
        setState(e, "TCP_CLOSED");
        // The peer sent FIN then RST and now this side closes too: a normal termination.
        if (peer.state === "TCP_RESET" && peer.prevState === "TCP_CLOSED")
          setState(peer, "TCP_CLOSED");
      }
      if (rst) setState(e, "TCP_RESET");
      return;
    case "TCP_CLOSED":
      // UpdateClosedState: a RST after this side's FIN counts unless both sides had closed.
      if (rst && peer.state !== "TCP_CLOSED") setState(e, "TCP_RESET");
      return;
    case "TCP_RESET":
      // UpdateResetState: nothing moves an endpoint that has reset.
      return;
    default: {
      const unreachable: never = state;
      return unreachable;
    }
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

/**
 * conn.log's `conn_state` for a TCP flow: a pure function of the two endpoint states, the
 * history and the sizes, exactly as `conn_state()` in base/protocols/conn/main.zeek.
 */
export function zeekConnState(f: Flow): string {
  const os = f.zeekOrig.state;
  const rs = f.zeekResp.state;
  const oInactive = os === "TCP_INACTIVE" || os === "TCP_PARTIAL";
  const rInactive = rs === "TCP_INACTIVE" || rs === "TCP_PARTIAL";

  if (rs === "TCP_RESET") {
    if (os === "TCP_SYN_SENT" || os === "TCP_SYN_ACK_SENT") return "REJ";
    if (os === "TCP_RESET") {
      const b = zeekBytes(f);
      if (b.orig === 0 && b.resp === 0) return "REJ";
    }
    return oInactive ? "RSTRH" : "RSTR";
  }
  if (os === "TCP_RESET") {
    if (rInactive) return RSTOS0_HISTORY.test(f.history) ? "RSTOS0" : "OTH";
    return "RSTO";
  }
  if (rs === "TCP_CLOSED" && os === "TCP_CLOSED") return "SF";
  if (os === "TCP_CLOSED") return rInactive ? "SH" : "S2";
  if (rs === "TCP_CLOSED") return oInactive ? "SHR" : "S3";
  if (os === "TCP_SYN_SENT" && rs === "TCP_INACTIVE") return "S0";
  if (os === "TCP_ESTABLISHED" && rs === "TCP_ESTABLISHED") return "S1";
  return "OTH";
}
