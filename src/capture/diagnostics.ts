/**
 * The catalogue of what a capture reader can say about a file. Codes are stable: callers and
 * users branch on them, so a code is added, never renamed or reused.
 *
 * An `error` ends the reading of that file (everything before it has already been delivered);
 * a `warning` does not.
 */
export type CaptureSeverity = "error" | "warning";

export const CAPTURE_DIAGNOSTICS = {
  unreadable: {
    severity: "error",
    meaning: "The input could not be opened or read (missing, a directory, no permission).",
  },
  "not-a-capture": {
    severity: "error",
    meaning: "The first bytes are not a pcap or pcapng header.",
  },
  "unsupported-format": {
    severity: "error",
    meaning: "A known capture or compression format that teardown does not read.",
  },
  "unsupported-version": {
    severity: "error",
    meaning: "A pcap or pcapng header with a version teardown does not know.",
  },
  "bad-file-header": {
    severity: "error",
    meaning:
      "A file header with a field that cannot be right (for example a non-zero reserved link-type field).",
  },
  "header-cut-short": {
    severity: "error",
    meaning: "The file ends inside its file header or section header.",
  },
  "impossible-length": {
    severity: "error",
    meaning:
      "A record or block length that cannot be right (larger than the limit, smaller than its header, or not a multiple of 4).",
  },
  "block-length-mismatch": {
    severity: "error",
    meaning: "A pcapng block whose trailing length differs from its leading length.",
  },
  "malformed-block": {
    severity: "error",
    meaning:
      "A pcapng block whose fields contradict each other (captured length or an option running past the block, an unknown interface).",
  },
  "truncated-record": {
    severity: "warning",
    meaning:
      "The file ends inside its last record, as when tcpdump is killed mid-write or the file is still being written; every complete record was read.",
  },
  "invalid-timestamp": {
    severity: "warning",
    meaning:
      "A record whose sub-second part is a whole second or more; it is kept as written (tcpdump prints it the same way, marked invalid).",
  },
  "captured-exceeds-wire": {
    severity: "warning",
    meaning: "A record whose captured length is larger than its length on the wire.",
  },
} as const satisfies Record<string, { severity: CaptureSeverity; meaning: string }>;

export type CaptureDiagnosticCode = keyof typeof CAPTURE_DIAGNOSTICS;

export interface CaptureDiagnostic {
  readonly code: CaptureDiagnosticCode;
  readonly severity: CaptureSeverity;
  readonly message: string;
  /** Byte offset in the (decompressed) stream of the record or block concerned. */
  readonly byteOffset: number;
  /** pcap record number or pcapng block number (1-based), when there is one. */
  readonly record: number | undefined;
}

export function diagnostic(
  code: CaptureDiagnosticCode,
  message: string,
  byteOffset: number,
  record: number | undefined,
): CaptureDiagnostic {
  return { code, severity: CAPTURE_DIAGNOSTICS[code].severity, message, byteOffset, record };
}
