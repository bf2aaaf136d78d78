/**
 * The socket state each endpoint of a connection is inferred to be in, with RFC 793's names,
 * and the one function that moves an endpoint from state to state.
 *
 * A capture shows packets, not sockets: each state is inferred from what the endpoint sent and
 * what it acknowledged, the way a person reads Wireshark's flow graph. The inference is made at
 * the capture point; an endpoint on another host enters the state a little later.
 *
 * TIME_WAIT's end (2*MSL later, by the clock alone) is not a change recorded here: the flow
 * result says until when it lasts (`timeWaitUntil`), since the capture may end before.
 *
 * Limitations: LISTEN is not modelled (a passive observer sees no listen()); an endpoint first
 * seen mid-connection starts in UNKNOWN; RST validity (in-window sequence checks, RFC 5961) is
 * not checked, every RST is taken as ending the connection.
 */

export type TcpState =
  | "UNKNOWN"
  | "CLOSED"
  | "SYN_SENT"
  | "SYN_RECEIVED"
  | "ESTABLISHED"
  | "FIN_WAIT_1"
  | "FIN_WAIT_2"
  | "CLOSING"
  | "TIME_WAIT"
  | "CLOSE_WAIT"
  | "LAST_ACK";

/**
 * Every state, in a fixed order: the flow store keeps a state as its index here (see
 * flow-layout.ts). Append only, as stored codes would change meaning.
 */
export const TCP_STATES: readonly TcpState[] = [
  "UNKNOWN",
  "CLOSED",
  "SYN_SENT",
  "SYN_RECEIVED",
  "ESTABLISHED",
  "FIN_WAIT_1",
  "FIN_WAIT_2",
  "CLOSING",
  "TIME_WAIT",
  "CLOSE_WAIT",
  "LAST_ACK",
];

/** The index of a state in TCP_STATES. */
export function tcpStateCode(state: TcpState): number {
  switch (state) {
    case "UNKNOWN":
      return 0;
    case "CLOSED":
      return 1;
    case "SYN_SENT":
      return 2;
    case "SYN_RECEIVED":
      return 3;
    case "ESTABLISHED":
      return 4;
    case "FIN_WAIT_1":
      return 5;
    case "FIN_WAIT_2":
      return 6;
    case "CLOSING":
      return 7;
    case "TIME_WAIT":
      return 8;
    case "CLOSE_WAIT":
      return 9;
    case "LAST_ACK":
      return 10;
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** The state stored as `code` (see tcpStateCode). */
export function tcpStateOf(code: number): TcpState {
  return TCP_STATES[code] ?? "UNKNOWN";
}

/** What an endpoint was seen doing, or having done to it. */
export type TcpEvent =
  /** It sent a SYN (without ACK): an active open. */
  | "send-syn"
  /** It sent a SYN-ACK: a passive open answering a SYN. */
  | "send-syn-ack"
  /** It acknowledged the peer's SYN: its half of the handshake is complete. */
  | "ack-peer-syn"
  /** The peer acknowledged its SYN. */
  | "peer-acked-syn"
  /** It sent data or a bare ACK on an established connection (seen mid-stream). */
  | "send-segment"
  /** It sent a FIN: its application closed (or shut down writing). */
  | "send-fin"
  /** A FIN from the peer arrived. */
  | "receive-fin"
  /** The peer acknowledged its FIN. */
  | "peer-acked-fin"
  /** It sent a RST. */
  | "send-rst"
  /** A RST from the peer arrived. */
  | "receive-rst";

/**
 * The state after `event` in `state`, or the same state when the event does not move it.
 * Each arm cites the rule it follows; RFC 793 section 3.2 figure 6 unless said otherwise.
 */
export function nextState(state: TcpState, event: TcpEvent): TcpState {
  switch (event) {
    case "send-syn":
      // CLOSED --active OPEN / snd SYN--> SYN-SENT. A retransmitted SYN changes nothing.
      return state === "CLOSED" || state === "UNKNOWN" ? "SYN_SENT" : state;
    case "send-syn-ack":
      // LISTEN --rcv SYN / snd SYN,ACK--> SYN-RECEIVED (LISTEN is not seen: CLOSED/UNKNOWN stand in).
      // Simultaneous open: SYN-SENT --rcv SYN / snd SYN,ACK--> SYN-RECEIVED.
      return state === "CLOSED" || state === "UNKNOWN" || state === "SYN_SENT"
        ? "SYN_RECEIVED"
        : state;
    case "ack-peer-syn":
      // SYN-SENT --rcv SYN,ACK / snd ACK--> ESTABLISHED.
      return state === "SYN_SENT" ? "ESTABLISHED" : state;
    case "peer-acked-syn":
      // SYN-RECEIVED --rcv ACK of SYN--> ESTABLISHED.
      return state === "SYN_RECEIVED" ? "ESTABLISHED" : state;
    case "send-segment":
      // Only a connection first seen mid-stream learns its state this way.
      return state === "UNKNOWN" ? "ESTABLISHED" : state;
    case "send-fin":
      switch (state) {
        // ESTABLISHED (or SYN-RECEIVED) --CLOSE / snd FIN--> FIN-WAIT-1.
        case "ESTABLISHED":
        case "SYN_RECEIVED":
        case "UNKNOWN":
          return "FIN_WAIT_1";
        // CLOSE-WAIT --CLOSE / snd FIN--> LAST-ACK.
        case "CLOSE_WAIT":
          return "LAST_ACK";
        // SYN-SENT --CLOSE--> CLOSED: a FIN before the handshake completed (Zeek's SH).
        case "SYN_SENT":
          return "FIN_WAIT_1";
        default:
          return state;
      }
    case "receive-fin":
      switch (state) {
        // ESTABLISHED --rcv FIN / snd ACK--> CLOSE-WAIT.
        case "ESTABLISHED":
        case "SYN_RECEIVED":
        case "UNKNOWN":
          return "CLOSE_WAIT";
        // FIN-WAIT-1 --rcv FIN / snd ACK--> CLOSING (simultaneous close).
        case "FIN_WAIT_1":
          return "CLOSING";
        // FIN-WAIT-2 --rcv FIN / snd ACK--> TIME-WAIT.
        case "FIN_WAIT_2":
          return "TIME_WAIT";
        default:
          return state;
      }
    case "peer-acked-fin":
      switch (state) {
        // FIN-WAIT-1 --rcv ACK of FIN--> FIN-WAIT-2.
        case "FIN_WAIT_1":
          return "FIN_WAIT_2";
        // CLOSING --rcv ACK of FIN--> TIME-WAIT.
        case "CLOSING":
          return "TIME_WAIT";
        // LAST-ACK --rcv ACK of FIN--> CLOSED.
        case "LAST_ACK":
          return "CLOSED";
        default:
          return state;
      }
    case "send-rst":
    case "receive-rst":
      // Any synchronized state --RST--> CLOSED (RFC 793 section 3.4, "Reset Processing").
      // Linux lets a RST end TIME_WAIT too (net.ipv4.tcp_rfc1337 = 0, the default).
      return "CLOSED";
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** States in which the endpoint's application has closed the socket (or shut down writing). */
export function hasClosed(state: TcpState): boolean {
  switch (state) {
    case "FIN_WAIT_1":
    case "FIN_WAIT_2":
    case "CLOSING":
    case "TIME_WAIT":
    case "LAST_ACK":
    case "CLOSED":
      return true;
    case "UNKNOWN":
    case "SYN_SENT":
    case "SYN_RECEIVED":
    case "ESTABLISHED":
    case "CLOSE_WAIT":
      return false;
    default: {
      const never: never = state;
      return never;
    }
  }
}
