/**
 * The payload contexts of a batch of flows (app-context.ts) as bytes, so that they cross to the
 * analysis thread in one transferred buffer. Structured clone writes every object's property
 * names and tags every value: on a million short HTTP connections that cost more on the tracking
 * thread than parsing the HTTP did. Here each context type's fields are written in their
 * declared order, and read back into objects with the same fields in the same order (the JSON
 * output writes them in that order), which the tests hold by round trip.
 *
 * Encoding: numbers as little-endian doubles; text as a tag (null, one of COMMON_TEXT by index,
 * Latin-1 bytes, or UTF-16 units when a character is beyond Latin-1) and its length; booleans
 * and presence as one byte.
 */
import { latin1 } from "../decode/index.js";
import type { AppContext, HttpContext, HttpExchange, TlsContext } from "./app-context.js";
import { GrowingBytes } from "./growing-bytes.js";

const TEXT_NULL = 0;
const TEXT_COMMON = 1;
const TEXT_LATIN1 = 2;
const TEXT_UTF16 = 3;

/** Texts that most contexts repeat, written as an index and read back without a new string. */
const COMMON_TEXT = [
  "",
  "http",
  "tls",
  "h2c",
  "GET",
  "POST",
  "PUT",
  "HEAD",
  "DELETE",
  "HTTP/1.1",
  "HTTP/1.0",
  "OK",
  "close",
  "keep-alive",
  "length",
  "chunked",
  "none",
  "client",
  "server",
  "TLS 1.3",
  "TLS 1.2",
  "h2",
  "http/1.1",
] as const;
const COMMON_INDEX = new Map<string, number>(COMMON_TEXT.map((t, i) => [t, i]));

const INITIAL_BYTES = 1 << 16;

/** Writes contexts one after another; `take()` hands over the bytes written. */
export class AppContextWriter extends GrowingBytes {
  constructor() {
    super(INITIAL_BYTES);
  }

  write(app: AppContext): void {
    this.text(app.protocol);
    if (app.http !== undefined) {
      this.byte(1);
      this.http(app.http);
    } else this.byte(0);
    if (app.tls !== undefined) {
      this.byte(1);
      this.tls(app.tls);
    } else this.byte(0);
  }

  private http(h: HttpContext): void {
    this.num(h.requests);
    this.num(h.responses);
    this.num(h.exchanges.length);
    for (const e of h.exchanges) this.exchange(e);
    this.num(h.omitted);
    this.num(h.connectionClose.client);
    this.num(h.connectionClose.server);
    this.text(h.upgraded);
    this.stopped(h.stopped);
  }

  private exchange(e: HttpExchange): void {
    this.text(e.method);
    this.text(e.target);
    this.text(e.version);
    this.text(e.host);
    this.num(e.requestAt);
    this.num(e.requestFrame);
    this.text(e.requestConnection);
    this.byte(e.requestComplete ? 1 : 0);
    this.num(e.interim);
    this.num(e.responseAt);
    this.num(e.responseFrame);
    this.num(e.status);
    this.text(e.reason);
    this.text(e.responseConnection);
    this.text(e.bodyFraming);
    this.num(e.contentLength);
    this.num(e.bodyBytes);
    this.byte(e.responseComplete ? 1 : 0);
    this.num(e.responseEndAt);
    this.num(e.responseEndFrame);
  }

  private tls(t: TlsContext): void {
    this.num(t.clientHelloAt);
    this.num(t.clientHelloFrame);
    this.text(t.sni);
    this.num(t.alpnOffered.length);
    for (const a of t.alpnOffered) this.text(a);
    this.num(t.serverHelloAt);
    this.num(t.serverHelloFrame);
    this.num(t.firstServerDataAt);
    this.num(t.firstServerDataFrame);
    this.text(t.version);
    this.text(t.alpn);
    this.nullableNum(t.cipherSuite);
    this.num(t.appRecords.client);
    this.num(t.appRecords.server);
    this.num(t.firstAppDataAt.client);
    this.num(t.firstAppDataAt.server);
    if (t.alert === null) this.byte(0);
    else {
      this.byte(1);
      this.text(t.alert.side);
      this.num(t.alert.level);
      this.num(t.alert.description);
      this.num(t.alert.frame);
    }
    this.stopped(t.stopped);
  }

