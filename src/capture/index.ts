/**
 * The capture layer: turns the bytes of a pcap or pcapng file into timestamped packet records.
 * It reads nothing itself: callers push chunks (from a file, stdin, a decompressor) into a
 * CaptureReader. See `capture-reader.ts`.
 */
export { CaptureReader } from "./capture-reader.js";
export type { CaptureSink } from "./parser.js";
export { DEFAULT_MAX_PACKET, HARD_MAX_PACKET } from "./parser.js";
export type { CaptureRecord, CaptureInterface } from "./record.js";
export {
  CAPTURE_DIAGNOSTICS,
  type CaptureDiagnostic,
  type CaptureDiagnosticCode,
  type CaptureSeverity,
} from "./diagnostics.js";
export { sniffFormat, describeBytes, SNIFF_BYTES, type FileKind } from "./format.js";
export { formatEpoch, ticksToTime, ticksPerSecondFromResolution } from "./timestamp.js";
