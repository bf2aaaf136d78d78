/**
 * What `teardown analyze` tells of each file of a capture set: the span of its packets' times,
 * its link types and how many diagnostics it had (the per-file table of the outputs).
 */
import { seconds } from "../analysis/index.js";

/** One file's packets: the earliest and latest time, the link types, the diagnostics. */
export class FileSpan {
  count = 0;
  diagnostics = 0;
  readonly linkTypes: number[] = [];
  private minSec = 0;
  private minNsec = 0;
  private maxSec = 0;
  private maxNsec = 0;

  /** A span counted on another thread (its structured clone). */
  static from(data: FileSpan): FileSpan {
    return Object.assign(new FileSpan(), data);
  }

  add(sec: number, nsec: number, linkType: number): void {
    if (this.count++ === 0) {
      this.minSec = this.maxSec = sec;
      this.minNsec = this.maxNsec = nsec;
    } else if (sec > this.maxSec || (sec === this.maxSec && nsec > this.maxNsec)) {
      this.maxSec = sec;
      this.maxNsec = nsec;
    } else if (sec < this.minSec || (sec === this.minSec && nsec < this.minNsec)) {
      this.minSec = sec;
      this.minNsec = nsec;
    }
    if (this.linkTypes.at(-1) !== linkType && !this.linkTypes.includes(linkType))
      this.linkTypes.push(linkType);
  }

  firstEpoch(): number {
    return this.minSec + this.minNsec * 1e-9;
  }

  lastEpoch(): number {
    return this.maxSec + this.maxNsec * 1e-9;
  }

  /** Epoch seconds to the nanosecond, or null without packets. */
  first(): number | null {
    return this.count === 0 ? null : seconds(this.minSec, this.minNsec * 1e-9);
  }

  last(): number | null {
    return this.count === 0 ? null : seconds(this.maxSec, this.maxNsec * 1e-9);
  }
}
