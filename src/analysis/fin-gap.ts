/**
 * The FIN gap: from the first FIN of a connection (the side that closed first, the active
 * closer) to the other side's FIN. The passive side spends it in CLOSE_WAIT (its application has
 * not closed yet), the active side in FIN_WAIT_2. This file is the one definition the long-fin-gap
 * finding (flow-findings.ts) and the summary's distributions (summary.ts) use, and the bounded
 * distribution of many gaps.
 *
 * Limitations: times are as seen where tcpdump ran, so a gap includes the path's delay between
 * the capture point and the passive host. Packets stamped earlier than the one before can make
 * the second FIN look earlier than the first: such a gap counts as 0 in the distribution.
 */
import type { Flow, Side } from "../flow/index.js";

/** A flow closed first by a FIN: who sent it, and the gap to the other side's FIN. */
export interface FinGap {
  /** The active closer. */
  readonly closer: Side;
  /** Seconds from the first FIN to the other side's FIN; null when it sent none. */
  readonly sec: number | null;
  /**
   * No FIN from the other side and no RST from either by the capture's end (or the flow's): the
   * connection was still half-closed, the other side in CLOSE_WAIT if it had taken the FIN.
   */
  readonly open: boolean;
}

/** The flow's FIN gap; undefined when it was not closed first by a FIN (RST, or not closed). */
export function finGap(f: Flow): FinGap | undefined {
  if (f.close !== "fin" || f.closedBy === "none") return undefined;
  const closer = f.closedBy;
  const active = closer === "client" ? f.client : f.server;
  const passive = closer === "client" ? f.server : f.client;
  if (passive.finFrame !== 0) return { closer, sec: passive.finAt - active.finAt, open: false };
  return { closer, sec: null, open: passive.rstFrame === 0 && active.rstFrame === 0 };
}

/** The FIN gaps of an endpoint's connections (in the JSON summary: `finGap`). */
export interface FinGapDistribution {
  /** Connections closed by a FIN from each side (probes included). */
  readonly count: number;
  /**
   * Seconds from the first FIN to the second: the 50th and 90th percentiles (nearest rank: the
   * smallest gap that at least that share of the gaps does not exceed) and the longest; null
   * when `count` is 0. The longest is exact.
   */
  readonly p50Sec: number | null;
  readonly p90Sec: number | null;
  readonly maxSec: number | null;
  /** Whether p50Sec and p90Sec are exact; else within 7.5% (see FinGapTally). */
  readonly exact: boolean;
  /** Connections closed first by a FIN whose second FIN had not come by the end (see FinGap.open). */
  readonly open: number;
}

/** Gaps kept as they are; quantiles over up to this many are exact. */
const EXACT_GAPS = 32;
/**
 * Log-scale buckets past EXACT_GAPS: 1 µs to 10^6 s (11.6 days), BUCKETS_PER_DECADE a decade,
 * one bucket below (shorter than 1 µs, crossing FINs) and one above.
 */
const BUCKET_FLOOR_SEC = 1e-6;
const BUCKETS_PER_DECADE = 16;
const DECADES = 12;
const BUCKETS = DECADES * BUCKETS_PER_DECADE + 2;

/**
 * The distribution of FIN gaps over an endpoint's connections, in bounded memory whatever the
 * number of connections: the first EXACT_GAPS gaps as they are (quantiles exact, as most
 * incident captures have few connections per endpoint), then counts in fixed log-scale buckets
 * (BUCKETS 32-bit counts, 776 bytes). From buckets a quantile is its bucket's geometric middle,
 * kept within the smallest and longest gap seen: a bucket spans a factor of 10^(1/16), so the
 * value is within 7.5% of the true quantile for gaps of 1 µs to 10^6 s (under 1 µs, within 1 µs;
 * past 10^6 s, which only a clock jump makes, the longest gap). The count, the longest gap and
 * `open` are always exact.
 */
export class FinGapTally {
  private count = 0;
  private open = 0;
  private min = Infinity;
  private max = -Infinity;
  private exact: number[] | null = [];
  private buckets: Uint32Array | null = null;

  /** Adds a flow's gap (finGap's result); flows not closed first by a FIN add nothing. */
  add(gap: FinGap | undefined): void {
    if (gap === undefined) return;
    if (gap.sec === null) {
      if (gap.open) this.open++;
      return;
    }
    this.addSec(gap.sec);
  }

  /** Adds one gap in seconds (negative, from timestamps out of order, counts as 0). */
  addSec(sec: number): void {
    const x = sec > 0 ? sec : 0;
    this.count++;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (this.exact !== null) {
      if (this.exact.length < EXACT_GAPS) {
        this.exact.push(x);
        return;
      }
      this.buckets = new Uint32Array(BUCKETS);
      for (const y of this.exact) this.buckets[bucketOf(y)]!++;
      this.exact = null;
    }
    this.buckets![bucketOf(x)]!++;
  }

  result(): FinGapDistribution {
    const n = this.count;
    if (n === 0)
      return { count: 0, p50Sec: null, p90Sec: null, maxSec: null, exact: true, open: this.open };
    return {
      count: n,
      p50Sec: round(this.quantile(0.5)),
      p90Sec: round(this.quantile(0.9)),
      maxSec: round(this.max),
      exact: this.exact !== null,
      open: this.open,
    };
  }

  /** The nearest-rank quantile q (0 < q <= 1) of the gaps added. */
  private quantile(q: number): number {
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (this.exact !== null) return [...this.exact].sort((a, b) => a - b)[rank - 1]!;
    const buckets = this.buckets!;
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += buckets[b]!;
      // Past the last bucket's floor the gaps have no bound but the longest.
      if (seen >= rank)
        return b === BUCKETS - 1
          ? this.max
          : Math.min(this.max, Math.max(this.min, bucketMiddle(b)));
    }
    return this.max;
  }
}

/** Bucket 0: under 1 µs; bucket i: [1 µs·10^((i-1)/16), 1 µs·10^(i/16)); the last: the rest. */
function bucketOf(sec: number): number {
  if (sec < BUCKET_FLOOR_SEC) return 0;
  const i = 1 + Math.floor(Math.log10(sec / BUCKET_FLOOR_SEC) * BUCKETS_PER_DECADE);
  return i < BUCKETS - 1 ? i : BUCKETS - 1;
}

/** A bucket's geometric middle (half the floor for bucket 0; not for the last, unbounded). */
function bucketMiddle(b: number): number {
  if (b === 0) return BUCKET_FLOOR_SEC / 2;
  return BUCKET_FLOOR_SEC * 10 ** ((b - 0.5) / BUCKETS_PER_DECADE);
}

/** Seconds rounded to the nanosecond, as results give times (seconds.ts). */
const round = (x: number): number => Math.round(x * 1e9) / 1e9;
