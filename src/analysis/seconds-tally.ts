/**
 * A distribution of durations (seconds) over many connections in bounded memory, whatever their
 * number: FIN gaps, TLS handshakes, CLOSE_WAIT durations of a server's connections. Memory is
 * bounded by the number of endpoints, not by the number of flows in the capture.
 *
 * The first EXACT_VALUES values are kept as they are (quantiles exact, as most incident captures
 * have few connections per endpoint), then counts in fixed log-scale buckets (BUCKETS 32-bit
 * counts, 776 bytes). From buckets a quantile is its bucket's geometric middle, kept within the
 * smallest and longest value seen: a bucket spans a factor of 10^(1/16), so the value is within
 * 7.5% of the true quantile for durations of 1 µs to 10^6 s (under 1 µs, within 1 µs; past
 * 10^6 s, which only a clock jump makes, the longest). The count and the longest are exact.
 */

/** Values kept as they are; quantiles over up to this many are exact. */
const EXACT_VALUES = 32;
/**
 * Log-scale buckets past EXACT_VALUES: 1 µs to 10^6 s (11.6 days), BUCKETS_PER_DECADE a decade,
 * one bucket below (shorter than 1 µs) and one above.
 */
const BUCKET_FLOOR_SEC = 1e-6;
const BUCKETS_PER_DECADE = 16;
const DECADES = 12;
const BUCKETS = DECADES * BUCKETS_PER_DECADE + 2;

export class SecondsTally {
  private n = 0;
  private min = Infinity;
  private max = -Infinity;
  private values: number[] | null = [];
  private buckets: Uint32Array | null = null;

  get count(): number {
    return this.n;
  }

  /** The longest value added (-Infinity when none). */
  get longest(): number {
    return this.max;
  }

  /** Whether quantiles are exact (no more than EXACT_VALUES values were added). */
  get exact(): boolean {
    return this.values !== null;
  }

  /** Adds a duration; a negative one (timestamps out of order) counts as 0. */
  add(sec: number): void {
    const x = sec > 0 ? sec : 0;
    this.n++;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (this.values !== null) {
      if (this.values.length < EXACT_VALUES) {
        this.values.push(x);
        return;
      }
      this.buckets = new Uint32Array(BUCKETS);
      for (const y of this.values) this.buckets[bucketOf(y)]!++;
      this.values = null;
    }
    this.buckets![bucketOf(x)]!++;
  }

  /** The nearest-rank quantile q (0 < q <= 1): the smallest value that share does not exceed. */
  quantile(q: number): number {
    const rank = Math.max(1, Math.ceil(q * this.n));
    if (this.values !== null) return [...this.values].sort((a, b) => a - b)[rank - 1]!;
    const buckets = this.buckets!;
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += buckets[b]!;
      // Past the last bucket's floor the values have no bound but the longest.
      if (seen >= rank)
        return b === BUCKETS - 1
          ? this.max
          : Math.min(this.max, Math.max(this.min, bucketMiddle(b)));
    }
    return this.max;
  }

  /** The median: exact (the mean of the middle two of an even count) while values are kept. */
  median(): number {
    if (this.values === null) return this.quantile(0.5);
    const sorted = [...this.values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
