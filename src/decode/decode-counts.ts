import type { DecodedPacket, DecodeProblem, DecodeStatus } from "./packet.js";

/**
 * Tallies what the decoder made of each packet, so that nothing it skipped goes unreported:
 * non-TCP, fragments, tunnels, truncated and malformed packets, and packets on link types it
 * does not know (each such link type is reported once, with its first frame).
 */
export class DecodeCounts {
  readonly byStatus: Record<DecodeStatus, number> = {
    tcp: 0,
    other: 0,
    fragment: 0,
    encapsulated: 0,
    "unsupported-link": 0,
    truncated: 0,
    malformed: 0,
  };
  readonly byProblem = new Map<DecodeProblem, { count: number; firstFrame: number }>();
  readonly unsupportedLinkTypes = new Map<number, { count: number; firstFrame: number }>();
  /** TCP segments whose payload or options the snapshot length cut. */
  truncatedTcp = 0;
  total = 0;

  /** Counts one decoded packet; returns true when it is the first of an unsupported link type. */
  add(p: DecodedPacket, frame: number): boolean {
    this.total++;
    this.byStatus[p.status]++;
    if (p.status === "tcp" && p.truncated) this.truncatedTcp++;
    if (p.problem !== "none") {
      const seen = this.byProblem.get(p.problem);
      if (seen === undefined) this.byProblem.set(p.problem, { count: 1, firstFrame: frame });
      else seen.count++;
    }
    if (p.status === "unsupported-link") {
      const seen = this.unsupportedLinkTypes.get(p.linkType);
      if (seen === undefined) {
        this.unsupportedLinkTypes.set(p.linkType, { count: 1, firstFrame: frame });
        return true;
      }
      seen.count++;
    }
    return false;
  }

  /**
   * Adds the counts of another part of the capture (another file, counted on another thread:
   * a structured clone of a DecodeCounts), whose frames start after `frameBase`.
   */
  merge(other: DecodeCountsData, frameBase: number): void {
    this.total += other.total;
    this.truncatedTcp += other.truncatedTcp;
    for (const status of Object.keys(this.byStatus) as DecodeStatus[])
      this.byStatus[status] += other.byStatus[status];
    mergeFirst(this.byProblem, other.byProblem, frameBase);
    mergeFirst(this.unsupportedLinkTypes, other.unsupportedLinkTypes, frameBase);
  }
}

/** The fields of a DecodeCounts, as they cross to another thread. */
export type DecodeCountsData = Pick<
  DecodeCounts,
  "byStatus" | "byProblem" | "unsupportedLinkTypes" | "truncatedTcp" | "total"
>;

function mergeFirst<K>(
  into: Map<K, { count: number; firstFrame: number }>,
  from: ReadonlyMap<K, { readonly count: number; readonly firstFrame: number }>,
  frameBase: number,
): void {
  for (const [key, { count, firstFrame }] of from) {
    const seen = into.get(key);
    if (seen === undefined) into.set(key, { count, firstFrame: frameBase + firstFrame });
    else seen.count += count;
  }
}
