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
import { SecondsTally } from "./seconds-tally.js";

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

/**
 * The distribution of FIN gaps over an endpoint's connections, in bounded memory whatever the
 * number of connections (SecondsTally: exact over few gaps, log-scale buckets within 7.5% over
 * many). The count, the longest gap and `open` are always exact.
 */
export class FinGapTally {
  private readonly gaps = new SecondsTally();
  private open = 0;

  /** Adds a flow's gap (finGap's result); flows not closed first by a FIN add nothing. */
  add(gap: FinGap | undefined): void {
    if (gap === undefined) return;
    if (gap.sec === null) {
      if (gap.open) this.open++;
      return;
    }
    this.gaps.add(gap.sec);
  }

  /** Adds one gap in seconds (negative, from timestamps out of order, counts as 0). */
  addSec(sec: number): void {
    this.gaps.add(sec);
  }

  result(): FinGapDistribution {
    const g = this.gaps;
    if (g.count === 0)
      return { count: 0, p50Sec: null, p90Sec: null, maxSec: null, exact: true, open: this.open };
    return {
      count: g.count,
      p50Sec: round(g.quantile(0.5)),
      p90Sec: round(g.quantile(0.9)),
      maxSec: round(g.longest),
      exact: g.exact,
      open: this.open,
    };
  }
}

/** Seconds rounded to the nanosecond, as results give times (seconds.ts). */
const round = (x: number): number => Math.round(x * 1e9) / 1e9;
