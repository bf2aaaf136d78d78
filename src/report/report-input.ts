/**
 * What the whole-capture renderers (brief, Markdown, JUnit) are given: the capture as read and
 * the summary of its flows. The `capture` object is also the `capture` member of the JSON.
 */
import type { Analyzer, CaptureSummary, ReportFlows, Thresholds } from "../analysis/index.js";

export interface CaptureFileInfo {
  readonly path: string;
  readonly packets: number;
  /** An error stopped the reading early (what came before was read). */
  readonly damaged: boolean;
  readonly gzip: boolean;
  /** Epoch seconds of its earliest and latest packet; null without packets. */
  readonly first?: number | null;
  readonly last?: number | null;
  /** LINKTYPE_* values of its packets. */
  readonly linkTypes?: readonly number[];
  /** Errors and warnings it gave (each printed on stderr). */
  readonly diagnostics?: number;
  /** Frames before its first: its frame N is frame N + frameOffset of the capture. */
  readonly frameOffset?: number;
  /**
   * Seconds from the previous file's latest packet to this one's earliest: time the set does
   * not cover (negative: the files overlap); null for the first file or without packets.
   */
  readonly gapBefore?: number | null;
}

export interface CaptureInfo {
  readonly files: readonly CaptureFileInfo[];
  /** Packets read, all kinds. */
  readonly packets: number;
  readonly tcpPackets: number;
  /** Packets not decoded to TCP, by decode status (tcp left out). */
  readonly notDecoded: Readonly<Record<string, number | undefined>>;
  /** Epoch seconds of the first and last packet (0 when none). */
  readonly start: number;
  readonly end: number;
  readonly timestampsBackwards: number;
  /** Packets on a closed, finished connection's 4-tuple that started nothing new. */
  readonly stragglers: number;
  readonly peakLiveConnections: number;
  /** Flows finished early because --max-live-connections were alive at once. */
  readonly finishedEarly: number;
  readonly thresholds: Thresholds;
}

export interface ReportInput {
  readonly capture: CaptureInfo;
  readonly summary: CaptureSummary;
  /** teardown's version, for the report's header. */
  readonly version: string;
  /** The flows drawn as ladders and the flow index, when they were collected (the HTML report). */
  readonly flows?: ReportFlows;
}

/** What of CaptureInfo a finished analyzer knows: the time span and its counters. */
export type AnalyzerFacts = Pick<
  CaptureInfo,
  | "start"
  | "end"
  | "timestampsBackwards"
  | "stragglers"
  | "peakLiveConnections"
  | "finishedEarly"
  | "thresholds"
>;

/** The facts of CaptureInfo taken from a finished analyzer (the CLI and tests build the rest). */
export function analyzerFacts(analyzer: Analyzer): AnalyzerFacts {
  return {
    start: analyzer.firstSec < 0 ? 0 : analyzer.startEpoch,
    end: analyzer.lastSec < 0 ? 0 : analyzer.lastSec + analyzer.lastNsec * 1e-9,
    timestampsBackwards: analyzer.backwards,
    stragglers: analyzer.latePackets,
    peakLiveConnections: analyzer.peakLiveFlows,
    finishedEarly: analyzer.evictedFlows,
    thresholds: analyzer.thresholds,
  };
}
