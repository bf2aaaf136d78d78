/**
 * One TCP connection (one incarnation of a 4-tuple) as the flow tracker builds it: the two
 * endpoints, what each direction carried, and each endpoint's inferred state over time.
 *
 * Directions are named for the endpoint that sends: `client` is what the client sent, `server`
 * what the server sent. The client is the endpoint that sent the first SYN; when no SYN was
 * seen, the role is inferred (see `roleInferred`).
 *
 * Times are seconds relative to the capture's time base (FlowTracker.baseSec), as doubles:
 * exact to well under a nanosecond over any capture shorter than a few weeks.
 */
import type { TcpState } from "./tcp-state.js";
import { ZeekEndpoint } from "./zeek-state.js";

export interface StateChange {
  readonly state: TcpState;
  /** Relative time of the packet that caused it. */
  readonly at: number;
  /** Frame that caused it. */
  readonly frame: number;
}

export type Side = "client" | "server";

/** What one endpoint sent, and what happened to its half of the connection. */
export class Direction {
  packets = 0;
  /** Payload bytes sent, retransmissions included. */
  payloadBytes = 0;
  /** Payload bytes sent once (sequence space advanced). */
  uniqueBytes = 0;
  dataSegments = 0;
  retransmits = 0;
  firstAt = -1;
  lastAt = -1;

  /** First SYN (or SYN-ACK) sent: frame 0 when none. */
  synFrame = 0;
  synAt = -1;
  synCount = 0;
  isn = 0;
  mss = -1;
  windowScale = -1;

  /** Highest sequence number sent plus its length (valid once seqKnown). */
  nextSeq = 0;
  seqKnown = false;
  highestAck = 0;
  ackKnown = false;
  /** Bytes the peer acknowledged that the capture never showed being sent (capture loss). */
  unseenBytes = 0;
  unseenFrame = 0;

  firstDataAt = -1;
  firstDataFrame = 0;
  lastDataAt = -1;
  lastDataFrame = 0;
  /** New payload bytes sent since the peer last sent payload: data still waiting for an answer. */
  bytesSincePeerData = 0;

  finFrame = 0;
  finAt = -1;
  /** Sequence number the FIN occupies. */
  finSeq = 0;
  finCount = 0;
  /** The peer acknowledged the FIN. */
  finAckedAt = -1;

  rstFrame = 0;
  rstAt = -1;
  rstCount = 0;
  /** State of the sender and of its peer just before the first RST. */
  rstSenderState: TcpState = "UNKNOWN";
  rstPeerState: TcpState = "UNKNOWN";
  /** Payload bytes the peer had sent since this side last sent payload, when this side sent its RST. */
  rstUnansweredBytes = 0;
  /** Frame of the peer's segment (data or FIN) that the RST answered, when it came after this side had closed. */
  rstAnsweredLateFrame = 0;
  /** First segment with data or FIN from the peer after this side's FIN: a late answer. */
  firstLateFrame = 0;

  /** Zeek history bookkeeping: last SYN, FIN and RST sequence numbers recorded (-1: none). */
  histLastSyn = -1;
  histLastFin = -1;
  histLastRst = -1;

  zeroWindowCount = 0;
  zeroWindowFrame = 0;
  zeroWindowAt = -1;
}

/** An endpoint's inferred state and every change of it. */
export class Endpoint {
  state: TcpState;
  readonly timeline: StateChange[] = [];

  constructor(initial: TcpState, at: number, frame: number) {
    this.state = initial;
    this.timeline.push({ state: initial, at, frame });
  }
}

export class Flow {
  /** 1-based, in order of first packet. */
  readonly id: number;
  readonly ipVersion: 4 | 6;
  /** Client address words (IPv4 in word 0) and port; likewise the server. */
  c0: number;
  c1: number;
  c2: number;
  c3: number;
  cPort: number;
  s0: number;
  s1: number;
  s2: number;
  s3: number;
  sPort: number;
  /** No SYN settled the roles: the client was guessed (see FlowTracker). */
  roleInferred = false;

  client = new Direction();
  server = new Direction();
  clientEnd: Endpoint;
  serverEnd: Endpoint;

  startAt: number;
  endAt: number;
  firstFrame: number;
  lastFrame: number;
  packets = 0;

  /** First side to send FIN or RST, and which. */
  closedBy: Side | "none" = "none";
  close: "fin" | "rst" | "none" = "none";
  closeAt = -1;
  closeFrame = 0;
  /** When the closing side's last payload was sent, if it still had no answer when it closed. */
  unansweredSince = -1;
  unansweredFrame = 0;

  /** Gap since the previous incarnation of this 4-tuple ended, or -1 for the first. */
  reuseGap = -1;
  /** Previous incarnation's id, when this one reused its 4-tuple. */
  previousId = 0;

  /** Zeek's history string, built as packets arrive (see zeek-history.ts). */
  history = "";
  historySeen = 0;
  /** Zeek's endpoint states and sequence bookkeeping, originator and responder (see zeek-state.ts). */
  readonly zeekOrig = new ZeekEndpoint();
  readonly zeekResp = new ZeekEndpoint();

  /** Internal: hash-table and expiry-list links. */
  hash = 0;
  prevActive: Flow | null = null;
  nextActive: Flow | null = null;
  listId = 0;

  constructor(id: number, ipVersion: 4 | 6, at: number, frame: number, initial: TcpState) {
    this.id = id;
    this.ipVersion = ipVersion;
    this.c0 = this.c1 = this.c2 = this.c3 = this.cPort = 0;
    this.s0 = this.s1 = this.s2 = this.s3 = this.sPort = 0;
    this.clientEnd = new Endpoint(initial, at, frame);
    this.serverEnd = new Endpoint(initial, at, frame);
    this.startAt = this.endAt = at;
    this.firstFrame = this.lastFrame = frame;
  }
}
