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
 * the TIME_WAIT period, to recognise a new connection that reuses the tuple inside 2*MSL.
 *
 * Roles: the client is the endpoint that sent the first SYN. A flow whose first packet is a
 * SYN-ACK takes the receiver as client. A flow first seen mid-stream starts with both endpoints
 * UNKNOWN and its roles are guessed from the ports (see `guessClientIsSender`), marked inferred.
 *
 * Limitations: no reassembly (each segment is taken as it comes); RSTs are not checked against
 * the receive window; a 4-tuple seen on several interfaces at once (a merged capture) is one flow.
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type DecodedPacket } from "../decode/index.js";
import { Endpoint, Flow, type Side } from "./flow.js";
import { FlowTable, packetHash, packetSide, type TupleKeyed } from "./flow-table.js";
import { appendFlip, appendHistory } from "./zeek-history.js";
import { updateZeekState } from "./zeek-state.js";
import { seqAdd, seqGe, seqGt, seqLe, seqLt, seqDiff } from "./seq.js";
import { hasClosed, nextState, type TcpEvent } from "./tcp-state.js";

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
}

export const DEFAULT_TRACKER_OPTIONS: FlowTrackerOptions = {
  timeWaitSec: 60,
  idleTimeoutSec: 900,
  closeLingerSec: 5,
  maxLingering: 10_000,
  maxRemembered: 200_000,
};

/** What is kept of a finished flow for the TIME_WAIT period: its 4-tuple, id and end. */
class ClosedTuple implements TupleKeyed {
  next: ClosedTuple | null = null;
  removed = false;
  /** Packets that arrived for the tuple after its flow was finished (not a new connection). */
  latePackets = 0;
  constructor(
    readonly ipVersion: 4 | 6,
    public hash: number,
    public c0: number,
    public c1: number,
    public c2: number,
    public c3: number,
    public cPort: number,
    public s0: number,
    public s1: number,
    public s2: number,
    public s3: number,
    public sPort: number,
    readonly id: number,
    readonly endAt: number,
  ) {}
}

export type FlowEndReason = "closed" | "idle" | "reused" | "capture-end";

export interface FlowSink {
  /** A flow is finished: nothing will be added to it. The flow object is not used again. */
  flowEnded(flow: Flow, reason: FlowEndReason): void;
  /** Optional: each packet, after it was added to its flow (for following one flow). */
  packetAdded?(flow: Flow, side: Side, frame: number, p: DecodedPacket): void;
}

/** Doubly linked list of flows in order of last activity, for expiry without scanning. */
class ActivityList {
  head: Flow | null = null;
  tail: Flow | null = null;
  length = 0;
  constructor(readonly id: number) {}

  append(f: Flow): void {
    this.length++;
    f.listId = this.id;
    f.prevActive = this.tail;
    f.nextActive = null;
    if (this.tail !== null) this.tail.nextActive = f;
    else this.head = f;
    this.tail = f;
  }

  unlink(f: Flow): void {
    if (f.prevActive !== null) f.prevActive.nextActive = f.nextActive;
    else this.head = f.nextActive;
    if (f.nextActive !== null) f.nextActive.prevActive = f.prevActive;
    else this.tail = f.prevActive;
    f.prevActive = f.nextActive = null;
    f.listId = 0;
    this.length--;
  }
}

const OPEN_LIST = 1;
const CLOSED_LIST = 2;
/** Expiry is checked at most this often (seconds of capture time), not at every packet. */
const SWEEP_INTERVAL_SEC = 1;

export class FlowTracker {
  private readonly table = new FlowTable<Flow>();
  /** Recently finished 4-tuples, oldest first, kept for the TIME_WAIT period. */
  private readonly recent = new FlowTable<ClosedTuple>();
  private recentHead: ClosedTuple | null = null;
  private recentTail: ClosedTuple | null = null;
  private readonly open = new ActivityList(OPEN_LIST);
  private readonly closed = new ActivityList(CLOSED_LIST);
  private nextId = 1;
  private lastSweep = 0;
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

  constructor(
    private readonly sink: FlowSink,
    private readonly options: FlowTrackerOptions = DEFAULT_TRACKER_OPTIONS,
  ) {}

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
    const t = this.relative(tsSec, tsNsec);
    this.t = t;
    // Time going backwards (merged or reordered captures) must not run expiry backwards.
    if (t > this.now) this.now = t;
    this.packets++;
    if (this.now - this.lastSweep >= SWEEP_INTERVAL_SEC) this.sweep();

