/**
 * Rebuilds TCP connections from decoded packets: finds each packet's flow, updates what its
 * sender's direction carried, moves both endpoints' inferred states, and hands every finished
 * flow to a sink.
 *
 * Memory is bounded by the flows alive at once, not by the capture: a flow is handed over and
 * forgotten once both sides have closed (or one reset it) and it has been quiet for the close
 * linger (late retransmissions and RSTs still reach it until then; Zeek's tcp_close_delay is the
 * same idea), or once it has been idle for the idle timeout, or when a new SYN reuses its
 * 4-tuple, or at the end of the capture. Only its 4-tuple, id and end time are remembered for
 * the TIME_WAIT period, to recognise a new connection that reuses the tuple inside 2*MSL. A flow
 * lives in a record of a flow store (flow-store.ts), not in objects: the garbage collector has
 * nothing to do per connection.
 *
 * Roles: the client is the endpoint that sent the first SYN. A flow whose first packet is a
 * SYN-ACK takes the receiver as client. A flow first seen mid-stream starts with both endpoints
 * UNKNOWN and its roles are guessed from the ports (see `guessClientIsSender`), marked inferred.
 *
 * Limitations: no reassembly (each segment is taken as it comes); RSTs are not checked against
 * the receive window; a 4-tuple seen on several interfaces at once (a merged capture) is one flow.
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type DecodedPacket } from "../decode/index.js";
import type { AppForward } from "./app-forward.js";
import type { AppSessionFactories } from "./app-context.js";
import { AppSniffer, detectApp } from "./app-sniffer.js";
import { D, E, F, Tuple } from "./flow-layout.js";
import { FlowStore } from "./flow-store.js";
import { Flow, type Side } from "./flow.js";
import { TupleTable, packetHash } from "./flow-table.js";
import { RecentTuples } from "./recent-tuples.js";
import { appendFlip, appendHistory } from "./zeek-history.js";
import { initZeekEndpoint, updateZeekState } from "./zeek-state.js";
import { seqAdd, seqGe, seqGt, seqLe, seqLt, seqDiff } from "./seq.js";
import { hasClosed, nextState, tcpStateCode, tcpStateOf, type TcpEvent } from "./tcp-state.js";

export interface FlowTrackerOptions {
  /** How long an endpoint stays in TIME_WAIT (Linux: 60 s, TCP_TIMEWAIT_LEN). */
  readonly timeWaitSec: number;
  /** A flow with no packet for this long is finished and handed over. */
  readonly idleTimeoutSec: number;
  /** A closed or reset flow quiet for this long is finished and handed over. */
  readonly closeLingerSec: number;
  /**
   * At most this many closed flows linger at once; past it the oldest is finished early. Keeps
   * memory bounded when connections close faster than the linger lets them go (a storm of
   * short connections).
   */
  readonly maxLingering: number;
  /**
   * At most this many finished 4-tuples are remembered (for port reuse and stragglers); past it
   * the oldest is forgotten before its TIME_WAIT period ends.
   */
  readonly maxRemembered: number;
  /**
   * At most this many flows are alive at once (open or lingering); a new one past it first
   * finishes the flow quiet for longest (a lingering closed one, else the least recently active
   * open one) as if its idle timeout had run out. Keeps memory bounded by this, not by the
   * capture, when a SYN flood or a scan opens flows faster than any timeout ends them. Absent:
   * no limit.
   */
  readonly maxFlows?: number;
  /**
   * Parsers for the payload protocols to read (HTTP/1.x, TLS: see app-sniffer.ts); absent, no
   * payload is parsed.
   */
  readonly appSessions?: AppSessionFactories;
  /**
   * With appSessions: where the payload of connections parsed on another thread goes
   * (app-forward.ts); absent, all are parsed here.
   */
  readonly appForward?: AppForward;
  /** Keep each flow's first `head` and last `tail` packets (see packet-log.ts); absent, none. */
  readonly keepPackets?: { readonly head: number; readonly tail: number };
}

export const DEFAULT_TRACKER_OPTIONS: FlowTrackerOptions = {
  timeWaitSec: 60,
  idleTimeoutSec: 900,
  closeLingerSec: 5,
  maxLingering: 10_000,
  maxRemembered: 200_000,
};

export type FlowEndReason = "closed" | "idle" | "reused" | "capture-end";

