/**
 * One TCP connection (one incarnation of a 4-tuple) as the flow tracker builds it: the two
 * endpoints, what each direction carried, and each endpoint's inferred state over time.
 *
 * A `Flow` is a read-only view of one record of a flow store (flow-store.ts): the tracker keeps
 * its numbers in a typed array and points a view at a record when it hands the flow over. A view
 * is only valid during the call it is passed to; `detach()` copies the flow for keeping.
 *
 * Directions are named for the endpoint that sends: `client` is what the client sent, `server`
 * what the server sent. The client is the endpoint that sent the first SYN; when no SYN was
 * seen, the role is inferred (see `roleInferred`).
 *
 * Times are seconds relative to the capture's time base (FlowTracker.baseSec), as doubles:
 * exact to well under a nanosecond over any capture shorter than a few weeks.
 */
import { D, E, F, HISTORY_CAPACITY, Tuple, Z } from "./flow-layout.js";
import type { AppContext } from "./app-context.js";
import type { FlowRecords } from "./flow-store.js";
import { tcpStateOf, type TcpState } from "./tcp-state.js";
import { zeekStateOf, type ZeekEndpointState } from "./zeek-endpoint-state.js";

export interface StateChange {
  readonly state: TcpState;
  /** Relative time of the packet that caused it. */
  readonly at: number;
  /** Frame that caused it. */
  readonly frame: number;
}

export type Side = "client" | "server";

/** Stored codes of `closedBy` and `close` (flow-layout.ts F.CLOSED_BY, F.CLOSE). */
export const SIDES_OR_NONE: readonly (Side | "none")[] = ["none", "client", "server"];
export const CLOSE_KINDS: readonly ("fin" | "rst" | "none")[] = ["none", "fin", "rst"];

/** What one endpoint sent, and what happened to its half of the connection. */
export class Direction {
  constructor(
    private readonly flow: Flow,
    private readonly offset: number,
  ) {}

  private n(field: D): number {
    return this.flow.store.f64[this.flow.base + this.offset + field]!;
  }

  get packets(): number {
    return this.n(D.PACKETS);
  }
  /** Payload bytes sent, retransmissions included. */
  get payloadBytes(): number {
    return this.n(D.PAYLOAD_BYTES);
  }
  /** Payload bytes sent once (sequence space advanced). */
  get uniqueBytes(): number {
    return this.n(D.UNIQUE_BYTES);
  }
  get dataSegments(): number {
    return this.n(D.DATA_SEGMENTS);
  }
  get retransmits(): number {
    return this.n(D.RETRANSMITS);
  }
  /** Times of its first and last packet (-1: none). */
  get firstAt(): number {
    return this.n(D.FIRST_AT);
  }
  get lastAt(): number {
    return this.n(D.LAST_AT);
  }
  /** First SYN (or SYN-ACK) sent: frame 0 when none. */
  get synFrame(): number {
    return this.n(D.SYN_FRAME);
  }
  get synAt(): number {
    return this.n(D.SYN_AT);
  }
  get synCount(): number {
    return this.n(D.SYN_COUNT);
  }
  get isn(): number {
    return this.n(D.ISN);
  }
  /** MSS and window scale offered in its SYN (-1: none). */
  get mss(): number {
    return this.n(D.MSS);
  }
  get windowScale(): number {
    return this.n(D.WINDOW_SCALE);
  }
  /** Highest sequence number sent plus its length (valid once seqKnown). */
  get nextSeq(): number {
    return this.n(D.NEXT_SEQ);
  }
  get seqKnown(): boolean {
    return this.n(D.SEQ_KNOWN) !== 0;
  }
  get highestAck(): number {
    return this.n(D.HIGHEST_ACK);
  }
  get ackKnown(): boolean {
    return this.n(D.ACK_KNOWN) !== 0;
  }
  /** Bytes the peer acknowledged that the capture never showed being sent (capture loss). */
  get unseenBytes(): number {
    return this.n(D.UNSEEN_BYTES);
  }
  get unseenFrame(): number {
    return this.n(D.UNSEEN_FRAME);
  }
  get firstDataAt(): number {
    return this.n(D.FIRST_DATA_AT);
  }
  get firstDataFrame(): number {
    return this.n(D.FIRST_DATA_FRAME);
  }
  get lastDataAt(): number {
    return this.n(D.LAST_DATA_AT);
  }
  get lastDataFrame(): number {
    return this.n(D.LAST_DATA_FRAME);
  }
  /** New payload bytes sent since the peer last sent payload: data still waiting for an answer. */
  get bytesSincePeerData(): number {
    return this.n(D.BYTES_SINCE_PEER_DATA);
  }
  get finFrame(): number {
    return this.n(D.FIN_FRAME);
  }
  get finAt(): number {
    return this.n(D.FIN_AT);
  }
  /** Sequence number the FIN occupies. */
  get finSeq(): number {
    return this.n(D.FIN_SEQ);
  }
  get finCount(): number {
    return this.n(D.FIN_COUNT);
  }
  /** When the peer acknowledged the FIN (-1: never). */
  get finAckedAt(): number {
    return this.n(D.FIN_ACKED_AT);
  }
  get rstFrame(): number {
    return this.n(D.RST_FRAME);
  }
  get rstAt(): number {
    return this.n(D.RST_AT);
  }
  get rstCount(): number {
    return this.n(D.RST_COUNT);
  }
  /** State of the sender and of its peer just before the first RST. */
  get rstSenderState(): TcpState {
    return tcpStateOf(this.n(D.RST_SENDER_STATE));
  }
  get rstPeerState(): TcpState {
    return tcpStateOf(this.n(D.RST_PEER_STATE));
  }
  /** Payload bytes the peer had sent since this side last sent payload, when it sent its RST. */
  get rstUnansweredBytes(): number {
    return this.n(D.RST_UNANSWERED_BYTES);
  }
  /** Frame of the peer's segment (data or FIN) that the RST answered, when it came after this side had closed. */
  get rstAnsweredLateFrame(): number {
    return this.n(D.RST_ANSWERED_LATE_FRAME);
  }
  /** First segment with data or FIN from the peer after this side's FIN: a late answer. */
  get firstLateFrame(): number {
    return this.n(D.FIRST_LATE_FRAME);
  }
  get zeroWindowCount(): number {
    return this.n(D.ZERO_WINDOW_COUNT);
  }
  get zeroWindowFrame(): number {
    return this.n(D.ZERO_WINDOW_FRAME);
  }
  get zeroWindowAt(): number {
    return this.n(D.ZERO_WINDOW_AT);
  }
  /** IP bytes sent, headers included (Zeek's orig_ip_bytes / resp_ip_bytes). */
  get ipBytes(): number {
    return this.n(D.IP_BYTES);
  }
}

