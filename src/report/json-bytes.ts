/**
 * JSON text written straight into bytes: for the per-flow records of `--json`, of which a
 * capture can hold millions. Building each record as a JavaScript string and encoding it
 * afterwards cost more than the whole flow analysis; this writes ASCII and digits into one
 * reused buffer and hands out chunks to write.
 *
 * Numbers are written as JSON.stringify writes them, except times: those are decimals rounded
 * to the nanosecond (analysis/seconds.ts).
 *
 * Fixed text and digits are stored four or two bytes at a time through a DataView (a
 * pre-encoded fragment as 32-bit words, two digits as one 16-bit value): V8 compiles each
 * DataView store to one machine store, where a byte loop pays its bounds checks per byte and
 * `Uint8Array.set` a call. A word may write up to three bytes past the text's end; `room`
 * leaves space for them and later writes overwrite them.
 */

import { nanosPart, secondsPart } from "../analysis/index.js";
import { GrowingBytes } from "../flow/index.js";
import { terminalSafeJson } from "./terminal.js";

const INITIAL_BYTES = 1 << 16;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NS_PER_SEC = 1e9;
const ZERO = 0x30;
const DOT = 0x2e;
/** Bytes a fragment's last word may write past its end. */
const WORD_SLACK = 3;

/** ASCII codes packed four to a 32-bit word, first code in the low byte (little-endian). */
function packWords(codes: ArrayLike<number>): Uint32Array {
  const words = new Uint32Array(Math.ceil(codes.length / 4));
  for (let i = 0; i < codes.length; i++) words[i >> 2]! |= codes[i]! << ((i & 3) * 8);
  return words;
}

/** "00" to "99" as 16-bit little-endian values: the two ASCII digits of n at index n. */
const DIGIT_PAIRS = new Uint16Array(100);
for (let n = 0; n < 100; n++) DIGIT_PAIRS[n] = (ZERO + ((n / 10) | 0)) | ((ZERO + (n % 10)) << 8);

/**
 * Each byte value's digits followed by `.` (OCTET_DOT) or `"` (OCTET_QUOTE) as one 32-bit
 * little-endian word, and how many of its bytes count: a dotted quad in four stores.
 */
const OCTET_DOT = new Uint32Array(256);
const OCTET_QUOTE = new Uint32Array(256);
const OCTET_LENGTH = new Uint8Array(256);
for (let n = 0; n < 256; n++) {
  const digits = [...String(n)].map((c) => c.charCodeAt(0));
  OCTET_DOT[n] = packWords([...digits, DOT])[0]!;
  OCTET_QUOTE[n] = packWords([...digits, QUOTE])[0]!;
  OCTET_LENGTH[n] = digits.length + 1;
}

/** Lower-case hex digits, by value. */
const HEX_DIGIT = new Uint8Array([..."0123456789abcdef"].map((c) => c.charCodeAt(0)));
/** JSON.stringify's one-letter escapes of control characters (b, t, n, f, r), 0 for \u00XX. */
const SHORT_ESCAPE = new Uint8Array(0x20);
SHORT_ESCAPE[0x08] = 0x62;
SHORT_ESCAPE[0x09] = 0x74;
SHORT_ESCAPE[0x0a] = 0x6e;
SHORT_ESCAPE[0x0c] = 0x66;
SHORT_ESCAPE[0x0d] = 0x72;

/** Text that is JSON already and plain ASCII (keys, punctuation, fixed words), pre-encoded. */
export class JsonFragment {
  readonly words: Uint32Array;
  readonly length: number;

  constructor(readonly text: string) {
    const codes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) throw new RangeError(`JsonFragment: not ASCII: ${JSON.stringify(text)}`);
      codes.push(c);
    }
    this.words = packWords(codes);
    this.length = text.length;
  }
}

/** The digits of one whole second value, kept for the times that share it. */
class SecondDigits {
  sec = -1;
  length = 0;
  /** The digits as fragment words (a whole second below 10^21 has 21 digits at most). */
  readonly words = new Uint32Array(6);
}

export class JsonBytes extends GrowingBytes {
  private readonly encoder = new TextEncoder();
  /**
   * The digits of the last two whole seconds `seconds` wrote: a flow's times mostly share one,
   * but its TIME_WAIT end lies a minute later, so one remembered value would be replaced twice
   * a flow.
   */
  private recentSec = new SecondDigits();
  private olderSec = new SecondDigits();

  constructor() {
    super(INITIAL_BYTES);
  }

  /** The bytes written so far as text (tests). */
  text(): string {
    return new TextDecoder().decode(this.buf.subarray(0, this.pos));
  }

