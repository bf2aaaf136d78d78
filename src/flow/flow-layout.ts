/**
 * Where each number of a flow lives in the flow store (see flow-store.ts): a flow is one record
 * of `FLOW_STRIDE` doubles in a Float64Array, so the tracker keeps no heap object per flow and
 * the garbage collector has nothing to copy or mark however many connections a capture holds.
 *
 * The offsets are `const enum` members so that the compiler writes them into the hot path as
 * literals (an imported constant is a memory load on every use; measured 1.8x slower in a tight
 * loop). They are offsets, not states: states stay string-literal unions (tcp-state.ts,
 * zeek-state.ts) and are stored here as their index in those modules' state tables.
 *
 * Every value fits a double exactly: sequence numbers and addresses are unsigned 32-bit, counts
 * and frame numbers stay far below 2^53, times are seconds relative to the capture's base.
 */

/** The 4-tuple, first in every keyed record (flows and remembered tuples alike). */
export const enum Tuple {
  IP_VERSION = 0,
  /** packetHash of the tuple, so probing compares one number before the tuple. */
  HASH = 1,
  /** Client address words (IPv4 in word 0) and port; likewise the server. */
  C0 = 2,
  C1 = 3,
  C2 = 4,
  C3 = 5,
  C_PORT = 6,
  S0 = 7,
  S1 = 8,
  S2 = 9,
  S3 = 10,
  S_PORT = 11,
  SIZE = 12,
}

/**
 * The flow's own numbers, after the tuple. Fields are grouped by how often a packet touches
 * them: with thousands of flows interleaved, each packet's record is cold in the CPU cache, and
 * every 64-byte line touched is a memory access. The tuple and the fields every packet updates
 * come first (three lines), then each direction's busy fields, the Zeek endpoints, and last what
 * only a flow's opening and closing packets or its result read.
 */
export const enum F {
  ID = 12,
  END_AT = 13,
  PACKETS = 14,
  LAST_FRAME = 15,
  /** Zeek history: once-only letters seen (bits), and letters stored. */
  HISTORY_SEEN = 16,
  HISTORY_LENGTH = 17,
  /** Each endpoint's current state (code in TCP_STATES); its timeline is in CLIENT_END/SERVER_END. */
  CLIENT_STATE = 18,
  SERVER_STATE = 19,
  /** Index in SIDES_OR_NONE of the first side to send FIN or RST. */
  CLOSED_BY = 20,
  START_AT = 21,
  FIRST_FRAME = 22,
  ROLE_INFERRED = 23,
  /** The client's and the server's directions (D), Zeek endpoints (Z) and timelines (E). */
  CLIENT = 24,
  SERVER = CLIENT + 48,
  ZEEK_ORIG = SERVER + 48,
  ZEEK_RESP = ZEEK_ORIG + 16,
  CLIENT_END = ZEEK_RESP + 16,
  SERVER_END = CLIENT_END + 36,
  /** Index in CLOSE_KINDS. */
  CLOSE = SERVER_END + 36,
  CLOSE_AT = CLOSE + 1,
  CLOSE_FRAME = CLOSE + 2,
  UNANSWERED_SINCE = CLOSE + 3,
  UNANSWERED_FRAME = CLOSE + 4,
  REUSE_GAP = CLOSE + 5,
  PREVIOUS_ID = CLOSE + 6,
  /** Payload sniffing: 0 not decided yet, 1 a session parses it (AppSniffer), 2 not parsed. */
  APP = CLOSE + 7,
  STRIDE = CLOSE + 8,
}