/** An endpoint's inferred state and every change of it. */
export class Endpoint {
  /** `offset`: the timeline (F.CLIENT_END); `current`: its current state (F.CLIENT_STATE). */
  constructor(
    private readonly flow: Flow,
    private readonly offset: number,
    private readonly current: number,
  ) {}

  private n(field: number): number {
    return this.flow.store.f64[this.flow.base + this.offset + field]!;
  }

  get state(): TcpState {
    return tcpStateOf(this.flow.store.f64[this.flow.base + this.current]!);
  }

  /** Changes recorded in the timeline (the first entry is the state the flow started in). */
  get changes(): number {
    return this.n(E.CHANGES);
  }

  /**
   * Changes left out of a timeline that outgrew its room (a 4-tuple reset and reopened over
   * and over); the last entry is then the latest change.
   */
  get omitted(): number {
    return this.n(E.OMITTED);
  }

  stateAt(i: number): TcpState {
    return tcpStateOf(this.n(E.TIMELINE + i * E.ENTRY));
  }

  /** The index in TCP_STATES of stateAt(i). */
  stateCodeAt(i: number): number {
    return this.n(E.TIMELINE + i * E.ENTRY);
  }

  atOf(i: number): number {
    return this.n(E.TIMELINE + i * E.ENTRY + 1);
  }

  frameOf(i: number): number {
    return this.n(E.TIMELINE + i * E.ENTRY + 2);
  }

  /** Time the endpoint first entered `state`, or -1 when it never did. */
  entered(state: TcpState): number {
    for (let i = 0; i < this.changes; i++) if (this.stateAt(i) === state) return this.atOf(i);
    return -1;
  }

  /** The timeline as objects (builds them: for results and tests, not the hot path). */
  get timeline(): StateChange[] {
    const out: StateChange[] = [];
    for (let i = 0; i < this.changes; i++)
      out.push({ state: this.stateAt(i), at: this.atOf(i), frame: this.frameOf(i) });
    return out;
  }
}

/** One endpoint as Zeek's TCP analyzer keeps it (zeek-state.ts). */
export class ZeekEndpoint {
  constructor(
    private readonly flow: Flow,
    private readonly offset: number,
  ) {}

  private n(field: Z): number {
    return this.flow.store.f64[this.flow.base + this.offset + field]!;
  }

  get state(): ZeekEndpointState {
    return zeekStateOf(this.n(Z.STATE));
  }
  get prevState(): ZeekEndpointState {
    return zeekStateOf(this.n(Z.PREV_STATE));
  }
  get startSeq(): number {
    return this.n(Z.START_SEQ);
  }
  get lastSeq(): number {
    return this.n(Z.LAST_SEQ);
  }
  get seqWraps(): number {
    return this.n(Z.SEQ_WRAPS);
  }
  get ackSeq(): number {
    return this.n(Z.ACK_SEQ);
  }
  get ackWraps(): number {
    return this.n(Z.ACK_WRAPS);
  }
  get finCount(): number {
    return this.n(Z.FIN_COUNT);
  }
}

export class Flow {
  /** Offset of the flow's record in `store.f64`. */
  base = 0;
  /** `app` for the flow shown, once looked up. */
  private appLooked = false;
  private appContext: AppContext | undefined = undefined;
  readonly client: Direction;
  readonly server: Direction;
  readonly clientEnd: Endpoint;
  readonly serverEnd: Endpoint;
  /** Zeek's endpoint states and sequence bookkeeping, originator and responder. */
  readonly zeekOrig: ZeekEndpoint;
  readonly zeekResp: ZeekEndpoint;

