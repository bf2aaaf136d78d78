/**
 * HTTP/1.x sniffing for one connection: an incremental parser of each direction's payload that
 * keeps only what the teardown analysis needs (request line, status line, Host, Connection,
 * framing, times), never the bodies. It implements AppSession (app-context.ts) and gives an
 * HttpContext.
 *
 * Each direction is a small state machine over the bytes as they arrive ("start", "first-line",
 * "headers", then the body states of RFC 9112 section 6.3). Lines are found with an index loop;
 * a line inside one segment is parsed in place, a line spanning segments is copied into one
 * bounded buffer per direction (HTTP_LINE_MAX bytes, plus the last few bytes of a longer line so
 * a request line's version is still seen). Bodies are skipped by arithmetic. Responses are
 * paired with requests in order (RFC 9112 9.3.2) through a bounded queue of pending requests.
 *
 * Choices where the RFC leaves room, all as lenient as common parsers when harmless:
 * - bare LF ends a line, empty lines before a message are skipped (RFC 9112 2.2), also before a
 *   response; whitespace between a field name and its colon is tolerated; obsolete line folding
 *   (RFC 9112 5.2) continues the previous field (only Connection and Transfer-Encoding use it);
 * - trailer fields are skipped unparsed (RFC 9112 7.1.2);
 * - a 2xx answer to CONNECT makes the connection a tunnel (RFC 9112 6.3 rule 2): both directions
 *   stop without a `stopped` reason; a 101 does the same and records `upgraded` (the Upgrade
 *   header value, "" when the 101 had none);
 * - when a request carried Upgrade, client bytes that are not HTTP right after it are taken as
 *   the new protocol (sent early): the client direction goes quiet, and is reported as stopped
 *   only if no 101 ever came;
 * - a response while no request is pending (an unsolicited 408, or the client direction stopped)
 *   gets an exchange of its own with an empty method and requestFrame 0.
 *
 * Capture loss (`skipped` > 0): inside a body of known length (Content-Length, chunk data) the
 * lost bytes are subtracted and parsing stays in sync; inside a close-delimited body it does not
 * matter. Anywhere else the direction stops ("capture loss"). There is no resynchronisation:
 * after loss of a message boundary the number of lost messages is unknown, so pairing later
 * responses with requests could not be trusted, and a wrong pairing is worse than none.
 *
 * Limitations: HTTP/1.x only (a request line with another version stops the client direction);
 * no request bodies delimited by anything but Content-Length or chunked (RFC 9112 6.3 rule 6);
 * more than HTTP_MAX_PENDING pipelined requests awaiting responses stops the client direction;
 * a response with no request to pair with is framed as if the request was not HEAD; lines
 * longer than HTTP_LINE_MAX keep their first HTTP_LINE_MAX bytes and last few bytes only (an
 * over-long Content-Length or Transfer-Encoding line stops the direction); bodies are not
 * checked (a body shorter than announced runs into the next message's bytes, as it would in the
 * peer's parser). Data fed after a side's FIN is still parsed, except a close-delimited body,
 * which that FIN ended.
 */
import {
  MAX_EXCHANGES,
  MAX_TEXT,
  type AppContext,
  type AppSession,
  type HttpContext,
  type HttpExchange,
} from "./app-context.js";
import { latin1 } from "../decode/index.js";

/** Bytes of a line kept when it spans segments; the rest of a longer line is skipped to LF. */
export const HTTP_LINE_MAX = 4096;
/** Requests awaiting a response that are remembered (pipelining depth). */
export const HTTP_MAX_PENDING = 32;
/** Last bytes of an over-long line kept besides its head, for the request line's version. */
const TAIL_MAX = 16;

/** Why a direction stopped, as reported in HttpContext.stopped ("client: ..."/"server: ..."). */
export const HTTP_STOP_REASONS = {
  notRequest: "bytes where a request should start are not an HTTP request line",
  notResponse: "bytes where a response should start are not an HTTP status line",
  badRequestLine: "malformed request line",
  badStatusLine: "malformed status line",
  unsupportedVersion: "HTTP version other than 1.x",
  badHeader: "malformed header line",
  badContentLength: "invalid Content-Length",
  requestTransferEncoding: "request Transfer-Encoding does not end in chunked",
  longFramingHeader: "Content-Length or Transfer-Encoding line too long",
  badChunk: "malformed chunk-size line or chunk end",
  captureLoss: "capture loss outside a body of known length",
  pipelineTooDeep: `more than ${HTTP_MAX_PENDING} requests awaiting responses`,
} as const;
export type HttpStopCode = keyof typeof HTTP_STOP_REASONS;

const HT = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const COMMA = 0x2c;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;

/** tchar of RFC 9110 5.6.2: the bytes of a method or a field name. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = TCHAR[c + 0x20] = 1;

/** Hex digit values (RFC 9112 7.1 chunk-size), 255 for other bytes. */
const HEX = new Uint8Array(256).fill(255);
for (let d = 0; d < 10; d++) HEX[DIGIT_0 + d] = d;
for (let d = 0; d < 6; d++) HEX[0x41 + d] = HEX[0x61 + d] = 10 + d;

