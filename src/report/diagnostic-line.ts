import type { CaptureDiagnostic } from "../capture/index.js";
import { linkTypeName } from "../decode/index.js";
import { escapeForTerminal } from "./terminal.js";

/**
 * One line for a capture diagnostic: the file, where in it, and what is wrong.
 *
 *   capture.pcap: error at byte 40960, record 312: record length 4294967295 exceeds ... [impossible-length]
 */
export function formatDiagnosticLine(file: string, d: CaptureDiagnostic): string {
  return problemLine(file, d.severity, d.byteOffset, d.record, d.message, d.code);
}

/** The warning, once per link type and file, for packets the decoder cannot open. */
export function formatUnsupportedLinkLine(
  file: string,
  linkType: number,
  byteOffset: number,
  record: number,
): string {
  return problemLine(
    file,
    "warning",
    byteOffset,
    record,
    `link type ${linkTypeName(linkType)} (${linkType}) is not supported; its packets are counted, not decoded`,
    "unsupported-link",
  );
}

function problemLine(
  file: string,
  severity: string,
  byteOffset: number,
  record: number | undefined,
  message: string,
  code: string,
): string {
  const where =
    record === undefined ? `at byte ${byteOffset}` : `at byte ${byteOffset}, record ${record}`;
  return `${escapeForTerminal(file)}: ${severity} ${where}: ${message} [${code}]`;
}
