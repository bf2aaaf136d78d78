/**
 * JSON text written straight into bytes: for the per-flow records of `--json`, of which a
 * capture can hold millions. Building each record as a JavaScript string and encoding it
 * afterwards cost more than the whole flow analysis; this writes ASCII and digits into one
 * reused buffer and hands out chunks to write.
 *
 * Numbers are written as JSON.stringify writes them, except times: those are decimals rounded
 * to the nanosecond (analysis/seconds.ts).
 */

import { nanosPart, secondsPart } from "../analysis/index.js";

const INITIAL_BYTES = 1 << 16;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NS_PER_SEC = 1e9;

export class JsonBytes {
  private buf = new Uint8Array(INITIAL_BYTES);
  private pos = 0;
  private readonly encoder = new TextEncoder();

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.pos;
  }

  /** The bytes written so far, copied; the writer starts again empty. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  /** The bytes written so far as text (tests). */
  text(): string {
    return new TextDecoder().decode(this.buf.subarray(0, this.pos));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /** Text known to be JSON already and plain ASCII: punctuation, keys, fixed words. */
  raw(ascii: string): this {
    const n = ascii.length;
    this.room(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = ascii.charCodeAt(i);
    this.pos = pos;
    return this;
  }

  /** A JSON string of ASCII codes that need no escaping (letters, digits, punctuation but `"` and `\\`). */
  asciiString(codes: Uint8Array): this {
    const n = codes.length;
    this.room(n + 2);
    const buf = this.buf;
    buf[this.pos++] = QUOTE;
    buf.set(codes, this.pos);
    this.pos += n;
    buf[this.pos++] = QUOTE;
    return this;
  }

  /** A JSON string. ASCII without quotes, backslashes or controls is copied; the rest escaped. */
  string(s: string): this {
    const n = s.length;
    this.room(n + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Anything else goes the general way; what was copied so far is dropped (pos unchanged).
      if (c < 0x20 || c >= 0x7f || c === QUOTE || c === BACKSLASH) return this.escaped(s);
      buf[pos++] = c;
    }
    buf[pos++] = QUOTE;
    this.pos = pos;
    return this;
  }

  /** The general case: JSON.stringify's escaping, encoded as UTF-8 (lone surrogates as U+FFFD). */
  private escaped(s: string): this {
    const json = JSON.stringify(s);
    this.room(json.length * 3);
    const { written } = this.encoder.encodeInto(json, this.buf.subarray(this.pos));
    this.pos += written;
    return this;
  }

  /** A number, as JSON.stringify writes it. */
  number(x: number): this {
    if (Number.isSafeInteger(x) && x >= 0) return this.unsigned(x);
    return this.raw(Number.isFinite(x) ? String(x) : "null");
  }

  /** A non-negative safe integer. */
  private unsigned(x: number): this {
    this.room(16);
    const buf = this.buf;
    if (x < 10) {
      buf[this.pos++] = 0x30 + x;
      return this;
    }
    let digits = 1;
    for (let v = x; v >= 10; v = Math.floor(v / 10)) digits++;
    let pos = this.pos + digits;
    this.pos = pos;
    for (let v = x; digits > 0; digits--) {
      const q = Math.floor(v / 10);
      buf[--pos] = 0x30 + (v - q * 10);
      v = q;
    }
    return this;
  }

  /**
   * Seconds given as `whole + offset` (a whole number and a double, as the flow tracker keeps
   * times: the capture's base second plus a relative time), rounded to the nanosecond: the text
   * of analysis' `secondsText`, without building it.
   */
  seconds(whole: number, offset: number): this {
    let sec = secondsPart(whole, offset);
    let frac = nanosPart(offset);
    if (sec < 0) {
      this.raw("-");
      if (frac > 0) {
        sec += 1;
        frac = NS_PER_SEC - frac;
      }
      sec = -sec;
    }
    this.unsigned(sec);
    if (frac === 0) return this;
    let width = 9;
    while (frac % 10 === 0) {
      frac /= 10;
      width--;
    }
    this.room(10);
    const buf = this.buf;
    buf[this.pos++] = 0x2e;
    let pos = this.pos + width;
    this.pos = pos;
    for (let i = 0; i < width; i++) {
      const q = Math.floor(frac / 10);
      buf[--pos] = 0x30 + (frac - q * 10);
      frac = q;
    }
    return this;
  }
}