const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** Lower-case names and tokens compared case-insensitively (RFC 9110 5.1, 7.6.1, 7.8). */
const NAME_HOST = bytesOf("host");
const NAME_UPGRADE = bytesOf("upgrade");
const NAME_CONNECTION = bytesOf("connection");
const NAME_CONTENT_LENGTH = bytesOf("content-length");
const NAME_TRANSFER_ENCODING = bytesOf("transfer-encoding");
const TOKEN_CLOSE = bytesOf("close");
const TOKEN_KEEP_ALIVE = bytesOf("keep-alive");
const TOKEN_CHUNKED = bytesOf("chunked");
/** Case-sensitive (RFC 9112 2.3, RFC 9110 9.1). */
const HTTP_SLASH = bytesOf("HTTP/");
const METHOD_HEAD = bytesOf("HEAD");
const METHOD_CONNECT = bytesOf("CONNECT");

/** The header fields that matter; every other field is FIELD_OTHER. */
const FIELD_OTHER = 0;
const FIELD_HOST = 1;
const FIELD_UPGRADE = 2;
const FIELD_CONNECTION = 3;
const FIELD_CONTENT_LENGTH = 4;
const FIELD_TRANSFER_ENCODING = 5;

/** What a pending request means for its response's framing (RFC 9112 6.3 rules 1 and 2). */
const KIND_HEAD = 1;
const KIND_CONNECT = 2;

/** Content-Length value that is not a valid length (RFC 9110 8.6). */
const LENGTH_INVALID = -2;
/** Largest Content-Length or chunk size accepted: beyond it the number is not exact. */
const MAX_LENGTH = 2 ** 52;

/** Where a direction is: between messages, in a line-oriented part, in a body, or finished. */
type SideState =
  | "start"
  | "first-line"
  | "headers"
  | "body"
  | "chunk-size"
  | "chunk-data"
  | "chunk-end"
  | "trailers"
  | "close-body"
  | "opaque"
  | "stopped"
  | "done";

type MutableExchange = { -readonly [K in keyof HttpExchange]: HttpExchange[K] };

/** One direction's parser state and the current message's fields of interest. */
class Side {
  state: SideState = "start";
  /** Line buffer, allocated when a line first spans segments: head, then the last bytes. */
  buf: Uint8Array | null = null;
  /** Bytes of the current line in buf's head, all bytes of it seen, and the tail kept. */
  lineLen = 0;
  lineTotal = 0;
  tailLen = 0;
  /** The start of the first line was checked (a method then SP, or "HTTP/"). */
  firstLineOk = false;
  /** Body or chunk bytes still to come. */
  remaining = 0;
  /** The segment that carried the current message's first byte. */
  msgT = -1;
  msgFrame = 0;
  /** Status code of the current response. */
  status = 0;
  contentLength = -1;
  teSeen = false;
  teChunked = false;
  framingTooLong = false;
  connClose = false;
  connKeepAlive = false;
  upgrade: string | null = null;
  host: string | null = null;
  lastField = FIELD_OTHER;
  /** Client: the last complete request asked for an Upgrade. */
  afterUpgrade = false;

  constructor(readonly client: boolean) {}

  resetMessage(t: number, frame: number): void {
    this.msgT = t;
    this.msgFrame = frame;
    this.firstLineOk = false;
    this.status = 0;
    this.contentLength = -1;
    this.teSeen = false;
    this.teChunked = false;
    this.framingTooLong = false;
    this.connClose = false;
    this.connKeepAlive = false;
    this.upgrade = null;
    this.host = null;
    this.lastField = FIELD_OTHER;
  }
}

/** The HTTP/1.x parser of one connection (see the module comment). */
export class HttpSession implements AppSession {
  private readonly client = new Side(true);
  private readonly server = new Side(false);
  /** The segment being parsed. */
  private t = -1;
  private frame = 0;

  private requests = 0;
  private responses = 0;
  private readonly kept: MutableExchange[] = [];
  private last: MutableExchange | null = null;
  private omitted = 0;
  private closeByClient = 0;
  private closeByServer = 0;
  private upgraded: string | null = null;
  private stopped: { reason: string; frame: number } | null = null;
  /** A client stop that is only one if no 101 comes (see the module comment). */
  private pendingStop: { reason: string; frame: number } | null = null;

  /**
   * Requests awaiting their first response, oldest first: a ring of exchange and kind, grown
   * by doubling up to HTTP_MAX_PENDING (most connections never have more than one pending, and
   * a million of them should not each allocate the deepest pipeline's ring).
   */
  private pendEx: (MutableExchange | null)[] = [];
  private pendKind: number[] = [];
  private pendHead = 0;
  private pendCount = 0;

  /** The request being read (null once displaced from the kept exchanges). */
  private reqEx: MutableExchange | null = null;
  /** The exchange the server is answering: assigned at its first status line. */
  private resEx: MutableExchange | null = null;
  private resAssigned = false;
  private resKind = 0;

