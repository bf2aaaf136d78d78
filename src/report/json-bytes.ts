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
import { GrowingBytes } from "../flow/index.js";
import { terminalSafeJson } from "./terminal.js";

const INITIAL_BYTES = 1 << 16;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NS_PER_SEC = 1e9;
/** Lower-case hex digits, by value. */
const HEX_DIGIT = new Uint8Array([..."0123456789abcdef"].map((c) => c.charCodeAt(0)));
/** JSON.stringify's one-letter escapes of control characters (b, t, n, f, r), 0 for \u00XX. */
const SHORT_ESCAPE = new Uint8Array(0x20);
SHORT_ESCAPE[0x08] = 0x62;
SHORT_ESCAPE[0x09] = 0x74;
SHORT_ESCAPE[0x0a] = 0x6e;
SHORT_ESCAPE[0x0c] = 0x66;
SHORT_ESCAPE[0x0d] = 0x72;

export class JsonBytes extends GrowingBytes {
  private readonly encoder = new TextEncoder();
  /** The whole seconds last written by `seconds`, and their digits. */
  private lastSec = -1;
  private lastSecDigits = new Uint8Array(0);

  constructor() {
    super(INITIAL_BYTES);
  }

  /** The bytes written so far as text (tests). */
  text(): string {
    return new TextDecoder().decode(this.buf.subarray(0, this.pos));
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

  /**
   * A JSON string in ASCII only: JSON.stringify's escaping, and every character from U+007F up
   * as a \u escape (lower-case hex, as JSON.stringify writes its own escapes). For text taken
   * from packets, so that whatever bytes it held the output is ASCII.
   */
  asciiEscaped(s: string): this {
    const n = s.length;
    this.room(n * 6 + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0x7f && c !== QUOTE && c !== BACKSLASH) {
        buf[pos++] = c;
        continue;
      }
      buf[pos++] = BACKSLASH;
      const short = c < 0x20 ? SHORT_ESCAPE[c]! : c === QUOTE || c === BACKSLASH ? c : 0;
      if (short !== 0) {
        buf[pos++] = short;
        continue;
      }
      buf[pos++] = 0x75; // u
      buf[pos++] = HEX_DIGIT[(c >> 12) & 15]!;
      buf[pos++] = HEX_DIGIT[(c >> 8) & 15]!;
      buf[pos++] = HEX_DIGIT[(c >> 4) & 15]!;
      buf[pos++] = HEX_DIGIT[c & 15]!;
    }
    buf[pos++] = QUOTE;
    this.pos = pos;
    return this;
  }

  /**
   * The general case: JSON.stringify's escaping, with DEL, C1 and bidi controls as \u escapes
   * too (terminal.ts: `--json -` may be printed to a terminal), encoded as UTF-8 (lone
   * surrogates as U+FFFD).
   */
  private escaped(s: string): this {
    const json = terminalSafeJson(JSON.stringify(s));
    this.room(json.length * 3);
    const { written } = this.encoder.encodeInto(json, this.buf.subarray(this.pos));
    this.pos += written;
    return this;
  }

  /** A number, as JSON.stringify writes it. */
  number(x: number): this {
    if (x >>> 0 === x) return this.uint32(x);
    if (Number.isSafeInteger(x) && x >= 0) return this.unsigned(x);
    return this.raw(Number.isFinite(x) ? String(x) : "null");
  }

  /** One ASCII character given by its code (punctuation). */
  char(code: number): this {
    this.room(1);
    this.buf[this.pos++] = code;
    return this;
  }

  /** Bytes that are JSON already (pre-encoded fragments). */
  bytes(fragment: Uint8Array): this {
    const n = fragment.length;
    this.room(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = fragment[i]!;
    this.pos = pos;
    return this;
  }

  /** An unsigned 32-bit integer, with integer arithmetic. */
  private uint32(x: number): this {
    this.room(10);
    const buf = this.buf;
    let digits = 1;
    for (let v = x; v >= 10; v = (v / 10) >>> 0) digits++;
    let pos = this.pos + digits;
    this.pos = pos;
    for (let v = x; digits > 0; digits--) {
      const q = (v / 10) >>> 0;
      buf[--pos] = 0x30 + v - q * 10;
      v = q;
    }
    return this;
  }

  /**
   * A non-negative integer. Past 2^53 (only an absurd timestamp gets there) digits taken from a
   * double one at a time would be wrong: String writes the integer's digits (below 10^21,
   * which a 64-bit pcapng timestamp cannot reach in seconds).
   */
  private unsigned(x: number): this {
    if (x >>> 0 === x) return this.uint32(x);
    if (!Number.isSafeInteger(x)) return this.raw(String(x));
    this.room(16);
    const buf = this.buf;
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
   * of analysis' `secondsText`, without building it. The digits of the whole seconds are kept
   * from the previous call, as a flow's times mostly share them.
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
    if (sec !== this.lastSec) {
      const start = this.pos;
      this.unsigned(sec);
      this.lastSec = sec;
      this.lastSecDigits = this.buf.slice(start, this.pos);
    } else {
      this.bytes(this.lastSecDigits);
    }
    if (frac === 0) return this;
    // frac < 1e9 < 2^31: integer arithmetic throughout.
    let width = 9;
    while (frac % 10 === 0) {
      frac = (frac / 10) | 0;
      width--;
    }
    this.room(10);
    const buf = this.buf;
    buf[this.pos++] = 0x2e;
    let pos = this.pos + width;
    this.pos = pos;
    for (let i = 0; i < width; i++) {
      const q = (frac / 10) | 0;
      buf[--pos] = 0x30 + frac - q * 10;
      frac = q;
    }
    return this;
  }
}

/** `text` as bytes, for fragments written with `JsonBytes.bytes` (ASCII only). */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}
