/**
 * A byte buffer written from the start, doubled when it runs out, handed over whole: the base
 * of the writers that build bytes for a whole batch or output chunk (the payload contexts'
 * encoding, app-codec.ts; the JSON writer, report/json-bytes.ts).
 *
 * `take()` gives away the buffer written so far instead of copying it out, and the writer goes
 * on in a buffer given back by `recycle()` once whoever took one is done with it (written out,
 * or read on another thread). A long run then cycles through a few buffers: a fresh buffer of a
 * megabyte or two per chunk, zeroed and faulted in page by page, cost the analysis thread more
 * than writing the JSON in it.
 */
export class GrowingBytes {
  protected buf: Uint8Array;
  /** A view over `buf` for the writers' multi-byte stores, made again whenever `buf` changes. */
  protected view: DataView;
  protected pos = 0;
  /** Buffers given back, to write in next. */
  private readonly spare: Uint8Array[] = [];

  constructor(initialBytes: number) {
    this.buf = new Uint8Array(initialBytes);
    this.view = viewOf(this.buf);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.pos;
  }

  /**
   * The bytes written so far, in the writer's own buffer, which it gives away: the writer starts
   * again empty, in a buffer given back or a new one as large.
   */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = this.spare.pop() ?? new Uint8Array(this.buf.length);
    this.view = viewOf(this.buf);
    this.pos = 0;
    return out;
  }

  /** Gives back bytes `take()` handed out, once done with them: their buffer is written again. */
  recycle(taken: Uint8Array): void {
    if (this.spare.length >= MAX_SPARE || taken.buffer.byteLength < this.buf.length) return;
    this.spare.push(new Uint8Array(taken.buffer));
  }

  /** Makes room for `n` more bytes after `pos`. */
  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
    this.view = viewOf(bigger);
  }
}

function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Buffers kept to be written again: as many as can be out at once (batches in flight). */
const MAX_SPARE = 8;