  /** Text known to be JSON already and plain ASCII, given as a string (not pre-encoded). */
  raw(ascii: string): this {
    const n = ascii.length;
    this.room(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = ascii.charCodeAt(i);
    this.pos = pos;
    return this;
  }

  /** A pre-encoded fragment. */
  fragment(f: JsonFragment): this {
    this.room(f.length + WORD_SLACK);
    this.putWords(f.words, f.length);
    return this;
  }

  /** Stores `words` at `pos` and moves on by `length` bytes (room made by the caller). */
  private putWords(words: Uint32Array, length: number): void {
    const view = this.view;
    const n = (length + 3) >> 2;
    let at = this.pos;
    for (let i = 0; i < n; i++, at += 4) view.setUint32(at, words[i]!, true);
    this.pos += length;
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

  /** An IPv4 address given as a 32-bit word, as a JSON string of its dotted quad. */
  ipv4String(word: number): this {
    // A quote, then four octets of up to three digits, each with its `.` or closing `"`.
    this.room(1 + 4 * 4);
    const view = this.view;
    let pos = this.pos;
    this.buf[pos++] = QUOTE;
    const a = word >>> 24;
    const b = (word >>> 16) & 0xff;
    const c = (word >>> 8) & 0xff;
    const d = word & 0xff;
    view.setUint32(pos, OCTET_DOT[a]!, true);
    pos += OCTET_LENGTH[a]!;
    view.setUint32(pos, OCTET_DOT[b]!, true);
    pos += OCTET_LENGTH[b]!;
    view.setUint32(pos, OCTET_DOT[c]!, true);
    pos += OCTET_LENGTH[c]!;
    view.setUint32(pos, OCTET_QUOTE[d]!, true);
    this.pos = pos + OCTET_LENGTH[d]!;
    return this;
  }

  /**
   * An unsigned 32-bit integer. Its digits are counted by comparison and written two at a time:
   * half the divisions, and each a division by a constant of a 32-bit integer, which the
   * optimiser turns into a multiplication.
   */
  private uint32(x: number): this {
    this.room(10);
    const end = this.pos + digitCount(x >>> 0);
    writeDigits(this.view, end, x >>> 0);
    this.pos = end;
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
   * from earlier calls, as a flow's times mostly share them.
   */
  seconds(whole: number, offset: number): this {
    let sec = secondsPart(whole, offset);
    // An integer below 10^9: `| 0` tells the optimiser so, and the `%` and `/` below become
    // integer operations instead of floating-point ones (a % of doubles is a call to fmod).
    let frac = nanosPart(offset) | 0;
    if (sec < 0) {
      this.raw("-");
      if (frac > 0) {
        sec += 1;
        frac = NS_PER_SEC - frac;
      }
      sec = -sec;
    }
    let digits = this.recentSec;
    if (digits.sec !== sec) {
      digits = this.olderSec;
      if (digits.sec !== sec) this.rememberSeconds(digits, sec);
      this.olderSec = this.recentSec;
      this.recentSec = digits;
    }
    // The whole seconds (with the slack of their last word), a dot and nine digits at most.
    this.room(digits.length + WORD_SLACK + 10);
    this.putWords(digits.words, digits.length);
    if (frac === 0) return this;
    let pos = this.pos;
    this.buf[pos++] = DOT;
    // Captures mostly give micro- or milliseconds: whole groups of three trailing zeros are
    // dropped before writing, the last one or two after.
    let width = 9;
    while (frac % 1000 === 0) {
      frac = (frac / 1000) | 0;
      width -= 3;
    }
    let end = pos + width;
    writeFixedDigits(this.view, end, frac, width);
    while (this.buf[end - 1] === ZERO) end--;
    this.pos = end;
    return this;
  }

  /** Keeps the digits of `sec` (a non-negative integer) in `digits`. */
  private rememberSeconds(digits: SecondDigits, sec: number): void {
    const start = this.pos;
    this.unsigned(sec);
    const n = this.pos - start;
    this.pos = start;
    // Digits past 21 (a String of 10^21 and up is exponent notation, shorter) cannot occur.
    digits.words.set(packWords(this.buf.subarray(start, start + n)));
    digits.length = n;
    digits.sec = sec;
  }
}

/** The number of decimal digits of an unsigned 32-bit integer. */
function digitCount(x: number): number {
  if (x < 100000) return x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : 5;
  return x < 1000000 ? 6 : x < 10000000 ? 7 : x < 100000000 ? 8 : x < 1000000000 ? 9 : 10;
}

/**
 * The digits of `x` (an unsigned 32-bit integer, as `x >>> 0` gives it: a number read from a
 * Float64Array is a double to the optimiser, and its divisions would be floating-point ones),
 * the last one before `end`.
 */
function writeDigits(view: DataView, end: number, x: number): void {
  let pos = end;
  let v = x;
  while (v >= 100) {
    const q = (v / 100) >>> 0;
    pos -= 2;
    view.setUint16(pos, DIGIT_PAIRS[v - q * 100]!, true);
    v = q;
  }
  if (v >= 10) view.setUint16(pos - 2, DIGIT_PAIRS[v]!, true);
  else view.setUint8(pos - 1, ZERO + v);
}

/**
 * Exactly `width` digits of `x` (below 10^width, a 32-bit integer), zero-padded, ending before
 * `end`.
 */
function writeFixedDigits(view: DataView, end: number, x: number, width: number): void {
  let pos = end;
  let v = x | 0;
  let left = width;
  for (; left >= 2; left -= 2) {
    const q = (v / 100) | 0;
    pos -= 2;
    view.setUint16(pos, DIGIT_PAIRS[v - q * 100]!, true);
    v = q;
  }
  if (left === 1) view.setUint8(pos - 1, ZERO + v);
}

/** `text` pre-encoded for `JsonBytes.fragment` (ASCII only). */
export function jsonFragment(text: string): JsonFragment {
  return new JsonFragment(text);
}
