/**
 * The TLS handshake of one connection as seen in clear, without keys: when the ClientHello and
 * the ServerHello were complete (handshake latency), SNI, ALPN offered and (TLS 1.2 and below)
 * chosen, the negotiated version and cipher suite, the first alert in clear, and how many
 * application_data records each side sent.
 *
 * Each direction is walked record by record (RFC 8446 5.1, RFC 5246 6.2.1) across segment
 * boundaries: a record header split between segments is gathered in 5 bytes; record bodies are
 * skipped by arithmetic, except the handshake bodies of the side that has not yet sent its
 * hello. Those form one stream of handshake messages (a message may span records, RFC 8446
 * 5.1); only the hello is kept, in a buffer of exactly its length (at most
 * MAX_HELLO_BODY bytes, dropped once parsed), or read in place when one segment holds it all.
 *
 * What the numbers mean:
 * - `clientHelloAt` / `serverHelloAt`: the segment that completed the hello message.
 * - `firstServerDataAt`: the first server payload once the client has sent payload (the
 *   tracker only starts a TLS session on the client's first bytes, and no server speaks
 *   before the ClientHello ends), whatever it holds.
 * - `serverHello*`, `version`, `cipherSuite`: after a HelloRetryRequest (RFC 8446 4.1.4) the
 *   ServerHello that follows it replaces it; if none follows, the HelloRetryRequest's values
 *   (and time) stay.
 * - `appRecords`: records of content type 23 whose header was seen, counted for the whole
 *   connection (no cap: skipping a body costs a subtraction). TLS 1.3 hides the real type
 *   (RFC 8446 5.2: opaque_type is always 23), so there the count includes the encrypted
 *   handshake (server: EncryptedExtensions, Certificate, CertificateVerify, Finished,
 *   usually one record each; client: Finished) and post-handshake messages (NewSessionTicket,
 *   KeyUpdate) and encrypted alerts (close_notify). `firstAppDataAt` is the segment that
 *   completed the first such record's header, so in TLS 1.3 it is usually the server's
 *   encrypted handshake and the client's Finished, not the first application byte.
 * - `alert`: the first alert whose level and description are in clear: an alert record sent
 *   before its sender's ChangeCipherSpec, or one exactly 2 bytes long (an encrypted alert is
 *   longer: it carries a MAC or an AEAD tag, RFC 5246 6.2.3).
 * - `stopped`: the first direction that stopped (the reason names it): capture loss
 *   (`skipped` > 0), bytes that are not TLS records, a hello larger than MAX_HELLO_BODY or
 *   malformed. The other direction goes on; counts of a stopped direction end there.
 *
 * Limitations: no decryption, so nothing of TLS 1.3 after the ServerHello is known but record
 * counts; no resynchronisation after capture loss; a second ClientHello (after a
 * HelloRetryRequest, or a TLS 1.2 renegotiation) is not read; SSL 2.0 hellos are not parsed.
 */
import {
  TLS_ALERT,
  TLS_ALERT_LEN,
  TLS_APPLICATION_DATA,
  TLS_CHANGE_CIPHER_SPEC,
  TLS_CLIENT_HELLO,
  TLS_HANDSHAKE,
  TLS_HANDSHAKE_HEADER_LEN,
  TLS_RECORD_HEADER_LEN,
  TLS_SERVER_HELLO,
  TlsRecordHeaderView,
  parseClientHello,
  parseServerHello,
  tlsHandshakeLength,
  tlsHandshakeType,
  tlsVersionName,
  type TlsHelloLimits,
  type TlsProblem,
} from "../decode/index.js";
import { MAX_TEXT, type AppContext, type AppSession, type TlsContext } from "./app-context.js";

/**
 * Largest hello body kept: 16 KiB. Real ClientHellos are a few hundred bytes to about 2 KiB
 * (post-quantum key shares included); a larger one is most likely not a hello.
 */
export const MAX_HELLO_BODY = 16384;
/** ALPN protocols kept from a ClientHello (browsers offer 2 or 3). */
export const MAX_ALPN_OFFERED = 16;

const HELLO_LIMITS: TlsHelloLimits = { maxText: MAX_TEXT, maxItems: MAX_ALPN_OFFERED };

/**
 * The view every session reads record headers through: one for all, pointed at each header
 * in turn (a session reads one header at a time and keeps nothing in the view between calls).
 */
