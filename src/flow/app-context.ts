/**
 * What a connection's payload says about the application above TCP: HTTP/1.x exchanges, or the
 * TLS handshake in clear (ClientHello, ServerHello). Sessions (http-session.ts, tls-session.ts)
 * are fed each direction's new payload bytes in sequence order as the tracker sees them, and
 * give their context as plain data when the flow finishes; the context travels with the flow's
 * record (to the analysis thread too), so it holds no functions and no typed-array views.
 *
 * Times are relative to the capture's base (FlowTracker.baseSec), like every flow time; -1 and
 * frame 0 mean "not seen". Text is taken from captured bytes as Latin-1 (one char per byte),
 * cut to MAX_TEXT characters: it is hostile input, escaped by whoever prints it.
 *
 * Limitations: no reassembly beyond sequence order as captured; bytes the capture lost (a gap
 * in sequence space) stop parsing of that direction until a message boundary can be found again.
 */

/** Longest text kept from a captured field (method, target, host, SNI, reason...). */
export const MAX_TEXT = 256;
/** Exchanges kept per connection: the first MAX_EXCHANGES - 1 and the last. */
export const MAX_EXCHANGES = 16;

/** One HTTP/1.x request and its response. */
export interface HttpExchange {
  /** Request line, as sent (Latin-1, cut to MAX_TEXT). */
  readonly method: string;
  readonly target: string;
  /** "HTTP/1.1", "HTTP/1.0". */
  readonly version: string;
  /** Host header, null when absent. */
  readonly host: string | null;
  /** The segment carrying the request's first byte. */
  readonly requestAt: number;
  readonly requestFrame: number;
  /** Connection header of the request when it says close or keep-alive (token, any case). */
  readonly requestConnection: "close" | "keep-alive" | null;
  /** The whole request (headers and body as framed) was seen. */
  readonly requestComplete: boolean;
  /** Interim (1xx) responses before the final one (101 is final: see HttpContext.upgraded). */
  readonly interim: number;
  /** The segment carrying the first byte of the first response (1xx included); -1 / 0: none. */
  readonly responseAt: number;
  readonly responseFrame: number;
  /** Final response's status and reason phrase; 0 and "" when none was seen. */
  readonly status: number;
  readonly reason: string;
  readonly responseConnection: "close" | "keep-alive" | null;
  /**
   * How the final response's body is delimited: by Content-Length, chunked, by the server
   * closing, or no body (HEAD, 1xx, 204, 304); null when no response was seen.
   */
  readonly bodyFraming: "length" | "chunked" | "close" | "none" | null;
  /** Content-Length of the final response, -1 when absent. */
  readonly contentLength: number;
  /** Body bytes of the final response seen (chunk framing not counted). */
  readonly bodyBytes: number;
  /**
   * The final response was seen to its end (for "close" framing: the server's FIN came after
   * it); with the segment that ended it (-1 / 0 when it did not end).
   */
  readonly responseComplete: boolean;
  readonly responseEndAt: number;
  readonly responseEndFrame: number;
}

export interface HttpContext {
  /** Requests and final responses seen, all of them (beyond the exchanges kept). */
  readonly requests: number;
  readonly responses: number;
  /** The first MAX_EXCHANGES - 1 exchanges and the last, in order; `omitted` were between. */
  readonly exchanges: readonly HttpExchange[];
  readonly omitted: number;
  /** Messages that carried Connection: close, by sender. */
  readonly connectionClose: { readonly client: number; readonly server: number };
  /** A 101 response switched the connection to this protocol (Upgrade header), else null. */
  readonly upgraded: string | null;
  /**
   * Parsing of a direction stopped (bytes that are not HTTP/1.x, capture loss inside a header
   * block...): why, and the frame; null when it never stopped.
   */
  readonly stopped: { readonly reason: string; readonly frame: number } | null;
}

export interface TlsContext {
  /** The segment that completed the ClientHello (-1 / 0: none seen), and its first segment. */
  readonly clientHelloAt: number;
  readonly clientHelloFrame: number;
  /** server_name (SNI), null when absent. */
  readonly sni: string | null;
  /** ALPN protocols the client offered, in order. */
  readonly alpnOffered: readonly string[];
  /** The segment that completed the ServerHello (-1 / 0: none seen). */
  readonly serverHelloAt: number;
  readonly serverHelloFrame: number;
  /** First server payload after the ClientHello (-1 / 0): ServerHello, alert, or anything. */
  readonly firstServerDataAt: number;
  readonly firstServerDataFrame: number;
  /** Negotiated version ("TLS 1.3", "TLS 1.2", ...), from supported_versions when present. */
  readonly version: string | null;
  /** ALPN the server chose, when the wire shows it (TLS 1.2 and below; 1.3 encrypts it). */
  readonly alpn: string | null;
  /** Cipher suite chosen, as its IANA number. */
  readonly cipherSuite: number | null;
  /** Application-data records (content type 23) seen from each side, and the first of each. */
  readonly appRecords: { readonly client: number; readonly server: number };
  readonly firstAppDataAt: { readonly client: number; readonly server: number };
  /** The first alert in clear, if any: who sent it, its level and description numbers. */
  readonly alert: {
    readonly side: "client" | "server";
    readonly level: number;
    readonly description: number;
    readonly frame: number;
  } | null;
  /** Parsing stopped (not TLS, a record too large, capture loss): why, and the frame. */
  readonly stopped: { readonly reason: string; readonly frame: number } | null;
}

/** The payload protocols teardown detects, in a fixed order: a protocol's number is its index. */
export const APP_PROTOCOLS = ["http", "tls", "h2c"] as const;

export type AppProtocol = (typeof APP_PROTOCOLS)[number];

export interface AppContext {
  /** What the payload carried, detected from its first bytes. */
  readonly protocol: AppProtocol;
  readonly http?: HttpContext;
  readonly tls?: TlsContext;
}

/**
 * A connection's payload parser. The tracker feeds it each direction's payload in sequence
 * order, once (retransmissions are not fed again), and tells it when each side closes. It must
 * not allocate per call beyond bounded per-connection buffers, never throw on any bytes, and
 * keep memory per connection bounded (a few KiB) whatever the payload.
 */
export interface AppSession {
  /**
   * New payload from one side: `bytes[start, end)`. `skipped` bytes of sequence space before
   * `start` were never captured (capture loss, a snaplen cut, reordering): the session must
   * resynchronise or stop. `t` and `frame` are the segment's.
   */
  data(
    fromClient: boolean,
    bytes: Uint8Array,
    start: number,
    end: number,
    skipped: number,
    t: number,
    frame: number,
  ): void;
  /** A side's first FIN (rst false) or RST (rst true). */
  closed(fromClient: boolean, rst: boolean, t: number, frame: number): void;
  /**
   * The context, as plain data: called once, when the connection is finished and the session
   * is dropped (AppSniffer.finish), so the result may share the session's records.
   */
  result(): AppContext;
}

/** How to make a new session for each protocol teardown parses. */
export type AppSessionFactories = { readonly [K in AppProtocol]: () => AppSession };