  constructor(
    readonly store: FlowRecords,
    private slotNumber = 0,
  ) {
    this.base = slotNumber * F.STRIDE;
    this.client = new Direction(this, F.CLIENT);
    this.server = new Direction(this, F.SERVER);
    this.clientEnd = new Endpoint(this, F.CLIENT_END, F.CLIENT_STATE);
    this.serverEnd = new Endpoint(this, F.SERVER_END, F.SERVER_STATE);
    this.zeekOrig = new ZeekEndpoint(this, F.ZEEK_ORIG);
    this.zeekResp = new ZeekEndpoint(this, F.ZEEK_RESP);
  }

  /** Points the view at the flow in `slot`. */
  show(slot: number): this {
    this.slotNumber = slot;
    this.base = slot * F.STRIDE;
    this.appLooked = false;
    this.appContext = undefined;
    return this;
  }

  get slot(): number {
    return this.slotNumber;
  }

  private n(field: number): number {
    return this.store.f64[this.base + field]!;
  }

  /** 1-based, in order of first packet. */
  get id(): number {
    return this.n(F.ID);
  }
  get ipVersion(): 4 | 6 {
    return this.n(Tuple.IP_VERSION) === 6 ? 6 : 4;
  }
  /** Client address words (IPv4 in word 0) and port; likewise the server. */
  get c0(): number {
    return this.n(Tuple.C0);
  }
  get c1(): number {
    return this.n(Tuple.C1);
  }
  get c2(): number {
    return this.n(Tuple.C2);
  }
  get c3(): number {
    return this.n(Tuple.C3);
  }
  get cPort(): number {
    return this.n(Tuple.C_PORT);
  }
  get s0(): number {
    return this.n(Tuple.S0);
  }
  get s1(): number {
    return this.n(Tuple.S1);
  }
  get s2(): number {
    return this.n(Tuple.S2);
  }
  get s3(): number {
    return this.n(Tuple.S3);
  }
  get sPort(): number {
    return this.n(Tuple.S_PORT);
  }
  /** No SYN settled the roles: the client was guessed (see FlowTracker). */
  get roleInferred(): boolean {
    return this.n(F.ROLE_INFERRED) !== 0;
  }
  get startAt(): number {
    return this.n(F.START_AT);
  }
  get endAt(): number {
    return this.n(F.END_AT);
  }
  get firstFrame(): number {
    return this.n(F.FIRST_FRAME);
  }
  get lastFrame(): number {
    return this.n(F.LAST_FRAME);
  }
  get packets(): number {
    return this.n(F.PACKETS);
  }
  /** First side to send FIN or RST, and which. */
  get closedBy(): Side | "none" {
    return SIDES_OR_NONE[this.n(F.CLOSED_BY)] ?? "none";
  }
  get close(): "fin" | "rst" | "none" {
    return CLOSE_KINDS[this.n(F.CLOSE)] ?? "none";
  }
  get closeAt(): number {
    return this.n(F.CLOSE_AT);
  }
  get closeFrame(): number {
    return this.n(F.CLOSE_FRAME);
  }
  /** When the closing side's last payload was sent, if it still had no answer when it closed. */
  get unansweredSince(): number {
    return this.n(F.UNANSWERED_SINCE);
  }
  get unansweredFrame(): number {
    return this.n(F.UNANSWERED_FRAME);
  }
  /** Gap since the previous incarnation of this 4-tuple ended, or -1 for the first. */
  get reuseGap(): number {
    return this.n(F.REUSE_GAP);
  }
  /** Previous incarnation's id, when this one reused its 4-tuple. */
  get previousId(): number {
    return this.n(F.PREVIOUS_ID);
  }

  /** Zeek's history string (see zeek-history.ts). */
  get history(): string {
    const length = this.n(F.HISTORY_LENGTH);
    const start = this.slotNumber * HISTORY_CAPACITY;
    const stored = Math.min(length, HISTORY_CAPACITY);
    let text = String.fromCharCode(...this.store.history.subarray(start, start + stored));
    if (length > HISTORY_CAPACITY) text += this.store.historyOverflow.get(this.slotNumber) ?? "";
    return text;
  }

  /**
   * The history's letters as ASCII codes, a view into the store (valid as long as the flow
   * view), or null when the history outgrew the store and only `history` has all of it.
   */
  historyCodes(): Uint8Array | null {
    const length = this.n(F.HISTORY_LENGTH);
    if (length > HISTORY_CAPACITY) return null;
    const start = this.slotNumber * HISTORY_CAPACITY;
    return this.store.history.subarray(start, start + length);
  }

  /**
   * What its payload said (HTTP exchanges, TLS hellos), when teardown parsed it. Looked up once
   * per `show` (the findings, the summary and the JSON each ask, several times a flow).
   */
  get app(): AppContext | undefined {
    if (!this.appLooked) {
      this.appLooked = true;
      this.appContext = this.store.app.size === 0 ? undefined : this.store.app.get(this.slotNumber);
    }
    return this.appContext;
  }
}
