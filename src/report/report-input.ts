/**
 * What the whole-capture renderers (brief, Markdown, JUnit) are given: the capture as read and
 * the summary of its flows. The `capture` object is also the `capture` member of the JSON.
 */
import type { CaptureSummary, Thresholds } from "../analysis/index.js";

export interface CaptureFileInfo {
  readonly path: string;
  readonly packets: number;
  readonly damaged: boolean;
  readonly gzip: boolean;
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
  readonly thresholds: Thresholds;
}

export interface ReportInput {
  readonly capture: CaptureInfo;
  readonly summary: CaptureSummary;
  /** teardown's version, for the report's header. */
  readonly version: string;
}