  data(
    fromClient: boolean,
    bytes: Uint8Array,
    start: number,
    end: number,
    skipped: number,
    t: number,
    frame: number,
  ): void {
    const side = fromClient ? this.client : this.server;
    if (!isParsing(side.state)) return;
    this.t = t;
    this.frame = frame;
    if (skipped > 0 && !this.skip(side, skipped)) return;
    let i = start;
    while (i < end) {
      switch (side.state) {
        case "start": {
          const b = bytes[i];
          // RFC 9112 2.2: empty lines before a request are ignored; done for responses too.
          if (b === CR || b === LF) {
            i++;
          } else {
            side.resetMessage(t, frame);
            side.state = "first-line";
          }
          break;
        }
        case "first-line":
          if (!side.firstLineOk && !this.checkFirstLine(side, bytes, i, end)) return;
          i = this.readLine(side, bytes, i, end);
          break;
        case "headers":
        case "chunk-size":
        case "chunk-end":
        case "trailers":
          i = this.readLine(side, bytes, i, end);
          break;
        case "body": {
          const n = Math.min(side.remaining, end - i);
          i += n;
          side.remaining -= n;
          if (!side.client && this.resEx !== null) this.resEx.bodyBytes += n;
          if (side.remaining === 0) this.endMessage(side);
          break;
        }
        case "chunk-data": {
          const n = Math.min(side.remaining, end - i);
          i += n;
          side.remaining -= n;
          if (!side.client && this.resEx !== null) this.resEx.bodyBytes += n;
          if (side.remaining === 0) side.state = "chunk-end";
          break;
        }
        case "close-body":
          if (this.resEx !== null) this.resEx.bodyBytes += end - i;
          i = end;
          break;
        case "opaque":
        case "stopped":
        case "done":
          return;
        default:
          return assertNever(side.state);
      }
    }
  }

  closed(fromClient: boolean, rst: boolean, t: number, frame: number): void {
    const side = fromClient ? this.client : this.server;
    if (fromClient || side.state !== "close-body") return;
    // RFC 9112 6.3 rule 8: a body without length ends when the server closes. A RST is an abort
    // (RFC 9293 3.6.1): data the server had queued may be lost, so the end is not known.
    if (!rst && this.resEx !== null) {
      this.resEx.responseComplete = true;
      this.resEx.responseEndAt = t;
      this.resEx.responseEndFrame = frame;
    }
    this.resEx = null;
    this.resAssigned = false;
    side.state = "done";
  }

  result(): AppContext {
    // Called once, as the connection finishes and its session is dropped (AppSniffer.finish):
    // the exchange records are handed over as they are, not copied.
    const exchanges: HttpExchange[] = this.last === null ? this.kept : [...this.kept, this.last];
    const stopped = this.stopped ?? (this.upgraded === null ? this.pendingStop : null);
    const http: HttpContext = {
      requests: this.requests,
      responses: this.responses,
      exchanges,
      omitted: this.omitted,
      connectionClose: { client: this.closeByClient, server: this.closeByServer },
      upgraded: this.upgraded,
      stopped: stopped === null ? null : { ...stopped },
    };
    return { protocol: "http", http };
  }

  /**
   * Approximate bytes this session holds (buffers, kept text), for tests and benchmarks of the
   * per-connection memory bound.
   */
  retainedBytes(): number {
    let n = (this.client.buf?.length ?? 0) + (this.server.buf?.length ?? 0);
    n += this.pendKind.length + this.pendEx.length * 8;
    const text = (e: MutableExchange | null): number =>
      e === null
        ? 0
        : e.method.length +
          e.target.length +
          e.version.length +
          e.reason.length +
          (e.host?.length ?? 0);
    for (const e of this.kept) n += text(e);
    n += text(this.last);
    for (const e of this.pendEx)
      if (e !== null && e !== this.last && !this.kept.includes(e)) n += text(e);
    return n;
  }

  /** Capture loss before the segment: true when the direction can go on. */
  private skip(side: Side, n: number): boolean {
    switch (side.state) {
      case "body":
        if (n <= side.remaining) {
          side.remaining -= n;
          if (side.remaining === 0) this.endMessage(side);
          return true;
        }
        break;
      case "chunk-data":
        if (n <= side.remaining) {
          side.remaining -= n;
          if (side.remaining === 0) side.state = "chunk-end";
          return true;
        }
        break;
      case "close-body":
        return true;
      default:
        break;
    }
    this.stop(side, "captureLoss");
    return false;
  }

  /**
   * Checks the start of a message's first line as its bytes arrive, so that bytes which are not
   * HTTP stop the direction at once rather than at some later LF: a request starts with a method
   * token and SP (RFC 9112 3), a response with "HTTP/" (RFC 9112 4).
   */
  private checkFirstLine(side: Side, bytes: Uint8Array, i: number, end: number): boolean {
    const base = side.lineTotal - i;
    for (let j = i; j < end; j++) {
      const b = bytes[j]!;
      const pos = base + j;
      if (side.client) {
        if (b === SP && pos > 0) {
          side.firstLineOk = true;
          return true;
        }
        if (TCHAR[b] !== 1) {
          this.stop(side, "notRequest");
          return false;
        }
      } else {
        if (b !== HTTP_SLASH[pos]) {
          this.stop(side, "notResponse");
          return false;
        }
        if (pos === HTTP_SLASH.length - 1) {
          side.firstLineOk = true;
          return true;
        }
      }
    }
    return true;
  }

