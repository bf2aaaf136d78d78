/**
 * Reads and decodes the files of a capture set on a worker thread (decode-worker.ts) while this
 * thread tracks the flows: the files go over in order, the TCP segments come back packed
 * (decode/packed-tcp.ts), in batches whose arrays are transferred, not copied, and are given
 * back to be filled again. The worker reads on into the next file while this thread is still
 * on the last one, so the two overlap across file boundaries too; stitching is unchanged, as
 * this thread still sees every segment in file order.
 */
import { Worker } from "node:worker_threads";
import type { CaptureDiagnostic } from "../capture/index.js";
import type { PackedTcp } from "../decode/index.js";
import type { FromDecode, ToDecode } from "./decode-worker.js";
import { FileSpan } from "./file-span.js";
import type { DecodedFile } from "./read-decoded.js";

/** Where a file's packed segments and messages go, in the order they were read. */
export interface PackedSink {
  segments(batch: PackedTcp): void;
  diagnostic(d: CaptureDiagnostic): void;
  unsupportedLink(linkType: number, fileOffset: number, frame: number): void;
}

/** The decoding thread's young generation, MiB (its garbage is small and short-lived). */
const WORKER_YOUNG_MB = 16;

export class DecodeThread {
  private readonly worker: Worker;
  private readonly queue: FromDecode[] = [];
  private waiting: ((m: FromDecode) => void) | undefined;
  private failure: Error | undefined;
  private failed: ((e: Error) => void) | undefined;

  /** Starts reading `paths` (files, not stdin), in this order. */
  constructor(paths: readonly string[]) {
    this.worker = new Worker(new URL("./decode-worker.js", import.meta.url), {
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
    });
    this.worker.on("message", (m: FromDecode) => {
      const waiting = this.waiting;
      if (waiting !== undefined) {
        this.waiting = undefined;
        this.failed = undefined;
        waiting(m);
      } else {
        this.queue.push(m);
      }
    });
    const fail = (e: Error): void => {
      this.failure ??= e;
      const failed = this.failed;
      this.waiting = undefined;
      this.failed = undefined;
      failed?.(this.failure);
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`decoding thread exited (${code})`)));
    for (const [index, path] of paths.entries())
      this.worker.postMessage({ type: "file", index, path } satisfies ToDecode);
  }

  /**
   * Reads file `index` (the files are read in the order given) into `sink`; between batches,
   * `between` is told how far the file's bytes and packets got and may ask to wait.
   */
  async read(
    index: number,
    sink: PackedSink,
    between: (rawBytes: number, packets: number) => Promise<void> | undefined,
  ): Promise<DecodedFile> {
    for (;;) {
      const m = this.queue.shift() ?? (await this.next());
      if (m.index !== index)
        throw new Error(`decoding thread: file ${m.index} came while reading file ${index}`);
      switch (m.type) {
        case "packets": {
          sink.segments(m.batch);
          this.worker.postMessage({ type: "recycle", batch: m.batch } satisfies ToDecode, [
            m.batch.fields.buffer as ArrayBuffer,
            m.batch.payload.buffer as ArrayBuffer,
          ]);
          const wait = between(m.rawBytes, m.packets);
          if (wait !== undefined) await wait;
          break;
        }
        case "diagnostic":
          sink.diagnostic(m.diagnostic);
          break;
        case "unsupported-link":
          sink.unsupportedLink(m.linkType, m.fileOffset, m.frame);
          break;
        case "done":
          return { result: m.result, span: FileSpan.from(m.span), counts: m.counts };
      }
    }
  }

  /** Stops the thread (at the end, or when the run stops early). */
  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    await this.worker.terminate();
  }

  private next(): Promise<FromDecode> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
    });
  }
}