export interface FlowSink {
  /**
   * A flow is finished: nothing will be added to it. The view is valid only during this call
   * (its record is then reused); `detachFlow(flow)` (flow-batch.ts) keeps a copy.
   */
  flowEnded(flow: Flow, reason: FlowEndReason): void;
  /** Optional: each packet, after it was added to its flow (for following one flow). */
  packetAdded?(flow: Flow, side: Side, frame: number, p: DecodedPacket): void;
}

/** Doubly linked list of flows (store slots) in order of last activity, for expiry without scanning. */
class ActivityList {
  head = -1;
  tail = -1;
  length = 0;
  constructor(
    private readonly store: FlowStore,
    readonly id: number,
  ) {}

  append(slot: number): void {
    const links = this.store.links;
    this.length++;
    this.store.listOf[slot] = this.id;
    links[slot * 2] = this.tail;
    links[slot * 2 + 1] = -1;
    if (this.tail >= 0) links[this.tail * 2 + 1] = slot;
    else this.head = slot;
    this.tail = slot;
  }

  unlink(slot: number): void {
    const links = this.store.links;
    const prev = links[slot * 2]!;
    const next = links[slot * 2 + 1]!;
    if (prev >= 0) links[prev * 2 + 1] = next;
    else this.head = next;
    if (next >= 0) links[next * 2] = prev;
    else this.tail = prev;
    this.store.listOf[slot] = 0;
    this.length--;
  }
}

const OPEN_LIST = 1;
const CLOSED_LIST = 2;
/** Expiry is checked at most this often (seconds of capture time), not at every packet. */
const SWEEP_INTERVAL_SEC = 1;

// State codes as stored (see tcp-state.ts).
const UNKNOWN = tcpStateCode("UNKNOWN");
const CLOSED = tcpStateCode("CLOSED");
const SYN_SENT = tcpStateCode("SYN_SENT");
const SYN_RECEIVED = tcpStateCode("SYN_RECEIVED");
/** Codes of `closedBy` (Flow.closedBy) and `close` (Flow.close). */
const BY_CLIENT = 1;
const BY_SERVER = 2;
const CLOSE_FIN = 1;
const CLOSE_RST = 2;
/** Codes of F.APP. */
const APP_UNDECIDED = 0;
const APP_PARSED = 1;
const APP_NONE = 2;

export class FlowTracker {
  private readonly store: FlowStore;
  private readonly table: TupleTable;
  private readonly sniffer: AppSniffer | undefined;
  /** Recently finished 4-tuples, oldest first, kept for the TIME_WAIT period. */
  private readonly recent: RecentTuples;
  private readonly open: ActivityList;
  private readonly closed: ActivityList;
  /** Views handed to the sink: one for finished flows, one for packets followed. */
  private readonly endedView: Flow;
  private readonly packetView: Flow;
  private nextId = 1;
  /** Whether the packet that made the last flow was sent by its client. */
  private createdFromClient = true;
  /**
   * Relative time of the last sweep. -0, not 0: a field that starts as a small integer and
   * later holds a fraction changes the object's hidden class, and at the first sweep V8 threw
   * away the optimised code of six of the tracker's methods (update, sniff, create, transition,
   * noteFirstClose, finish: `--trace-deopt`, "wrong map") to compile them again.
   */
  private lastSweep = -0;
  /** Whole seconds of the first packet: every flow time is relative to it. */
  baseSec = -1;
  /** Relative time of the latest packet. */
  now = 0;
  /**
   * Relative time of the packet being added. Kept in a field rather than passed along: a double
   * passed to a function V8 does not inline is boxed, an allocation per call per packet.
   */
  private t = 0;
  /** Packets that reached the tracker; flows created. */
  packets = 0;
  flows = 0;
  /** Highest number of flows alive at once. */
  peakLive = 0;
  /** Packets on the 4-tuple of a finished, closed flow that did not start a new one. */
  latePackets = 0;
  /** Flows finished early because maxFlows were alive when a new one came. */
  evictedFlows = 0;

