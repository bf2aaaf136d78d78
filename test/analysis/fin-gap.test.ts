/**
 * The bounded distribution of FIN gaps (fin-gap.ts): exact quantiles over few gaps, log-scale
 * buckets within their stated error over many, and the edges (no gap, gaps out of order, gaps
 * past the buckets' range).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FinGapTally } from "../../src/analysis/fin-gap.js";

function tallyOf(gaps: readonly number[]): FinGapTally {
  const t = new FinGapTally();
  for (const g of gaps) t.addSec(g);
  return t;
}

/** Nearest-rank quantile of `gaps`, the reference. */
function nearestRank(gaps: readonly number[], q: number): number {
  const sorted = [...gaps].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe("FinGapTally", () => {
  it("is exact over its first 32 gaps, in any order", () => {
    const gaps = [...Array(32).keys()].map((i) => ((i * 7) % 32) * 0.125 + 0.001);
    const r = tallyOf(gaps).result();
    assert.equal(r.exact, true);
    assert.equal(r.count, 32);
    assert.equal(r.p50Sec, nearestRank(gaps, 0.5));
    assert.equal(r.p90Sec, nearestRank(gaps, 0.9));
    assert.equal(r.maxSec, 3.876);
  });

  it("past 32 gaps: percentiles within 7.5%, count and longest exact", () => {
    // 10,000 gaps over seven decades, some equal, in no order.
    const gaps = [...Array(10_000).keys()].map((i) => 1e-4 * 10 ** (((i * 7919) % 10_000) / 1429));
    const r = tallyOf(gaps).result();
    assert.equal(r.exact, false);
    assert.equal(r.count, 10_000);
    assert.equal(r.maxSec, Math.round(Math.max(...gaps) * 1e9) / 1e9);
    for (const [q, got] of [
      [0.5, r.p50Sec],
      [0.9, r.p90Sec],
    ] as const) {
      const want = nearestRank(gaps, q);
      assert.ok(
        got !== null && Math.abs(got - want) / want < 0.075,
        `p${q * 100}: ${got} vs ${want}`,
      );
    }
  });

  it("33 equal gaps: approximate, yet the bucket's value is kept within the smallest and longest", () => {
    const r = tallyOf(Array(33).fill(2.5)).result();
    assert.deepEqual(r, {
      count: 33,
      p50Sec: 2.5,
      p90Sec: 2.5,
      maxSec: 2.5,
      exact: false,
      open: 0,
    });
  });

  it("counts a gap from timestamps out of order as 0, and places gaps past 10^6 s", () => {
    const r = tallyOf([-0.5, 0, 2e6]).result();
    assert.deepEqual([r.count, r.p50Sec, r.maxSec], [3, 0, 2e6]);
    const many = tallyOf([...Array(40).fill(3e6), ...Array(10).fill(-1)]).result();
    assert.deepEqual([many.p50Sec, many.p90Sec, many.maxSec], [3e6, 3e6, 3e6]);
    const tiny = tallyOf([...Array(40).fill(2e-7)]).result();
    assert.deepEqual([tiny.p50Sec, tiny.maxSec], [2e-7, 2e-7]);
  });

  it("no gap: count 0 and no percentiles; flows without a FIN gap add nothing", () => {
    const t = new FinGapTally();
    t.add(undefined);
    t.add({ closer: "client", sec: null, open: true });
    t.add({ closer: "server", sec: null, open: false });
    assert.deepEqual(t.result(), {
      count: 0,
      p50Sec: null,
      p90Sec: null,
      maxSec: null,
      exact: true,
      open: 1,
    });
  });
});