const RECORD_HEADER = new TlsRecordHeaderView();

/** One direction's walk: where it is in the record stream and the handshake stream. */
class TlsSide {
  /** Walking records, or stopped for good. */
  stopped = false;
  /**
   * A record header split across segments: its bytes so far (allocated when a header first
   * splits: most connections never split one, and a million of them should not each carry it).
   */
  header: Uint8Array | null = null;
  headerFill = 0;
  /** The current record: content type and body bytes still to come (0: at a header). */
  recordType = 0;
  recordLeft = 0;
  /** This side sent ChangeCipherSpec: what it sends after is encrypted (TLS 1.2). */
  sentChangeCipherSpec = false;
  /** The current alert record is in clear; its bytes read so far (0, 1) and its level. */
  alertClear = false;
  alertFill = 0;
  alertLevel = 0;
  /** Still looking for this side's hello in its handshake records. */
  wantHello = true;
  /** A handshake header split across records or segments: its bytes so far (as `header`). */
  hsHeader: Uint8Array | null = null;
  hsHeaderFill = 0;
  /** Body bytes of the current handshake message still to come (0: at a header). */
  hsLeft = 0;
  /** The hello being gathered across records or segments, null when none is. */
  hello: Uint8Array | null = null;
  helloFill = 0;
  appRecords = 0;
  firstAppAt = -1;

  constructor(readonly fromClient: boolean) {}
}

export class TlsSession implements AppSession {
  private readonly client = new TlsSide(true);
  private readonly server = new TlsSide(false);
  private clientSpoke = false;
  private clientHelloAt = -1;
  private clientHelloFrame = 0;
  private sni: string | null = null;
  private alpnOffered: readonly string[] = [];
  /** The server's hello so far was a HelloRetryRequest. */
  private helloRetry = false;
  private serverHelloAt = -1;
  private serverHelloFrame = 0;
  private firstServerDataAt = -1;
  private firstServerDataFrame = 0;
  private version: string | null = null;
  private alpn: string | null = null;
  private cipherSuite: number | null = null;
  private alert: TlsContext["alert"] = null;
  private stopped: TlsContext["stopped"] = null;

  data(
    fromClient: boolean,
    bytes: Uint8Array,
    start: number,
    end: number,
    skipped: number,
    t: number,
    frame: number,
  ): void {
    // Never trust the range: read only what the array holds.
    const from = start > 0 ? start : 0;
    const to = end < bytes.length ? end : bytes.length;
    if (to > from) {
      if (fromClient) this.clientSpoke = true;
      else if (this.firstServerDataFrame === 0 && this.clientSpoke) {
        this.firstServerDataAt = t;
        this.firstServerDataFrame = frame;
      }
    }
    const side = fromClient ? this.client : this.server;
    if (side.stopped) return;
    if (skipped > 0) {
      // Bytes never captured: the next record boundary is unknown, so this direction ends.
      this.stop(side, `${sideName(side)}: capture loss, ${skipped} bytes missing`, frame);
      return;
    }
    this.walk(side, bytes, from, to, t, frame);
  }

  /**
   * Nothing in TlsContext depends on the close itself: the analysis compares the close times
   * it already has with serverHelloAt (a ServerHello after the client closed).
   */
  closed(_fromClient: boolean, _rst: boolean, _t: number, _frame: number): void {}

  result(): AppContext {
    const tls: TlsContext = {
      clientHelloAt: this.clientHelloAt,
      clientHelloFrame: this.clientHelloFrame,
      sni: this.sni,
      alpnOffered: this.alpnOffered,
      serverHelloAt: this.serverHelloAt,
      serverHelloFrame: this.serverHelloFrame,
      firstServerDataAt: this.firstServerDataAt,
      firstServerDataFrame: this.firstServerDataFrame,
      version: this.version,
      alpn: this.alpn,
      cipherSuite: this.cipherSuite,
      appRecords: { client: this.client.appRecords, server: this.server.appRecords },
      firstAppDataAt: { client: this.client.firstAppAt, server: this.server.firstAppAt },
      alert: this.alert,
      stopped: this.stopped,
    };
    return { protocol: "tls", tls };
  }