    const hash = packetHash(p);
    let flow = this.table.find(p, hash);
    const isSyn = (p.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (flow !== null && isSyn && this.startsNewIncarnation(flow, p)) {
      const previous = flow;
      this.finish(previous, "reused");
      flow = this.create(frame, p, hash);
      flow.previousId = previous.id;
      flow.reuseGap = t - previous.endAt;
    } else if (flow === null) {
      const closed = this.recent.find(p, hash);
      if (closed !== null && !isSyn) {
        // A straggler (a retransmitted FIN or ACK, a RST answering one) after the connection
        // closed and was finished: counted, not taken for a new connection seen mid-stream.
        closed.latePackets++;
        this.latePackets++;
        return;
      }
      flow = this.create(frame, p, hash);
      if (closed !== null) {
        flow.previousId = closed.id;
        flow.reuseGap = t - closed.endAt;
        this.recent.remove(closed);
        closed.removed = true;
      }
    }
    const side = packetSide(flow, p) === 1 ? "client" : "server";
    this.update(flow, side, frame, p);
    this.sink.packetAdded?.(flow, side, frame, p);
  }

  /** Finishes every flow still alive: the capture has ended. */
  end(): void {
    for (const list of [this.closed, this.open]) {
      while (list.head !== null) this.finish(list.head, "capture-end");
    }
  }

  /**
   * A SYN on a 4-tuple already in the table starts a new connection when the old one is over
   * (reset, or closed by both sides) or when it carries a different initial sequence number
   * than the SYN that opened the old one (the client gave up and the port was reused).
   * Otherwise it is a retransmission.
   */
  private startsNewIncarnation(f: Flow, p: DecodedPacket): boolean {
    if (f.client.rstFrame !== 0 || f.server.rstFrame !== 0) return true;
    if (f.client.finFrame !== 0 && f.server.finFrame !== 0) return true;
    const sender = packetSide(f, p) === 1 ? f.client : f.server;
    return sender.synFrame !== 0 ? sender.isn !== p.seq : f.packets > 0 && f.client.synFrame === 0;
  }

  private create(frame: number, p: DecodedPacket, hash: number): Flow {
    const t = this.t;
    const syn = (p.flags & TCP_SYN) !== 0;
    const ack = (p.flags & TCP_ACK) !== 0;
    const f = new Flow(
      this.nextId++,
      p.ipVersion === 6 ? 6 : 4,
      t,
      frame,
      syn ? "CLOSED" : "UNKNOWN",
    );
    let senderIsClient: boolean;
    if (syn) {
      // SYN: the sender opens. SYN-ACK first (the SYN was missed): the receiver opened.
      senderIsClient = !ack;
    } else {
      senderIsClient = guessClientIsSender(p.srcPort, p.dstPort);
      f.roleInferred = true;
    }
    if (senderIsClient) {
      f.c0 = p.src0;
      f.c1 = p.src1;
      f.c2 = p.src2;
      f.c3 = p.src3;
      f.cPort = p.srcPort;
      f.s0 = p.dst0;
      f.s1 = p.dst1;
      f.s2 = p.dst2;
      f.s3 = p.dst3;
      f.sPort = p.dstPort;
    } else {
      f.c0 = p.dst0;
      f.c1 = p.dst1;
      f.c2 = p.dst2;
      f.c3 = p.dst3;
      f.cPort = p.dstPort;
      f.s0 = p.src0;
      f.s1 = p.src1;
      f.s2 = p.src2;
      f.s3 = p.src3;
      f.sPort = p.srcPort;
    }
    // Zeek marks a connection whose originator is not the first packet's sender.
    if (!senderIsClient) appendFlip(f);
    f.hash = hash;
    this.table.insert(f);
    this.open.append(f);
    this.flows++;
    if (this.table.size > this.peakLive) this.peakLive = this.table.size;
    return f;
  }