  /** Consumes line bytes from i; at LF, parses the line. Returns the index after what it used. */
  private readLine(side: Side, bytes: Uint8Array, i: number, end: number): number {
    let j = i;
    while (j < end && bytes[j] !== LF) j++;
    if (j === end) {
      this.append(side, bytes, i, end);
      return end;
    }
    if (side.lineTotal === 0) {
      // The whole line is in this segment: parse it in place (the common case, no copy).
      const len = j - i;
      if (len <= HTTP_LINE_MAX) this.onLine(side, bytes, i, j, null, 0, 0);
      else this.onLine(side, bytes, i, i + HTTP_LINE_MAX, bytes, j - TAIL_MAX, j);
    } else {
      this.append(side, bytes, i, j);
      const buf = side.buf!;
      if (side.lineTotal <= HTTP_LINE_MAX) this.onLine(side, buf, 0, side.lineLen, null, 0, 0);
      else
        this.onLine(side, buf, 0, HTTP_LINE_MAX, buf, HTTP_LINE_MAX, HTTP_LINE_MAX + side.tailLen);
    }
    side.lineLen = 0;
    side.lineTotal = 0;
    side.tailLen = 0;
    return j + 1;
  }

  /** Keeps a partial line: its first HTTP_LINE_MAX bytes and, past that, its last TAIL_MAX. */
  private append(side: Side, bytes: Uint8Array, s: number, e: number): void {
    if (s === e) return;
    const buf = (side.buf ??= new Uint8Array(HTTP_LINE_MAX + TAIL_MAX));
    side.lineTotal += e - s;
    let p = s;
    const n = Math.min(HTTP_LINE_MAX - side.lineLen, e - s);
    for (let k = 0; k < n; k++) buf[side.lineLen + k] = bytes[p + k]!;
    side.lineLen += n;
    p += n;
    if (p === e) return;
    // Past the head: the tail holds the line's last TAIL_MAX bytes (seeded from the head's end).
    const more = Math.min(e - p, TAIL_MAX);
    const keep = TAIL_MAX - more;
    const from = side.tailLen === 0 ? HTTP_LINE_MAX - keep : HTTP_LINE_MAX + TAIL_MAX - keep;
    buf.copyWithin(HTTP_LINE_MAX, from, from + keep);
    for (let k = 0; k < more; k++) buf[HTTP_LINE_MAX + keep + k] = bytes[e - more + k]!;
    side.tailLen = TAIL_MAX;
  }

  /**
   * One complete line, LF excluded: `b[s, e)`, or for a line longer than HTTP_LINE_MAX its first
   * HTTP_LINE_MAX bytes `b[s, e)` and its last TAIL_MAX bytes `tb[ts, te)`.
   */
  private onLine(
    side: Side,
    b: Uint8Array,
    s: number,
    e: number,
    tb: Uint8Array | null,
    ts: number,
    te: number,
  ): void {
    if (tb === null) {
      if (e > s && b[e - 1] === CR) e--;
    } else if (te > ts && tb[te - 1] === CR) {
      te--;
    }
    const empty = tb === null && e === s;
    switch (side.state) {
      case "first-line":
        if (side.client) this.onRequestLine(side, b, s, e, tb, ts, te);
        else this.onStatusLine(side, b, s, e);
        break;
      case "headers":
        if (empty) this.endHeaders(side);
        else this.onFieldLine(side, b, s, e, tb !== null);
        break;
      case "chunk-size":
        this.onChunkSize(side, b, s, e);
        break;
      case "chunk-end":
        // RFC 9112 7.1: chunk data is followed by CRLF.
        if (empty) side.state = "chunk-size";
        else this.stop(side, "badChunk");
        break;
      case "trailers":
        // RFC 9112 7.1.2: trailer fields are not needed here; the empty line ends the message.
        if (empty) this.endMessage(side);
        break;
      default:
        break;
    }
  }