  /** Records in `bytes[at, end)`, continuing from where the last segment left this side. */
  private walk(
    side: TlsSide,
    bytes: Uint8Array,
    at: number,
    end: number,
    t: number,
    frame: number,
  ): void {
    const view = RECORD_HEADER;
    while (at < end) {
      if (side.recordLeft === 0) {
        // At a record header: in place when this segment holds all of it, else gathered.
        if (side.headerFill === 0 && end - at >= TLS_RECORD_HEADER_LEN) {
          view.wrap(bytes, at, end);
          at += TLS_RECORD_HEADER_LEN;
        } else {
          const header = (side.header ??= new Uint8Array(TLS_RECORD_HEADER_LEN));
          while (side.headerFill < TLS_RECORD_HEADER_LEN && at < end) {
            header[side.headerFill++] = bytes[at++] ?? 0;
          }
          if (side.headerFill < TLS_RECORD_HEADER_LEN) return;
          side.headerFill = 0;
          view.wrap(header, 0, TLS_RECORD_HEADER_LEN);
        }
        const problem = view.problem();
        if (problem !== null) {
          this.stop(side, recordProblemReason(side, problem, view), frame);
          return;
        }
        this.startRecord(side, view.contentType, view.length, t);
        continue;
      }
      const chunkEnd = end - at < side.recordLeft ? end : at + side.recordLeft;
      if (side.recordType === TLS_HANDSHAKE) {
        if (side.wantHello) this.handshake(side, bytes, at, chunkEnd, t, frame);
        if (side.stopped) return;
      } else if (side.recordType === TLS_ALERT && side.alertClear && this.alert === null) {
        this.alertBytes(side, bytes, at, chunkEnd, frame);
      }
      side.recordLeft -= chunkEnd - at;
      at = chunkEnd;
    }
  }

  private startRecord(side: TlsSide, type: number, length: number, t: number): void {
    side.recordType = type;
    side.recordLeft = length;
    switch (type) {
      case TLS_APPLICATION_DATA:
        if (side.appRecords === 0) side.firstAppAt = t;
        side.appRecords++;
        break;
      case TLS_CHANGE_CIPHER_SPEC:
        side.sentChangeCipherSpec = true;
        // TLS 1.2: what follows the sender's CCS is encrypted, its handshake records too
        // (RFC 5246 7.1). TLS 1.3 sends CCS only for middlebox compatibility (RFC 8446 D.4),
        // and a server that sent a HelloRetryRequest then CCS still sends its ServerHello in
        // clear, so the server keeps looking after a HelloRetryRequest.
        if (side.fromClient || !this.helloRetry) side.wantHello = false;
        break;
      case TLS_ALERT:
        // In clear before the sender's CCS; an encrypted alert is never exactly 2 bytes.
        side.alertClear =
          this.alert === null && (!side.sentChangeCipherSpec || length === TLS_ALERT_LEN);
        side.alertFill = 0;
        break;
      default:
        break;
    }
  }

  /** Bytes of an alert record in clear: the first alert's level and description. */
  private alertBytes(
    side: TlsSide,
    bytes: Uint8Array,
    at: number,
    end: number,
    frame: number,
  ): void {
    for (let i = at; i < end && this.alert === null; i++) {
      const b = bytes[i] ?? 0;
      if (side.alertFill === 0) {
        side.alertLevel = b;
        side.alertFill = 1;
      } else {
        const who = side.fromClient ? "client" : "server";
        this.alert = { side: who, level: side.alertLevel, description: b, frame };
      }
    }
  }