  private update(f: Flow, side: Side, frame: number, p: DecodedPacket): void {
    const t = this.t;
    const d = side === "client" ? f.client : f.server;
    const r = side === "client" ? f.server : f.client;
    const se = side === "client" ? f.clientEnd : f.serverEnd;
    const re = side === "client" ? f.serverEnd : f.clientEnd;
    const flags = p.flags;
    const syn = (flags & TCP_SYN) !== 0;
    const ackFlag = (flags & TCP_ACK) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const len = p.payloadLen;

    f.packets++;
    f.lastFrame = frame;
    if (t > f.endAt) f.endAt = t;
    d.packets++;
    if (d.firstAt < 0) d.firstAt = t;
    d.lastAt = t;
    appendHistory(f, side, p, d);
    updateZeekState(f, side, p);

    if (syn) {
      if (d.synFrame === 0) {
        d.synFrame = frame;
        d.synAt = t;
        d.isn = p.seq;
        d.nextSeq = seqAdd(p.seq, 1 + len);
        d.seqKnown = true;
        d.mss = p.mss;
        d.windowScale = p.windowScale;
      }
      d.synCount++;
      this.transition(se, ackFlag ? "send-syn-ack" : "send-syn", frame);
    }

    // Acknowledgements first: a FIN that also acknowledges the peer's FIN moves the peer to
    // FIN_WAIT_2 before this FIN moves it on to TIME_WAIT.
    if (ackFlag && !rst) {
      if (!d.ackKnown || seqGt(p.ack, d.highestAck)) {
        d.highestAck = p.ack;
        d.ackKnown = true;
      }
      if (r.synFrame !== 0 && seqGe(p.ack, seqAdd(r.isn, 1))) {
        if (se.state === "SYN_SENT") this.transition(se, "ack-peer-syn", frame);
        if (re.state === "SYN_RECEIVED" && !syn) this.transition(re, "peer-acked-syn", frame);
      }
      // An endpoint is taken to have received the peer's FIN when it acknowledges it, not when
      // the FIN passes the capture point: a FIN that crossed its own (simultaneous close), or
      // that reached a socket already gone (answered by RST, not ACK), must not move it.
      if (r.finFrame !== 0 && r.finAckedAt < 0 && seqGe(p.ack, seqAdd(r.finSeq, 1))) {
        r.finAckedAt = t;
        this.transition(re, "peer-acked-fin", frame);
        this.transition(se, "receive-fin", frame);
      }
      // The peer's bytes this ACK covers but the capture never showed: capture loss.
      if (r.seqKnown && seqGt(p.ack, r.nextSeq)) {
        const gap = seqDiff(p.ack, r.nextSeq) - (r.finFrame !== 0 ? 1 : 0);
        if (gap > 0) {
          r.unseenBytes += gap;
          if (r.unseenFrame === 0) r.unseenFrame = frame;
        }
        r.nextSeq = p.ack;
      }
    }

    if (len > 0 && !syn) {
      const start = p.seq;
      const end = seqAdd(start, len);
      if (!d.seqKnown) {
        d.seqKnown = true;
        d.nextSeq = end;
        d.uniqueBytes += len;
        d.bytesSincePeerData += len;
      } else if (seqLe(end, d.nextSeq)) {
        d.retransmits++;
      } else {
        const fresh = seqLt(start, d.nextSeq) ? seqDiff(end, d.nextSeq) : len;
        d.uniqueBytes += fresh;
        d.bytesSincePeerData += fresh;
        d.nextSeq = end;
      }
      r.bytesSincePeerData = 0;
      d.payloadBytes += len;
      d.dataSegments++;
      if (d.firstDataAt < 0) {
        d.firstDataAt = t;
        d.firstDataFrame = frame;
      }
      d.lastDataAt = t;
      d.lastDataFrame = frame;
    } else if (!d.seqKnown && !syn) {
      d.seqKnown = true;
      d.nextSeq = p.seq;
    }
    if (!syn && !fin && !rst && se.state === "UNKNOWN") this.transition(se, "send-segment", frame);
    if ((len > 0 || fin) && !rst && r.finFrame !== 0 && r.firstLateFrame === 0)
      r.firstLateFrame = frame;

    if (!syn && !fin && !rst && p.window === 0) {
      d.zeroWindowCount++;
      if (d.zeroWindowFrame === 0) {
        d.zeroWindowFrame = frame;
        d.zeroWindowAt = t;
      }
    }

    if (fin && !rst) {
      d.finCount++;
      if (d.finFrame === 0) {
        d.finFrame = frame;
        d.finAt = t;
        d.finSeq = seqAdd(p.seq, len);
        if (seqGe(seqAdd(d.finSeq, 1), d.nextSeq)) d.nextSeq = seqAdd(d.finSeq, 1);
        this.noteFirstClose(f, side, "fin", frame);
        this.transition(se, "send-fin", frame);
      }
    }

    if (rst) {
      d.rstCount++;
      if (d.rstFrame === 0) {
        d.rstFrame = frame;
        d.rstAt = t;
        d.rstSenderState = se.state;
        d.rstPeerState = re.state;
        d.rstUnansweredBytes = r.bytesSincePeerData;
        // After its own FIN, an endpoint that answers the peer's later data or FIN with a RST
        // had no socket left to take them: the app closed, or FIN_WAIT_2 expired.
        if (d.finFrame !== 0) d.rstAnsweredLateFrame = d.firstLateFrame;
        this.noteFirstClose(f, side, "rst", frame);
      }
      this.transition(se, "send-rst", frame);
      this.transition(re, "receive-rst", frame);
    }

    const over = rst || (hasClosed(f.clientEnd.state) && hasClosed(f.serverEnd.state));
    // Already the most recent of the list it belongs in (a burst of packets of one flow).
    if (f.listId === (over ? CLOSED_LIST : OPEN_LIST) && f.nextActive === null) return;
    if (f.listId === OPEN_LIST) this.open.unlink(f);
    else if (f.listId === CLOSED_LIST) this.closed.unlink(f);
    if (over) {
      this.closed.append(f);
      if (this.closed.length > this.options.maxLingering && this.closed.head !== null) {
        this.finish(this.closed.head, "closed");
      }
    } else {
      this.open.append(f);
    }
  }