  /** RFC 9112 3: method SP request-target SP HTTP-version. */
  private onRequestLine(
    side: Side,
    b: Uint8Array,
    s: number,
    e: number,
    tb: Uint8Array | null,
    ts: number,
    te: number,
  ): void {
    let sp = s;
    while (sp < e && b[sp] !== SP) sp++;
    let targetStart = sp;
    // RFC 9112 3: recipients may split the line on whitespace; extra spaces are tolerated.
    while (targetStart < e && b[targetStart] === SP) targetStart++;
    let targetEnd: number;
    let vb: Uint8Array;
    let vs: number;
    let ve: number;
    if (tb === null) {
      let last = e - 1;
      while (last >= targetStart && b[last] !== SP) last--;
      targetEnd = last;
      while (targetEnd > targetStart && b[targetEnd - 1] === SP) targetEnd--;
      [vb, vs, ve] = [b, last + 1, e];
    } else {
      // An over-long line: the target is cut anyway, the version is among the last bytes.
      let last = te - 1;
      while (last >= ts && tb[last] !== SP) last--;
      if (last < ts) {
        this.stop(side, "badRequestLine");
        return;
      }
      targetEnd = e;
      [vb, vs, ve] = [tb, last + 1, te];
    }
    if (sp === e || targetEnd <= targetStart) {
      this.stop(side, "badRequestLine");
      return;
    }
    for (let k = targetStart; k < targetEnd; k++) {
      const c = b[k]!;
      if (c < SP || c === 0x7f) {
        this.stop(side, "badRequestLine");
        return;
      }
    }
    const major = httpVersion(vb, vs, ve);
    if (major !== 1) {
      this.stop(side, major < 0 ? "badRequestLine" : "unsupportedVersion");
      return;
    }
    if (this.pendCount === HTTP_MAX_PENDING) {
      this.stop(side, "pipelineTooDeep");
      return;
    }
    const ex = newExchange(
      knownOrLatin1(b, s, sp, COMMON_METHODS),
      latin1Text(b, targetStart, targetEnd),
      versionText(vb, vs),
      side.msgT,
      side.msgFrame,
    );
    const kind =
      (equals(b, s, sp, METHOD_HEAD) ? KIND_HEAD : 0) |
      (equals(b, s, sp, METHOD_CONNECT) ? KIND_CONNECT : 0);
    this.requests++;
    this.addExchange(ex);
    if (this.pendCount === this.pendEx.length) this.growPending();
    const slot = (this.pendHead + this.pendCount) % this.pendEx.length;
    this.pendEx[slot] = ex;
    this.pendKind[slot] = kind;
    this.pendCount++;
    this.reqEx = ex;
    side.afterUpgrade = false;
    side.state = "headers";
  }

  /** RFC 9112 4: HTTP-version SP 3DIGIT SP [reason-phrase]; the last SP is tolerated absent. */
  private onStatusLine(side: Side, b: Uint8Array, s: number, e: number): void {
    const codeAt = s + 9;
    const major = e - s >= 12 ? httpVersion(b, s, s + 8) : -1;
    if (
      major < 0 ||
      b[s + 8] !== SP ||
      !isDigit(b[codeAt]!) ||
      !isDigit(b[codeAt + 1]!) ||
      !isDigit(b[codeAt + 2]!) ||
      (e > codeAt + 3 && b[codeAt + 3] !== SP)
    ) {
      this.stop(side, "badStatusLine");
      return;
    }
    if (major !== 1) {
      this.stop(side, "unsupportedVersion");
      return;
    }
    const status =
      (b[codeAt]! - DIGIT_0) * 100 + (b[codeAt + 1]! - DIGIT_0) * 10 + (b[codeAt + 2]! - DIGIT_0);
    side.status = status;
    if (!this.resAssigned) this.assignResponse();
    const ex = this.resEx;
    if (ex !== null && ex.responseAt < 0) {
      ex.responseAt = side.msgT;
      ex.responseFrame = side.msgFrame;
    }
    if (isInterim(status)) {
      if (ex !== null) ex.interim++;
    } else {
      this.responses++;
      if (ex !== null) {
        ex.status = status;
        ex.reason = knownOrLatin1(b, Math.min(codeAt + 4, e), e, COMMON_REASONS);
      }
    }
    side.state = "headers";
  }

  /** The first response to a request: the oldest pending one, or an exchange of its own. */
  private assignResponse(): void {
    this.resAssigned = true;
    if (this.pendCount > 0) {
      this.resEx = this.pendEx[this.pendHead]!;
      this.resKind = this.pendKind[this.pendHead]!;
      this.pendEx[this.pendHead] = null;
      this.pendHead = (this.pendHead + 1) % this.pendEx.length;
      this.pendCount--;
      return;
    }
    // A response with no request seen: an exchange with an empty request line.
    const ex = newExchange("", "", "", -1, 0);
    this.addExchange(ex);
    this.resEx = ex;
    this.resKind = 0;
  }

  /** RFC 9112 5: field-name ":" OWS field-value OWS; only a few fields are read. */
  private onFieldLine(side: Side, b: Uint8Array, s: number, e: number, overlong: boolean): void {
    const first = b[s];
    if (first === SP || first === HT) {
      // RFC 9112 5.2: obsolete line folding continues the previous field's value.
      if (side.lastField === FIELD_CONNECTION) this.connectionTokens(side, b, s, e);
      else if (side.lastField === FIELD_TRANSFER_ENCODING) this.transferCodings(side, b, s, e);
      return;
    }
    let n = s;
    while (n < e && TCHAR[b[n]!] === 1) n++;
    const nameEnd = n;
    // RFC 9112 5.1 forbids whitespace before the colon; tolerated, as it is harmless here.
    while (n < e && (b[n] === SP || b[n] === HT)) n++;
    if (nameEnd === s || n === e || b[n] !== COLON) {
      this.stop(side, "badHeader");
      return;
    }
    let vs = n + 1;
    let ve = e;
    while (vs < ve && (b[vs] === SP || b[vs] === HT)) vs++;
    while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
    const field = fieldOf(b, s, nameEnd);
    side.lastField = field;
    switch (field) {
      case FIELD_HOST:
        side.host ??= latin1Text(b, vs, ve);
        break;
      case FIELD_UPGRADE:
        side.upgrade ??= latin1Text(b, vs, ve);
        break;
      case FIELD_CONNECTION:
        this.connectionTokens(side, b, vs, ve);
        break;
      case FIELD_CONTENT_LENGTH: {
        if (overlong) {
          side.framingTooLong = true;
          break;
        }
        // RFC 9110 8.6: repeated or listed values must all be the same length.
        const v = contentLength(b, vs, ve);
        side.contentLength =
          side.contentLength === -1 || side.contentLength === v ? v : LENGTH_INVALID;
        break;
      }
      case FIELD_TRANSFER_ENCODING:
        if (overlong) side.framingTooLong = true;
        else this.transferCodings(side, b, vs, ve);
        break;
      default:
        break;
    }
  }