  private stopped(s: { readonly reason: string; readonly frame: number } | null): void {
    if (s === null) this.byte(0);
    else {
      this.byte(1);
      this.text(s.reason);
      this.num(s.frame);
    }
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  private num(x: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
  }

  private nullableNum(x: number | null): void {
    if (x === null) this.byte(0);
    else {
      this.byte(1);
      this.num(x);
    }
  }

  private text(s: string | null): void {
    if (s === null) {
      this.byte(TEXT_NULL);
      return;
    }
    const common = COMMON_INDEX.get(s);
    if (common !== undefined) {
      this.room(2);
      this.buf[this.pos++] = TEXT_COMMON;
      this.buf[this.pos++] = common;
      return;
    }
    const n = s.length;
    let wide = false;
    for (let i = 0; i < n && !wide; i++) wide = s.charCodeAt(i) > 0xff;
    this.room(5 + n * 2);
    const buf = this.buf;
    buf[this.pos] = wide ? TEXT_UTF16 : TEXT_LATIN1;
    this.view.setUint32(this.pos + 1, n, true);
    let pos = this.pos + 5;
    if (wide) {
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        buf[pos++] = c & 0xff;
        buf[pos++] = c >>> 8;
      }
    } else {
      for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
    }
    this.pos = pos;
  }
}

/** Reads the contexts an AppContextWriter wrote, in order. */
export class AppContextReader {
  private readonly view: DataView;
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Whether every byte was read. */
  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  next(): AppContext {
    const protocol = this.text() as AppContext["protocol"];
    const http = this.byte() === 1 ? this.http() : undefined;
    const tls = this.byte() === 1 ? this.tls() : undefined;
    if (http !== undefined && tls !== undefined) return { protocol, http, tls };
    if (http !== undefined) return { protocol, http };
    if (tls !== undefined) return { protocol, tls };
    return { protocol };
  }

  private http(): HttpContext {
    const requests = this.num();
    const responses = this.num();
    const n = this.num();
    const exchanges: HttpExchange[] = [];
    for (let i = 0; i < n; i++) exchanges.push(this.exchange());
    return {
      requests,
      responses,
      exchanges,
      omitted: this.num(),
      connectionClose: { client: this.num(), server: this.num() },
      upgraded: this.text(),
      stopped: this.stopped(),
    };
  }

  private exchange(): HttpExchange {
    return {
      method: this.text()!,
      target: this.text()!,
      version: this.text()!,
      host: this.text(),
      requestAt: this.num(),
      requestFrame: this.num(),
      requestConnection: this.text() as HttpExchange["requestConnection"],
      requestComplete: this.byte() === 1,
      interim: this.num(),
      responseAt: this.num(),
      responseFrame: this.num(),
      status: this.num(),
      reason: this.text()!,
      responseConnection: this.text() as HttpExchange["responseConnection"],
      bodyFraming: this.text() as HttpExchange["bodyFraming"],
      contentLength: this.num(),
      bodyBytes: this.num(),
      responseComplete: this.byte() === 1,
      responseEndAt: this.num(),
      responseEndFrame: this.num(),
    };
  }

  private tls(): TlsContext {
    const clientHelloAt = this.num();
    const clientHelloFrame = this.num();
    const sni = this.text();
    const n = this.num();
    const alpnOffered: string[] = [];
    for (let i = 0; i < n; i++) alpnOffered.push(this.text()!);
    return {
      clientHelloAt,
      clientHelloFrame,
      sni,
      alpnOffered,
      serverHelloAt: this.num(),
      serverHelloFrame: this.num(),
      firstServerDataAt: this.num(),
      firstServerDataFrame: this.num(),
      version: this.text(),
      alpn: this.text(),
      cipherSuite: this.byte() === 1 ? this.num() : null,
      appRecords: { client: this.num(), server: this.num() },
      firstAppDataAt: { client: this.num(), server: this.num() },
      alert:
        this.byte() === 1
          ? {
              side: this.text() as "client" | "server",
              level: this.num(),
              description: this.num(),
              frame: this.num(),
            }
          : null,
      stopped: this.stopped(),
    };
  }

  private stopped(): { reason: string; frame: number } | null {
    return this.byte() === 1 ? { reason: this.text()!, frame: this.num() } : null;
  }

  private byte(): number {
    return this.buf[this.pos++]!;
  }

  private num(): number {
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  private text(): string | null {
    const tag = this.buf[this.pos++];
    if (tag === TEXT_NULL) return null;
    if (tag === TEXT_COMMON) return COMMON_TEXT[this.buf[this.pos++]!]!;
    const n = this.view.getUint32(this.pos, true);
    const start = this.pos + 4;
    if (tag === TEXT_LATIN1) {
      this.pos = start + n;
      return latin1(this.buf, start, start + n);
    }
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.view.getUint16(start + i * 2, true));
    this.pos = start + n * 2;
    return s;
  }
}