  constructor(
    private readonly sink: FlowSink,
    private readonly options: FlowTrackerOptions = DEFAULT_TRACKER_OPTIONS,
  ) {
    this.store = new FlowStore(options.keepPackets);
    this.table = new TupleTable(this.store, F.STRIDE);
    this.open = new ActivityList(this.store, OPEN_LIST);
    this.closed = new ActivityList(this.store, CLOSED_LIST);
    this.endedView = new Flow(this.store);
    this.packetView = new Flow(this.store);
    this.sniffer =
      options.appSessions === undefined
        ? undefined
        : new AppSniffer(options.appSessions, options.appForward);
    this.recent = new RecentTuples(options.maxRemembered);
  }

  get live(): number {
    return this.table.size;
  }

  /** Relative time of an absolute capture timestamp. */
  relative(tsSec: number, tsNsec: number): number {
    return tsSec - this.baseSec + tsNsec * 1e-9;
  }

  /** Adds one TCP packet (`p.status === "tcp"`). */
  packet(frame: number, tsSec: number, tsNsec: number, p: DecodedPacket): void {
    if (this.baseSec < 0) this.baseSec = tsSec;
    const t = tsSec - this.baseSec + tsNsec * 1e-9;
    this.t = t;
    // Time going backwards (merged or reordered captures) must not run expiry backwards.
    if (t > this.now) this.now = t;
    this.packets++;
    if (this.now - this.lastSweep >= SWEEP_INTERVAL_SEC) this.sweep();

    const hash = packetHash(p);
    let slot = this.table.find(p, hash);
    // Which side sent it: from the lookup, or, for a new flow, from how create() set the roles.
    let fromClient = this.table.side === 1;
    const isSyn = (p.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (slot >= 0 && isSyn && this.startsNewIncarnation(slot, fromClient, p)) {
      const r = this.store.f64;
      const previousId = r[slot * F.STRIDE + F.ID]!;
      const previousEnd = r[slot * F.STRIDE + F.END_AT]!;
      this.finish(slot, "reused");
      slot = this.create(frame, p, hash);
      fromClient = this.createdFromClient;
      this.notePrevious(slot, previousId, previousEnd);
    } else if (slot < 0) {
      let closed = this.recent.find(p, hash);
      if (closed >= 0 && !isSyn) {
        // A straggler (a retransmitted FIN or ACK, a RST answering one) after the connection
        // closed and was finished: counted, not taken for a new connection seen mid-stream.
        this.latePackets++;
        return;
      }
      if (this.table.size >= this.maxFlows) {
        this.evictOne();
        // The flow finished may have taken the place of the remembered one: look again.
        if (closed >= 0) closed = this.recent.find(p, hash);
      }
      slot = this.create(frame, p, hash);
      fromClient = this.createdFromClient;
      if (closed >= 0) {
        this.notePrevious(slot, this.recent.idOf(closed), this.recent.endOf(closed));
        this.recent.take(closed);
      }
    }
    this.update(slot, fromClient, frame, p);
    if (this.sink.packetAdded !== undefined) {
      const side = fromClient ? "client" : "server";
      this.sink.packetAdded(this.packetView.show(slot), side, frame, p);
    }
  }

  /** Finishes every flow still alive: the capture has ended. */
  end(): void {
    this.endSome(Infinity);
  }

  /**
   * Finishes at most `n` of the flows still alive (the capture has ended); true once none is
   * left. Lets a caller end a million live flows in slices, waiting between them for whoever
   * takes the flows.
   */
  endSome(n: number): boolean {
    let left = n;
    for (const list of [this.closed, this.open]) {
      while (list.head >= 0) {
        if (left-- <= 0) return false;
        this.finish(list.head, "capture-end");
      }
    }
    return true;
  }

  private notePrevious(slot: number, previousId: number, previousEnd: number): void {
    const r = this.store.f64;
    r[slot * F.STRIDE + F.PREVIOUS_ID] = previousId;
    r[slot * F.STRIDE + F.REUSE_GAP] = this.t - previousEnd;
  }

  /**
   * A SYN on a 4-tuple already in the table starts a new connection when the old one is over
   * (reset, or closed by both sides) or when it carries a different initial sequence number
   * than the SYN that opened the old one (the client gave up and the port was reused).
   * Otherwise it is a retransmission.
   */
  private startsNewIncarnation(slot: number, fromClient: boolean, p: DecodedPacket): boolean {
    const r = this.store.f64;
    const b = slot * F.STRIDE;
    const c = b + F.CLIENT;
    const s = b + F.SERVER;
    if (r[c + D.RST_FRAME] !== 0 || r[s + D.RST_FRAME] !== 0) return true;
    if (r[c + D.FIN_FRAME] !== 0 && r[s + D.FIN_FRAME] !== 0) return true;
    const sender = fromClient ? c : s;
    return r[sender + D.SYN_FRAME] !== 0
      ? r[sender + D.ISN] !== p.seq
      : r[b + F.PACKETS]! > 0 && r[c + D.SYN_FRAME] === 0;
  }

  private create(frame: number, p: DecodedPacket, hash: number): number {
    const t = this.t;
    const slot = this.store.alloc();
    const r = this.store.f64;
    const b = slot * F.STRIDE;
    const syn = (p.flags & TCP_SYN) !== 0;
    const ack = (p.flags & TCP_ACK) !== 0;
    let senderIsClient: boolean;
    if (syn) {
      // SYN: the sender opens. SYN-ACK first (the SYN was missed): the receiver opened.
      senderIsClient = !ack;
    } else {
      senderIsClient = guessClientIsSender(p.srcPort, p.dstPort);
      r[b + F.ROLE_INFERRED] = 1;
    }
    r[b + Tuple.IP_VERSION] = p.ipVersion === 6 ? 6 : 4;
    r[b + Tuple.HASH] = hash;
    r[b + (senderIsClient ? Tuple.C0 : Tuple.S0)] = p.src0;
    r[b + (senderIsClient ? Tuple.C1 : Tuple.S1)] = p.src1;
    r[b + (senderIsClient ? Tuple.C2 : Tuple.S2)] = p.src2;
    r[b + (senderIsClient ? Tuple.C3 : Tuple.S3)] = p.src3;
    r[b + (senderIsClient ? Tuple.C_PORT : Tuple.S_PORT)] = p.srcPort;
    r[b + (senderIsClient ? Tuple.S0 : Tuple.C0)] = p.dst0;
    r[b + (senderIsClient ? Tuple.S1 : Tuple.C1)] = p.dst1;
    r[b + (senderIsClient ? Tuple.S2 : Tuple.C2)] = p.dst2;
    r[b + (senderIsClient ? Tuple.S3 : Tuple.C3)] = p.dst3;
    r[b + (senderIsClient ? Tuple.S_PORT : Tuple.C_PORT)] = p.dstPort;
    r[b + F.ID] = this.nextId++;
    r[b + F.START_AT] = r[b + F.END_AT] = t;
    r[b + F.FIRST_FRAME] = r[b + F.LAST_FRAME] = frame;
    r[b + F.CLOSE_AT] = -1;
    r[b + F.UNANSWERED_SINCE] = -1;
    r[b + F.REUSE_GAP] = -1;
    initDirection(r, b + F.CLIENT);
    initDirection(r, b + F.SERVER);
    const initial = syn ? CLOSED : UNKNOWN;
    r[b + F.CLIENT_STATE] = r[b + F.SERVER_STATE] = initial;
    initTimeline(r, b + F.CLIENT_END, initial, t, frame);
    initTimeline(r, b + F.SERVER_END, initial, t, frame);
    initZeekEndpoint(r, b + F.ZEEK_ORIG);
    initZeekEndpoint(r, b + F.ZEEK_RESP);
    // Zeek marks a connection whose originator is not the first packet's sender.
    if (!senderIsClient) appendFlip(this.store, b, slot);
    this.createdFromClient = senderIsClient;
    this.table.insert(slot, hash);
    this.open.append(slot);
    this.flows++;
    if (this.table.size > this.peakLive) this.peakLive = this.table.size;
    return slot;
  }

  private update(slot: number, fromClient: boolean, frame: number, p: DecodedPacket): void {
    const t = this.t;
    const r = this.store.f64;
    const b = slot * F.STRIDE;
    // The sender's direction and endpoint, and its peer's.
    const d = b + (fromClient ? F.CLIENT : F.SERVER);
    const peer = b + (fromClient ? F.SERVER : F.CLIENT);
    // The sender's and the receiver's current state.
    const se = b + (fromClient ? F.CLIENT_STATE : F.SERVER_STATE);
    const re = b + (fromClient ? F.SERVER_STATE : F.CLIENT_STATE);
    const flags = p.flags;
    const syn = (flags & TCP_SYN) !== 0;
    const ackFlag = (flags & TCP_ACK) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const len = p.payloadLen;
    const seq = p.seq;
    const ack = p.ack;

    r[b + F.PACKETS]!++;
    r[b + F.LAST_FRAME] = frame;
    if (t > r[b + F.END_AT]!) r[b + F.END_AT] = t;
    r[d + D.PACKETS]!++;
    // The IP header (with any IPv6 extension headers) up to the TCP header, and what follows.
    r[d + D.IP_BYTES]! += p.payloadOffset - p.tcpHeaderLen - p.ipOffset + p.ipPayloadLen;
    if (r[d + D.FIRST_AT]! < 0) r[d + D.FIRST_AT] = t;
    r[d + D.LAST_AT] = t;
    appendHistory(this.store, b, slot, fromClient, d, p);
    updateZeekState(this.store, b, slot, fromClient, p);
    this.store.log?.add(slot, frame, t, fromClient, p);

    if (syn) {
      if (r[d + D.SYN_FRAME] === 0) {
        r[d + D.SYN_FRAME] = frame;
        r[d + D.SYN_AT] = t;
        r[d + D.ISN] = seq;
        r[d + D.NEXT_SEQ] = seqAdd(seq, 1 + len);
        r[d + D.SEQ_KNOWN] = 1;
        r[d + D.MSS] = p.mss;
        r[d + D.WINDOW_SCALE] = p.windowScale;
        // Data in the SYN (TCP Fast Open, RFC 7413) is the first payload: the request, usually.
        if (len > 0 && this.sniffer !== undefined)
          this.sniff(slot, b, d, fromClient, p, len, 0, frame);
      }
      r[d + D.SYN_COUNT]!++;
      this.transition(b, fromClient, ackFlag ? "send-syn-ack" : "send-syn", frame);
    }

    // Acknowledgements first: a FIN that also acknowledges the peer's FIN moves the peer to
    // FIN_WAIT_2 before this FIN moves it on to TIME_WAIT.
    if (ackFlag && !rst) {
      if (r[d + D.ACK_KNOWN] === 0 || seqGt(ack, r[d + D.HIGHEST_ACK]!)) {
        r[d + D.HIGHEST_ACK] = ack;
        r[d + D.ACK_KNOWN] = 1;
      }
      if (r[peer + D.SYN_FRAME] !== 0 && seqGe(ack, seqAdd(r[peer + D.ISN]!, 1))) {
        if (r[se] === SYN_SENT) this.transition(b, fromClient, "ack-peer-syn", frame);
        if (r[re] === SYN_RECEIVED && !syn)
          this.transition(b, !fromClient, "peer-acked-syn", frame);
      }
      // An endpoint is taken to have received the peer's FIN when it acknowledges it, not when
      // the FIN passes the capture point: a FIN that crossed its own (simultaneous close), or
      // that reached a socket already gone (answered by RST, not ACK), must not move it.
      if (
        r[peer + D.FIN_FRAME] !== 0 &&
        r[peer + D.FIN_ACKED_AT]! < 0 &&
        seqGe(ack, seqAdd(r[peer + D.FIN_SEQ]!, 1))
      ) {
        r[peer + D.FIN_ACKED_AT] = t;
        this.transition(b, !fromClient, "peer-acked-fin", frame);
        this.transition(b, fromClient, "receive-fin", frame);
      }
      // The peer's bytes this ACK covers but the capture never showed: capture loss.
      if (r[peer + D.SEQ_KNOWN] !== 0 && seqGt(ack, r[peer + D.NEXT_SEQ]!)) {
        const gap = seqDiff(ack, r[peer + D.NEXT_SEQ]!) - (r[peer + D.FIN_FRAME] !== 0 ? 1 : 0);
        if (gap > 0) {
          r[peer + D.UNSEEN_BYTES]! += gap;
          if (r[peer + D.UNSEEN_FRAME] === 0) r[peer + D.UNSEEN_FRAME] = frame;
        }
        r[peer + D.NEXT_SEQ] = ack;
      }
    }

    if (len > 0 && !syn) {
      const end = seqAdd(seq, len);
      // The payload bytes seen for the first time, and the sequence space skipped before them.
      let fresh = 0;
      let skipped = 0;
      if (r[d + D.SEQ_KNOWN] === 0) {
        r[d + D.SEQ_KNOWN] = 1;
        r[d + D.NEXT_SEQ] = end;
        r[d + D.UNIQUE_BYTES]! += len;
        r[d + D.BYTES_SINCE_PEER_DATA]! += len;
        fresh = len;
      } else if (seqLe(end, r[d + D.NEXT_SEQ]!)) {
        r[d + D.RETRANSMITS]!++;
      } else {
        const nextSeq = r[d + D.NEXT_SEQ]!;
        fresh = seqLt(seq, nextSeq) ? seqDiff(end, nextSeq) : len;
        if (seqGt(seq, nextSeq)) skipped = seqDiff(seq, nextSeq);
        r[d + D.UNIQUE_BYTES]! += fresh;
        r[d + D.BYTES_SINCE_PEER_DATA]! += fresh;
        r[d + D.NEXT_SEQ] = end;
      }
      if (fresh > 0 && this.sniffer !== undefined && r[b + F.APP] !== APP_NONE)
        this.sniff(slot, b, d, fromClient, p, fresh, skipped, frame);
      r[peer + D.BYTES_SINCE_PEER_DATA] = 0;
      r[d + D.PAYLOAD_BYTES]! += len;
      r[d + D.DATA_SEGMENTS]!++;
      if (r[d + D.FIRST_DATA_AT]! < 0) {
        r[d + D.FIRST_DATA_AT] = t;
        r[d + D.FIRST_DATA_FRAME] = frame;
      }
      r[d + D.LAST_DATA_AT] = t;
      r[d + D.LAST_DATA_FRAME] = frame;
    } else if (r[d + D.SEQ_KNOWN] === 0 && !syn) {
      r[d + D.SEQ_KNOWN] = 1;
      r[d + D.NEXT_SEQ] = seq;
    }
    if (!syn && !fin && !rst && r[se] === UNKNOWN)
      this.transition(b, fromClient, "send-segment", frame);
    if (
      (len > 0 || fin) &&
      !rst &&
      r[peer + D.FIN_FRAME] !== 0 &&
      r[peer + D.FIRST_LATE_FRAME] === 0
    )
      r[peer + D.FIRST_LATE_FRAME] = frame;

    if (!syn && !fin && !rst && p.window === 0) {
      r[d + D.ZERO_WINDOW_COUNT]!++;
      if (r[d + D.ZERO_WINDOW_FRAME] === 0) {
        r[d + D.ZERO_WINDOW_FRAME] = frame;
        r[d + D.ZERO_WINDOW_AT] = t;
      }
    }

    if (fin && !rst) {
      r[d + D.FIN_COUNT]!++;
      if (r[d + D.FIN_FRAME] === 0) {
        r[d + D.FIN_FRAME] = frame;
        r[d + D.FIN_AT] = t;
        const finSeq = seqAdd(seq, len);
        r[d + D.FIN_SEQ] = finSeq;
        if (seqGe(seqAdd(finSeq, 1), r[d + D.NEXT_SEQ]!)) r[d + D.NEXT_SEQ] = seqAdd(finSeq, 1);
        this.noteFirstClose(b, fromClient, CLOSE_FIN, frame);
        this.transition(b, fromClient, "send-fin", frame);
        if (r[b + F.APP] === APP_PARSED)
          this.sniffer?.session(slot)?.closed(fromClient, false, t, frame);
      }
    }

    if (rst) {
      r[d + D.RST_COUNT]!++;
      if (r[d + D.RST_FRAME] === 0) {
        r[d + D.RST_FRAME] = frame;
        r[d + D.RST_AT] = t;
        r[d + D.RST_SENDER_STATE] = r[se]!;
        r[d + D.RST_PEER_STATE] = r[re]!;
        r[d + D.RST_UNANSWERED_BYTES] = r[peer + D.BYTES_SINCE_PEER_DATA]!;
        // After its own FIN, an endpoint that answers the peer's later data or FIN with a RST
        // had no socket left to take them: the app closed, or FIN_WAIT_2 expired.
        if (r[d + D.FIN_FRAME] !== 0) r[d + D.RST_ANSWERED_LATE_FRAME] = r[d + D.FIRST_LATE_FRAME]!;
        this.noteFirstClose(b, fromClient, CLOSE_RST, frame);
        if (r[b + F.APP] === APP_PARSED)
          this.sniffer?.session(slot)?.closed(fromClient, true, t, frame);
      }
      this.transition(b, fromClient, "send-rst", frame);
      this.transition(b, !fromClient, "receive-rst", frame);
    }

    const over =
      rst ||
      (hasClosed(tcpStateOf(r[b + F.CLIENT_STATE]!)) &&
        hasClosed(tcpStateOf(r[b + F.SERVER_STATE]!)));
    const listId = this.store.listOf[slot];
    // Already the most recent of the list it belongs in (a burst of packets of one flow).
    if (listId === (over ? CLOSED_LIST : OPEN_LIST) && this.store.links[slot * 2 + 1] === -1)
      return;
    if (listId === OPEN_LIST) this.open.unlink(slot);
    else if (listId === CLOSED_LIST) this.closed.unlink(slot);
    if (over) {
      this.closed.append(slot);
      if (this.closed.length > this.options.maxLingering && this.closed.head >= 0) {
        this.finish(this.closed.head, "closed");
      }
    } else {
      this.open.append(slot);
    }
  }

  /**
   * Hands a data segment's new bytes to the flow's payload parser, deciding on the first payload
   * whether there is one (app-sniffer.ts). Of the payload `[0, len)`, the new bytes are the last
   * `fresh`; the capture holds `[0, capturedPayloadLen)`. Whatever the parser cannot be given
   * (never captured, or skipped in sequence space) it is told of as skipped.
   */
  private sniff(
    slot: number,
    b: number,
    d: number,
    fromClient: boolean,
    p: DecodedPacket,
    fresh: number,
    skipped: number,
    frame: number,
  ): void {
    const r = this.store.f64;
    const len = p.payloadLen;
    const captured = Math.min(p.capturedPayloadLen, len);
    const from = len - fresh;
    let session;
    if (r[b + F.APP] === APP_UNDECIDED) {
      // Decided once, on the flow's first payload: the client's, complete and captured.
      const protocol =
        fromClient && skipped === 0 && from === 0 && captured > 0
          ? detectApp(p.bytes, p.payloadOffset, p.payloadOffset + captured)
          : null;
      if (protocol === null) {
        r[b + F.APP] = APP_NONE;
        return;
      }
      r[b + F.APP] = APP_PARSED;
      session = this.sniffer!.start(slot, r[b + F.ID]!, protocol);
    } else {
      session = this.sniffer!.session(slot);
      if (session === undefined) return;
    }
    let pending = r[d + D.APP_SKIPPED]! + skipped;
    if (from >= captured) {
      r[d + D.APP_SKIPPED] = pending + fresh;
      return;
    }
    session.data(
      fromClient,
      p.bytes,
      p.payloadOffset + from,
      p.payloadOffset + captured,
      pending,
      this.t,
      frame,
    );
    pending = len - captured;
    r[d + D.APP_SKIPPED] = pending;
  }

  private noteFirstClose(b: number, fromClient: boolean, kind: number, frame: number): void {
    const r = this.store.f64;
    if (r[b + F.CLOSED_BY] !== 0) return;
    r[b + F.CLOSED_BY] = fromClient ? BY_CLIENT : BY_SERVER;
    r[b + F.CLOSE] = kind;
    r[b + F.CLOSE_AT] = this.t;
    r[b + F.CLOSE_FRAME] = frame;
    const mine = b + (fromClient ? F.CLIENT : F.SERVER);
    const peer = b + (fromClient ? F.SERVER : F.CLIENT);
    // The closing side had sent data that got no data back: it gave up waiting.
    const lastData = r[mine + D.LAST_DATA_AT]!;
    if (lastData >= 0 && lastData > r[peer + D.LAST_DATA_AT]!) {
      r[b + F.UNANSWERED_SINCE] = lastData;
      r[b + F.UNANSWERED_FRAME] = r[mine + D.LAST_DATA_FRAME]!;
    }
  }

  /**
   * The one place an endpoint's state changes and its timeline grows: the client's or the
   * server's endpoint of the flow at `b`. A timeline that is full keeps its first entries and
   * overwrites its last with the latest change, counting what it left out.
   */
  private transition(b: number, client: boolean, event: TcpEvent, frame: number): void {
    const r = this.store.f64;
    const at = b + (client ? F.CLIENT_STATE : F.SERVER_STATE);
    const state = tcpStateOf(r[at]!);
    const next = nextState(state, event);
    if (next === state) return;
    const code = tcpStateCode(next);
    r[at] = code;
    const e = b + (client ? F.CLIENT_END : F.SERVER_END);
    let i = r[e + E.CHANGES]!;
    if (i < E.CAPACITY) {
      r[e + E.CHANGES] = i + 1;
    } else {
      r[e + E.OMITTED]!++;
      i = E.CAPACITY - 1;
    }
    const x = e + E.TIMELINE + i * E.ENTRY;
    r[x] = code;
    r[x + 1] = this.t;
    r[x + 2] = frame;
  }

  /** Hands over flows whose quiet period has run out. */
  private sweep(): void {
    this.lastSweep = this.now;
    this.recent.forgetEndedBefore(this.now - this.options.timeWaitSec);
    const closedBefore = this.now - this.options.closeLingerSec;
    while (this.closed.head >= 0 && this.endOf(this.closed.head) < closedBefore)
      this.finish(this.closed.head, "closed");
    const idleBefore = this.now - this.options.idleTimeoutSec;
    while (this.open.head >= 0 && this.endOf(this.open.head) < idleBefore)
      this.finish(this.open.head, "idle");
  }

  /** FlowTrackerOptions.maxFlows (Infinity: no limit). */
  get maxFlows(): number {
    return this.options.maxFlows ?? Infinity;
  }

  /** Makes room for a new flow when maxFlows are alive (see FlowTrackerOptions.maxFlows). */
  private evictOne(): void {
    this.evictedFlows++;
    if (this.closed.head >= 0) this.finish(this.closed.head, "closed");
    else if (this.open.head >= 0) this.finish(this.open.head, "idle");
  }

  private endOf(slot: number): number {
    return this.store.f64[slot * F.STRIDE + F.END_AT]!;
  }

  private finish(slot: number, reason: FlowEndReason): void {
    const r = this.store.f64;
    const b = slot * F.STRIDE;
    const listId = this.store.listOf[slot];
    if (listId === OPEN_LIST) this.open.unlink(slot);
    else if (listId === CLOSED_LIST) this.closed.unlink(slot);
    this.table.remove(slot, r[b + Tuple.HASH]!);
    if (reason === "closed") this.recent.add(r, b, r[b + F.ID]!, r[b + F.END_AT]!);
    if (r[b + F.APP] === APP_PARSED) {
      const app = this.sniffer?.finish(slot);
      if (app !== undefined) this.store.app.set(slot, app);
    }
    this.sink.flowEnded(this.endedView.show(slot), reason);
    this.store.release(slot);
  }
}

/** A direction's fields that start at -1 (unknown) rather than 0; `d` is its offset. */
function initDirection(r: Float64Array, d: number): void {
  r[d + D.FIRST_AT] = r[d + D.LAST_AT] = r[d + D.SYN_AT] = -1;
  r[d + D.MSS] = r[d + D.WINDOW_SCALE] = -1;
  r[d + D.FIRST_DATA_AT] = r[d + D.LAST_DATA_AT] = -1;
  r[d + D.FIN_AT] = r[d + D.FIN_ACKED_AT] = r[d + D.RST_AT] = r[d + D.ZERO_WINDOW_AT] = -1;
  r[d + D.HIST_LAST_SYN] = r[d + D.HIST_LAST_FIN] = r[d + D.HIST_LAST_RST] = -1;
}

/** A timeline (at offset `e`) whose first entry is the state the flow started in. */
function initTimeline(r: Float64Array, e: number, initial: number, t: number, frame: number): void {
  r[e + E.CHANGES] = 1;
  r[e + E.TIMELINE] = initial;
  r[e + E.TIMELINE + 1] = t;
  r[e + E.TIMELINE + 2] = frame;
}

/**
 * For a flow first seen mid-stream: is the first packet's sender the client? The endpoint on a
 * well-known port (below 1024) is the server; else the one on the lower port when the other is
 * in the ephemeral range (32768 and up, Linux's default and above IANA's registered ports);
 * else the sender is taken as client, as Zeek does.
 */
export function guessClientIsSender(srcPort: number, dstPort: number): boolean {
  const EPHEMERAL = 32768;
  if (dstPort < 1024 !== srcPort < 1024) return dstPort < 1024;
  if (dstPort < EPHEMERAL !== srcPort < EPHEMERAL) return dstPort < EPHEMERAL;
  return true;
}
