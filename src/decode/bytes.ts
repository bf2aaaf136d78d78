/**
 * Big-endian (network order) reads from a byte buffer, for the decoder's header views.
 *
 * Callers check the header length once and then read freely; the `?? 0` only makes an
 * out-of-range read (a bug, never an input) yield 0 instead of NaN, so no read can throw or
 * poison a field. V8 inlines these, so they cost what the index arithmetic costs.
 */

export function u8(buf: Uint8Array, i: number): number {
  return buf[i] ?? 0;
}

export function u16(buf: Uint8Array, i: number): number {
  return ((buf[i] ?? 0) << 8) | (buf[i + 1] ?? 0);
}

/** Unsigned 32-bit value (`>>> 0`: JavaScript's `<<` yields a signed 32-bit result). */
export function u32(buf: Uint8Array, i: number): number {
  return (
    (((buf[i] ?? 0) << 24) |
      ((buf[i + 1] ?? 0) << 16) |
      ((buf[i + 2] ?? 0) << 8) |
      (buf[i + 3] ?? 0)) >>>
    0
  );
}

/** Little-endian unsigned 32-bit value, for the one field written in host order (LINKTYPE_NULL). */
export function u32le(buf: Uint8Array, i: number): number {
  return (
    ((buf[i] ?? 0) |
      ((buf[i + 1] ?? 0) << 8) |
      ((buf[i + 2] ?? 0) << 16) |
      ((buf[i + 3] ?? 0) << 24)) >>>
    0
  );
}

let viewBuf: Uint8Array | null = null;
let viewDv: DataView = new DataView(new ArrayBuffer(0));

/**
 * A DataView over `buf`, made once per buffer (the capture reader hands over a chunk of many
 * records at a time). 32-bit fields are read through it in the decoder's own functions:
 * `getUint32` compiles to one load, while a value of 2^31 or more returned from a helper that V8
 * did not inline would be boxed, an allocation per packet. Callers check lengths first.
 */
export function viewOf(buf: Uint8Array): DataView {
  if (buf !== viewBuf) {
    viewBuf = buf;
    viewDv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return viewDv;
}

/**
 * Node's Latin-1 decoder (what `buffer.toString("latin1")` calls), which takes any Uint8Array.
 * TextDecoder cannot stand in: its "latin1" label is windows-1252, which maps 0x80-0x9F to
 * other characters.
 */
const latin1Slice = (
  Buffer.prototype as unknown as {
    readonly latin1Slice?: (this: Uint8Array, start: number, end: number) => string;
  }
).latin1Slice;

/**
 * `buf[from, to)` as text, one character per byte (Latin-1): for text fields taken from
 * packets. About three times faster than String.fromCharCode over a subarray, which it falls
 * back to where Node has no latin1Slice. The caller bounds `to - from`.
 */
export function latin1(buf: Uint8Array, from: number, to: number): string {
  if (latin1Slice !== undefined) return latin1Slice.call(buf, from, to);
  return String.fromCharCode.apply(null, buf.subarray(from, to) as unknown as number[]);
}

/**
 * Node's buffer copy (what `buffer.copy` calls), which takes any Uint8Array and, unlike
 * `to.set(from.subarray(...))`, makes no view object per call.
 */
const nodeCopy = (
  Buffer.prototype as unknown as {
    readonly copy?: (
      this: Uint8Array,
      to: Uint8Array,
      at: number,
      from: number,
      end: number,
    ) => number;
  }
).copy;

/**
 * Copies `src[from, end)` into `dst` at `at`, for payload handed on per packet. The caller makes
 * room in `dst`.
 */
export function copyBytes(
  src: Uint8Array,
  from: number,
  end: number,
  dst: Uint8Array,
  at: number,
): void {
  if (nodeCopy !== undefined) nodeCopy.call(src, dst, at, from, end);
  else dst.set(src.subarray(from, end), at);
}