/** What one endpoint sent: offsets from F.CLIENT or F.SERVER. The first 24 are the busy ones. */
export const enum D {
  PACKETS = 0,
  FIRST_AT = 1,
  LAST_AT = 2,
  /** First SYN (or SYN-ACK) sent: frame 0 when none. */
  SYN_FRAME = 3,
  ISN = 4,
  /** Highest sequence number sent plus its length (valid once SEQ_KNOWN is 1). */
  NEXT_SEQ = 5,
  SEQ_KNOWN = 6,
  HIGHEST_ACK = 7,
  ACK_KNOWN = 8,
  FIN_FRAME = 9,
  /** Sequence number the FIN occupies. */
  FIN_SEQ = 10,
  /** When the peer acknowledged the FIN (-1: not yet). */
  FIN_ACKED_AT = 11,
  /** First segment with data or FIN from the peer after this side's FIN: a late answer. */
  FIRST_LATE_FRAME = 12,
  /** New payload bytes sent since the peer last sent payload: data still waiting for an answer. */
  BYTES_SINCE_PEER_DATA = 13,
  /** Payload bytes sent once (sequence space advanced). */
  UNIQUE_BYTES = 14,
  /** Payload bytes sent, retransmissions included. */
  PAYLOAD_BYTES = 15,
  DATA_SEGMENTS = 16,
  FIRST_DATA_AT = 17,
  LAST_DATA_AT = 18,
  LAST_DATA_FRAME = 19,
  RST_FRAME = 20,
  /** Zeek history bookkeeping: last SYN, FIN and RST sequence numbers recorded (-1: none). */
  HIST_LAST_SYN = 21,
  HIST_LAST_FIN = 22,
  HIST_LAST_RST = 23,
  FIRST_DATA_FRAME = 24,
  RETRANSMITS = 25,
  SYN_AT = 26,
  SYN_COUNT = 27,
  MSS = 28,
  WINDOW_SCALE = 29,
  /** Bytes the peer acknowledged that the capture never showed being sent (capture loss). */
  UNSEEN_BYTES = 30,
  UNSEEN_FRAME = 31,
  FIN_AT = 32,
  FIN_COUNT = 33,
  RST_AT = 34,
  RST_COUNT = 35,
  /** State codes of the sender and of its peer just before the first RST. */
  RST_SENDER_STATE = 36,
  RST_PEER_STATE = 37,
  /** Payload bytes the peer had sent since this side last sent payload, when it sent its RST. */
  RST_UNANSWERED_BYTES = 38,
  /** Frame of the peer's segment (data or FIN) the RST answered, when this side had closed. */
  RST_ANSWERED_LATE_FRAME = 39,
  ZERO_WINDOW_COUNT = 40,
  ZERO_WINDOW_FRAME = 41,
  ZERO_WINDOW_AT = 42,
  /** IP bytes sent (headers included: Zeek's orig_ip_bytes / resp_ip_bytes). */
  IP_BYTES = 43,
  /**
   * Payload bytes of this direction the payload parser has not been given (a snaplen cut the
   * segment that carried them): it is told of them with the next payload.
   */
  APP_SKIPPED = 44,
}

/**
 * An endpoint's timeline: offsets from F.CLIENT_END or F.SERVER_END. It holds up to CAPACITY
 * changes of (state code, time, frame); a longer one (only a capture that resets and reopens one
 * 4-tuple over and over makes one) keeps its first changes and, in the last entry, the latest,
 * and counts the changes it left out.
 */
export const enum E {
  CHANGES = 0,
  OMITTED = 1,
  TIMELINE = 2,
  /** Fields per timeline entry. */
  ENTRY = 3,
  CAPACITY = 11,
}

/** One Zeek endpoint (zeek-state.ts): offsets from F.ZEEK_ORIG or F.ZEEK_RESP. */
export const enum Z {
  STATE = 0,
  PREV_STATE = 1,
  /** Initial sequence number (or one before the first seen, for a partial connection). */
  START_SEQ = 2,
  /** One past the highest sequence number this endpoint sent, and its 2^32 wraps. */
  LAST_SEQ = 3,
  SEQ_WRAPS = 4,
  /** Highest acknowledgement the peer sent for this endpoint's data, and its wraps. */
  ACK_SEQ = 5,
  ACK_WRAPS = 6,
  FIN_COUNT = 7,
  /** Retransmissions (T) and zero windows (W): counts and next thresholds for the 1, 10, 100... scale. */
  RXMIT_COUNT = 8,
  RXMIT_THRESHOLD = 9,
  ZERO_WINDOW_COUNT = 10,
  ZERO_WINDOW_THRESHOLD = 11,
}

/** Zeek history letters kept in the store per flow; a longer history continues in a string. */
export const HISTORY_CAPACITY = 32;