  /** Connection options (RFC 9110 7.6.1): a comma list of tokens, any case. */
  private connectionTokens(side: Side, b: Uint8Array, s: number, e: number): void {
    let p = s;
    while (p < e) {
      while (p < e && (b[p] === SP || b[p] === HT || b[p] === COMMA)) p++;
      const ts = p;
      while (p < e && b[p] !== COMMA && b[p] !== SP && b[p] !== HT) p++;
      if (equalsLower(b, ts, p, TOKEN_CLOSE)) side.connClose = true;
      else if (equalsLower(b, ts, p, TOKEN_KEEP_ALIVE)) side.connKeepAlive = true;
    }
  }

  /** Transfer-Encoding (RFC 9112 6.1): what matters is whether the last coding is chunked. */
  private transferCodings(side: Side, b: Uint8Array, s: number, e: number): void {
    let p = s;
    while (p < e) {
      while (p < e && (b[p] === SP || b[p] === HT || b[p] === COMMA)) p++;
      const ts = p;
      while (p < e && b[p] !== COMMA && b[p] !== SEMICOLON && b[p] !== SP && b[p] !== HT) p++;
      const te = p;
      while (p < e && b[p] !== COMMA) p++; // transfer-parameters
      if (te > ts) {
        side.teSeen = true;
        side.teChunked = equalsLower(b, ts, te, TOKEN_CHUNKED);
      }
    }
  }

  /** RFC 9112 7.1: chunk-size [chunk-ext] CRLF; extensions are ignored (7.1.1). */
  private onChunkSize(side: Side, b: Uint8Array, s: number, e: number): void {
    let p = s;
    let size = 0;
    while (p < e && HEX[b[p]!]! < 16 && size < MAX_LENGTH) size = size * 16 + HEX[b[p++]!]!;
    const digitsEnd = p;
    // Whitespace before the extension is tolerated (RFC 9112 7.1.1 BWS).
    while (p < e && (b[p] === SP || b[p] === HT)) p++;
    if (digitsEnd === s || size >= MAX_LENGTH || (p < e && b[p] !== SEMICOLON)) {
      this.stop(side, "badChunk");
      return;
    }
    if (size === 0) {
      side.state = "trailers";
    } else {
      side.remaining = size;
      side.state = "chunk-data";
    }
  }

  /** The empty line after the fields: the message's framing (RFC 9112 6.3). */
  private endHeaders(side: Side): void {
    if (side.client) this.endRequestHeaders(side);
    else this.endResponseHeaders(side);
  }

  private endRequestHeaders(side: Side): void {
    const ex = this.reqEx;
    if (side.connClose) this.closeByClient++;
    if (ex !== null) {
      ex.host = side.host;
      ex.requestConnection = connectionOf(side);
    }
    if (side.framingTooLong) {
      this.stop(side, "longFramingHeader");
    } else if (side.teSeen) {
      // RFC 9112 6.3 rule 3: Transfer-Encoding overrides Content-Length; rule 4: a request
      // whose last coding is not chunked has no knowable length (the server answers 400).
      if (side.teChunked) side.state = "chunk-size";
      else this.stop(side, "requestTransferEncoding");
    } else if (side.contentLength === LENGTH_INVALID) {
      this.stop(side, "badContentLength"); // RFC 9112 6.3 rule 5
    } else if (side.contentLength > 0) {
      side.remaining = side.contentLength;
      side.state = "body";
    } else {
      this.endMessage(side); // RFC 9112 6.3 rule 7: no body
    }
  }