  private noteFirstClose(f: Flow, side: Side, kind: "fin" | "rst", frame: number): void {
    const t = this.t;
    if (f.closedBy !== "none") return;
    f.closedBy = side;
    f.close = kind;
    f.closeAt = t;
    f.closeFrame = frame;
    const mine = side === "client" ? f.client : f.server;
    const peer = side === "client" ? f.server : f.client;
    // The closing side had sent data that got no data back: it gave up waiting.
    if (mine.lastDataAt >= 0 && mine.lastDataAt > peer.lastDataAt) {
      f.unansweredSince = mine.lastDataAt;
      f.unansweredFrame = mine.lastDataFrame;
    }
  }

  /** The one place an endpoint's state changes and its timeline grows. */
  private transition(e: Endpoint, event: TcpEvent, frame: number): void {
    const next = nextState(e.state, event);
    if (next === e.state) return;
    e.state = next;
    e.timeline.push({ state: next, at: this.t, frame });
  }

  /** Hands over flows whose quiet period has run out. */
  private sweep(): void {
    this.lastSweep = this.now;
    const forgetBefore = this.now - this.options.timeWaitSec;
    while (this.recentHead !== null && this.recentHead.endAt < forgetBefore) this.forgetOldest();
    const closedBefore = this.now - this.options.closeLingerSec;
    while (this.closed.head !== null && this.closed.head.endAt < closedBefore)
      this.finish(this.closed.head, "closed");
    const idleBefore = this.now - this.options.idleTimeoutSec;
    while (this.open.head !== null && this.open.head.endAt < idleBefore)
      this.finish(this.open.head, "idle");
  }

  private finish(f: Flow, reason: FlowEndReason): void {
    if (f.listId === OPEN_LIST) this.open.unlink(f);
    else if (f.listId === CLOSED_LIST) this.closed.unlink(f);
    this.table.remove(f);
    if (reason === "closed") this.remember(f);
    this.sink.flowEnded(f, reason);
  }

  private forgetOldest(): void {
    const oldest = this.recentHead;
    if (oldest === null) return;
    if (!oldest.removed) this.recent.remove(oldest);
    this.recentHead = oldest.next;
    if (this.recentHead === null) this.recentTail = null;
  }

  private remember(f: Flow): void {
    if (this.recent.size >= this.options.maxRemembered) this.forgetOldest();
    const c = new ClosedTuple(
      f.ipVersion,
      f.hash,
      f.c0,
      f.c1,
      f.c2,
      f.c3,
      f.cPort,
      f.s0,
      f.s1,
      f.s2,
      f.s3,
      f.sPort,
      f.id,
      f.endAt,
    );
    this.recent.insert(c);
    if (this.recentTail !== null) this.recentTail.next = c;
    else this.recentHead = c;
    this.recentTail = c;
  }
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