  /** Handshake record bytes `bytes[at, end)` of a side still looking for its hello. */
  private handshake(
    side: TlsSide,
    bytes: Uint8Array,
    at: number,
    end: number,
    t: number,
    frame: number,
  ): void {
    const want = side.fromClient ? TLS_CLIENT_HELLO : TLS_SERVER_HELLO;
    while (at < end && side.wantHello) {
      if (side.hsLeft === 0 && side.hello === null) {
        // At a handshake header: in place, or gathered across records and segments.
        let type: number;
        let length: number;
        if (side.hsHeaderFill === 0 && end - at >= TLS_HANDSHAKE_HEADER_LEN) {
          type = tlsHandshakeType(bytes, at);
          length = tlsHandshakeLength(bytes, at);
          at += TLS_HANDSHAKE_HEADER_LEN;
        } else {
          const header = (side.hsHeader ??= new Uint8Array(TLS_HANDSHAKE_HEADER_LEN));
          while (side.hsHeaderFill < TLS_HANDSHAKE_HEADER_LEN && at < end) {
            header[side.hsHeaderFill++] = bytes[at++] ?? 0;
          }
          if (side.hsHeaderFill < TLS_HANDSHAKE_HEADER_LEN) return;
          side.hsHeaderFill = 0;
          type = tlsHandshakeType(header, 0);
          length = tlsHandshakeLength(header, 0);
        }
        if (type !== want) {
          // Another message (a HelloRequest, a server's Certificate...): skip its body.
          side.hsLeft = length;
          continue;
        }
        if (length > MAX_HELLO_BODY) {
          const name = side.fromClient ? "ClientHello" : "ServerHello";
          this.stop(side, `${sideName(side)}: ${name} of ${length} bytes exceeds 16 KiB`, frame);
          return;
        }
        if (end - at >= length) {
          // The whole hello is in this segment's record: parse it in place, no copy.
          this.hello(side, bytes, at, at + length, t, frame);
          at += length;
          continue;
        }
        side.hello = new Uint8Array(length);
        side.helloFill = 0;
        side.hsLeft = length;
        continue;
      }
      const chunkEnd = end - at < side.hsLeft ? end : at + side.hsLeft;
      const buffer = side.hello;
      if (buffer !== null) {
        let fill = side.helloFill;
        for (let i = at; i < chunkEnd; i++) buffer[fill++] = bytes[i] ?? 0;
        side.helloFill = fill;
      }
      side.hsLeft -= chunkEnd - at;
      at = chunkEnd;
      if (side.hsLeft === 0 && buffer !== null) {
        side.hello = null;
        this.hello(side, buffer, 0, buffer.length, t, frame);
      }
    }
  }

  /** A complete hello body `bytes[at, end)` from `side`. */
  private hello(
    side: TlsSide,
    bytes: Uint8Array,
    at: number,
    end: number,
    t: number,
    frame: number,
  ): void {
    let problem: TlsProblem | null;
    let problemOffset: number;
    if (side.fromClient) {
      const hello = parseClientHello(bytes, at, end, HELLO_LIMITS);
      this.clientHelloAt = t;
      this.clientHelloFrame = frame;
      this.sni = hello.sni;
      this.alpnOffered = hello.alpn;
      side.wantHello = false;
      problem = hello.problem;
      problemOffset = hello.problemOffset;
    } else {
      const hello = parseServerHello(bytes, at, end, HELLO_LIMITS);
      this.serverHelloAt = t;
      this.serverHelloFrame = frame;
      this.version = hello.version !== 0 ? tlsVersionName(hello.version) : null;
      this.alpn = hello.alpn;
      this.cipherSuite = hello.cipherSuite >= 0 ? hello.cipherSuite : null;
      // After a HelloRetryRequest the real ServerHello is still to come (RFC 8446 4.1.4).
      this.helloRetry = hello.helloRetryRequest;
      side.wantHello = hello.helloRetryRequest && hello.problem === null;
      problem = hello.problem;
      problemOffset = hello.problemOffset;
    }
    if (problem !== null) {
      const name = side.fromClient ? "ClientHello" : "ServerHello";
      this.stop(
        side,
        `${sideName(side)}: ${name} malformed (${problem} at byte ${problemOffset})`,
        frame,
      );
    }
  }

  private stop(side: TlsSide, reason: string, frame: number): void {
    side.stopped = true;
    side.hello = null;
    if (this.stopped === null) this.stopped = { reason, frame };
  }
}

function sideName(side: TlsSide): string {
  return side.fromClient ? "client" : "server";
}

function recordProblemReason(
  side: TlsSide,
  problem: TlsProblem,
  view: TlsRecordHeaderView,
): string {
  const who = sideName(side);
  switch (problem) {
    case "tls-record-unknown-type":
      return `${who}: not TLS (record content type ${view.contentType}, RFC 8446 5.1)`;
    case "tls-record-bad-version":
      return `${who}: not TLS (record version 0x${view.version.toString(16).padStart(4, "0")})`;
    case "tls-record-too-long":
      return `${who}: record of ${view.length} bytes, longer than 2^14 + 2048 (RFC 5246 6.2.3)`;
    default:
      return `${who}: ${problem}`;
  }
}
