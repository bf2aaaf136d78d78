/**
 * The progress line of a long `teardown analyze` on a terminal's stderr: files, bytes, packets,
 * connections, rate and time left, redrawn in place at most four times a second and wiped at
 * the end. Never written when stderr is not a terminal (logs stay clean) or with --quiet.
 */
import type { Writable } from "node:stream";

const EVERY_MS = 250;

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;
const count = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : String(n);

export class ProgressLine {
  private readonly started = Date.now();
  private last = 0;
  private shown = false;

  /** `totalBytes`: the inputs' sizes on disk (0 when unknown: stdin). */
  constructor(
    private readonly out: Writable,
    private readonly totalFiles: number,
    private readonly totalBytes: number,
  ) {}

  /** Redraws the line if it is time; `bytes`: input bytes read so far (on disk). */
  update(file: number, bytes: number, packets: number, flows: number): void {
    const now = Date.now();
    if (now - this.last < EVERY_MS) return;
    this.last = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? bytes / seconds : 0;
    let eta = "";
    if (this.totalBytes > 0 && rate > 0 && bytes < this.totalBytes)
      eta = `, ${Math.ceil((this.totalBytes - bytes) / rate)} s left`;
    const line =
      `teardown: file ${file}/${this.totalFiles}, ${mib(bytes)}` +
      (this.totalBytes > 0 ? ` of ${mib(this.totalBytes)}` : "") +
      `, ${count(packets)} packets, ${count(flows)} connections, ${mib(rate)}/s${eta}`;
    this.out.write(`\r${line}\u001b[K`);
    this.shown = true;
  }

  /** Wipes the line. */
  done(): void {
    if (this.shown) this.out.write("\r\u001b[K");
  }
}