  private endResponseHeaders(side: Side): void {
    const status = side.status;
    if (side.connClose) this.closeByServer++;
    if (isInterim(status)) {
      // RFC 9110 15.2: a 1xx is followed by the final response to the same request.
      side.state = "start";
      return;
    }
    const ex = this.resEx;
    if (ex !== null) {
      ex.responseConnection = connectionOf(side);
      ex.contentLength = side.contentLength >= 0 ? side.contentLength : -1;
    }
    let framing: HttpExchange["bodyFraming"];
    let tunnel = false;
    if (status === 101) {
      // RFC 9110 15.2.2: the connection switches to the Upgrade protocol after this response.
      this.upgraded = side.upgrade ?? "";
      framing = "none";
      tunnel = true;
    } else if ((this.resKind & KIND_CONNECT) !== 0 && status >= 200 && status < 300) {
      framing = "none"; // RFC 9112 6.3 rule 2: the connection becomes a tunnel
      tunnel = true;
    } else if ((this.resKind & KIND_HEAD) !== 0 || status === 204 || status === 304) {
      framing = "none"; // RFC 9112 6.3 rule 1
    } else if (side.framingTooLong) {
      this.stop(side, "longFramingHeader");
      return;
    } else if (side.teSeen) {
      // RFC 9112 6.3 rules 3 and 4: chunked last, or else the body runs to the close.
      framing = side.teChunked ? "chunked" : "close";
    } else if (side.contentLength === LENGTH_INVALID) {
      this.stop(side, "badContentLength"); // RFC 9112 6.3 rule 5
      return;
    } else if (side.contentLength >= 0) {
      framing = "length"; // RFC 9112 6.3 rule 6
    } else {
      framing = "close"; // RFC 9112 6.3 rule 8
    }
    if (ex !== null) ex.bodyFraming = framing;
    switch (framing) {
      case "none":
        this.endMessage(side);
        break;
      case "length":
        if (side.contentLength === 0) {
          this.endMessage(side);
        } else {
          side.remaining = side.contentLength;
          side.state = "body";
        }
        break;
      case "chunked":
        side.state = "chunk-size";
        break;
      case "close":
        side.state = "close-body";
        break;
    }
    if (tunnel) {
      this.client.state = "done";
      this.server.state = "done";
    }
  }

  /** A message was seen to its end in the current segment. */
  private endMessage(side: Side): void {
    side.state = "start";
    if (side.client) {
      if (this.reqEx !== null) this.reqEx.requestComplete = true;
      side.afterUpgrade = side.upgrade !== null;
      return;
    }
    const ex = this.resEx;
    if (ex !== null) {
      ex.responseComplete = true;
      ex.responseEndAt = this.t;
      ex.responseEndFrame = this.frame;
    }
    this.resEx = null;
    this.resAssigned = false;
  }

  /** Stops parsing one direction, for the reason `code`, at the current segment. */
  private stop(side: Side, code: HttpStopCode): void {
    const stop = {
      reason: `${side.client ? "client" : "server"}: ${HTTP_STOP_REASONS[code]}`,
      frame: this.frame,
    };
    if (side.client && side.afterUpgrade && side.state === "first-line") {
      // Right after a request asking for an Upgrade: perhaps the new protocol, sent early.
      side.state = "opaque";
      this.pendingStop ??= stop;
      return;
    }
    side.state = "stopped";
    this.stopped ??= stop;
  }

  /** Doubles the pending ring (the caller checked it is below HTTP_MAX_PENDING), oldest first. */
  private growPending(): void {
    const n = this.pendCount;
    const size = Math.min(Math.max(2, n * 2), HTTP_MAX_PENDING);
    const ex: (MutableExchange | null)[] = new Array<MutableExchange | null>(size).fill(null);
    const kind: number[] = new Array<number>(size).fill(0);
    for (let k = 0; k < n; k++) {
      const from = (this.pendHead + k) % this.pendEx.length;
      ex[k] = this.pendEx[from]!;
      kind[k] = this.pendKind[from]!;
    }
    this.pendEx = ex;
    this.pendKind = kind;
    this.pendHead = 0;
  }

