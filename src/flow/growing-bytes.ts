/**
 * A byte buffer written from the start, doubled when it runs out, handed over as a copy: the
 * base of the writers that build bytes for a whole batch or output chunk (the payload contexts'
 * encoding, app-codec.ts; the JSON writer, report/json-bytes.ts).
 */
export class GrowingBytes {
  protected buf: Uint8Array;
  protected pos = 0;

  constructor(initialBytes: number) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.pos;
  }

  /** The bytes written so far, copied (a buffer of their own); the writer starts again empty. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  /** Makes room for `n` more bytes after `pos`. */
  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
    this.grown();
  }

  /** Called after `buf` was replaced by a bigger one (for views over it). */
  protected grown(): void {}
}
