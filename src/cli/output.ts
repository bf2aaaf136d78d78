/**
 * Buffered line output to a stream, with back-pressure and a quiet end when the reader of a
 * pipe goes away (`teardown packets big.pcap | head`).
 */
import type { Writable } from "node:stream";

const FLUSH_BYTES = 64 * 1024;

export class LineWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Set once the stream reported EPIPE: the reader is gone and further output is dropped. */
  closed = false;

  constructor(private readonly out: Writable) {
    // Stop writing on any error; main.ts reports it (EPIPE: quietly) and sets the exit status.
    out.on("error", () => {
      this.closed = true;
    });
  }

  line(text: string): void {
    if (this.closed) return;
    this.pending.push(text);
    this.pendingBytes += text.length + 1;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  /**
   * Writes bytes already encoded (after any pending lines). `written` is called once the stream
   * is done with them (not on an error): their buffer may then be written again.
   */
  bytes(chunk: Uint8Array, written?: () => void): void {
    if (this.closed) return;
    this.flush();
    this.out.write(chunk, written === undefined ? undefined : (e) => e == null && written());
  }

  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    this.out.write(this.pending.join("\n") + "\n");
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** A promise to await when the stream's buffer is full, else undefined. */
  ready(): Promise<void> | undefined {
    if (this.closed || !this.out.writableNeedDrain) return undefined;
    return new Promise((resolve) => {
      const done = (): void => {
        this.out.off("drain", done);
        this.out.off("close", done);
        resolve();
      };
      this.out.once("drain", done);
      this.out.once("close", done);
    });
  }

  /** Flushes and waits until the stream has taken everything. */
  async end(): Promise<void> {
    this.flush();
    const wait = this.ready();
    if (wait !== undefined) await wait;
  }
}