  /** Keeps the first MAX_EXCHANGES - 1 exchanges and the last. */
  private addExchange(ex: MutableExchange): void {
    if (this.kept.length < MAX_EXCHANGES - 1) {
      this.kept.push(ex);
      return;
    }
    const old = this.last;
    if (old !== null) {
      this.omitted++;
      // The displaced exchange is no longer reported: let the queue forget it.
      for (let k = 0; k < this.pendEx.length; k++)
        if (this.pendEx[k] === old) this.pendEx[k] = null;
      if (this.reqEx === old) this.reqEx = null;
    }
    this.last = ex;
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected state ${String(x)}`);
}

/** Not a type guard on purpose: the state changes inside data()'s loop. */
function isParsing(state: SideState): boolean {
  return state !== "stopped" && state !== "done" && state !== "opaque";
}

function isDigit(b: number): boolean {
  return b >= DIGIT_0 && b <= DIGIT_0 + 9;
}

/** 1xx other than 101 are interim (RFC 9110 15.2); 101 is final for this connection. */
function isInterim(status: number): boolean {
  return status >= 100 && status < 200 && status !== 101;
}

/** The major version of "HTTP/d.d" at b[s, e) (RFC 9112 2.3), -1 when it is not one. */
function httpVersion(b: Uint8Array, s: number, e: number): number {
  if (e - s !== 8 || !equals(b, s, s + 5, HTTP_SLASH)) return -1;
  if (!isDigit(b[s + 5]!) || b[s + 6] !== DOT || !isDigit(b[s + 7]!)) return -1;
  return b[s + 5]! - DIGIT_0;
}

/** "HTTP/1.1" and "HTTP/1.0" without building a string each time. */
function versionText(b: Uint8Array, s: number): string {
  const minor = b[s + 7];
  if (minor === DIGIT_0 + 1) return "HTTP/1.1";
  if (minor === DIGIT_0) return "HTTP/1.0";
  return latin1Text(b, s, s + 8);
}

function fieldOf(b: Uint8Array, s: number, e: number): number {
  switch (e - s) {
    case 4:
      return equalsLower(b, s, e, NAME_HOST) ? FIELD_HOST : FIELD_OTHER;
    case 7:
      return equalsLower(b, s, e, NAME_UPGRADE) ? FIELD_UPGRADE : FIELD_OTHER;
    case 10:
      return equalsLower(b, s, e, NAME_CONNECTION) ? FIELD_CONNECTION : FIELD_OTHER;
    case 14:
      return equalsLower(b, s, e, NAME_CONTENT_LENGTH) ? FIELD_CONTENT_LENGTH : FIELD_OTHER;
    case 17:
      return equalsLower(b, s, e, NAME_TRANSFER_ENCODING) ? FIELD_TRANSFER_ENCODING : FIELD_OTHER;
    default:
      return FIELD_OTHER;
  }
}

/** b[s, e) equals `lit` exactly. */
function equals(b: Uint8Array, s: number, e: number, lit: Uint8Array): boolean {
  if (e - s !== lit.length) return false;
  for (let k = 0; k < lit.length; k++) if (b[s + k] !== lit[k]) return false;
  return true;
}

/** b[s, e) equals the lower-case `lit`, ASCII letters in any case. */
function equalsLower(b: Uint8Array, s: number, e: number, lit: Uint8Array): boolean {
  if (e - s !== lit.length) return false;
  for (let k = 0; k < lit.length; k++) {
    const c = b[s + k]!;
    const l = lit[k]!;
    if (c !== l && !(c >= 0x41 && c <= 0x5a && (c | 0x20) === l)) return false;
  }
  return true;
}

/** Content-Length (RFC 9110 8.6): digits, or a list of the same digits; else LENGTH_INVALID. */
function contentLength(b: Uint8Array, s: number, e: number): number {
  let value = -1;
  let p = s;
  while (true) {
    while (p < e && (b[p] === SP || b[p] === HT)) p++;
    const ds = p;
    let v = 0;
    while (p < e && isDigit(b[p]!)) {
      v = v * 10 + (b[p]! - DIGIT_0);
      if (v >= MAX_LENGTH) return LENGTH_INVALID;
      p++;
    }
    if (p === ds || (value !== -1 && v !== value)) return LENGTH_INVALID;
    value = v;
    while (p < e && (b[p] === SP || b[p] === HT)) p++;
    if (p === e) return value;
    if (b[p] !== COMMA) return LENGTH_INVALID;
    p++;
  }
}

function connectionOf(side: Side): HttpExchange["requestConnection"] {
  if (side.connClose) return "close";
  return side.connKeepAlive ? "keep-alive" : null;
}

/** Captured bytes as text, one char per byte (Latin-1), cut to MAX_TEXT. */
/** An exchange whose request line is known, nothing else yet. */
function newExchange(
  method: string,
  target: string,
  version: string,
  requestAt: number,
  requestFrame: number,
): MutableExchange {
  return {
    method,
    target,
    version,
    host: null,
    requestAt,
    requestFrame,
    requestConnection: null,
    requestComplete: false,
    interim: 0,
    responseAt: -1,
    responseFrame: 0,
    status: 0,
    reason: "",
    responseConnection: null,
    bodyFraming: null,
    contentLength: -1,
    bodyBytes: 0,
    responseComplete: false,
    responseEndAt: -1,
    responseEndFrame: 0,
  };
}

/** Methods and reason phrases most messages carry: taken as these strings, not built again. */
const COMMON_METHODS = ["GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "CONNECT"];
const COMMON_REASONS = [
  "OK",
  "Created",
  "No Content",
  "Moved Permanently",
  "Found",
  "Not Modified",
  "Bad Request",
  "Unauthorized",
  "Forbidden",
  "Not Found",
  "Too Many Requests",
  "Internal Server Error",
  "Bad Gateway",
  "Service Unavailable",
  "Gateway Timeout",
  "Continue",
  "Switching Protocols",
];

/** b[s, e) as text: one of `known` when it spells one (no string built), else latin1Text(). */
function knownOrLatin1(b: Uint8Array, s: number, e: number, known: readonly string[]): string {
  const n = e - s;
  for (const k of known) {
    if (k.length !== n) continue;
    let i = 0;
    while (i < n && b[s + i] === k.charCodeAt(i)) i++;
    if (i === n) return k;
  }
  return latin1Text(b, s, e);
}

/** b[s, e) as Latin-1 text, cut to MAX_TEXT characters. */
function latin1Text(b: Uint8Array, s: number, e: number): string {
  return latin1(b, s, s + Math.min(e - s, MAX_TEXT));
}
