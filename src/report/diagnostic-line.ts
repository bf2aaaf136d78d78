import type { CaptureDiagnostic } from "../capture/index.js";
import { escapeForTerminal } from "./terminal.js";

/**
 * One line for a capture diagnostic: the file, where in it, and what is wrong.
 *
 *   capture.pcap: error at byte 40960, record 312: record length 4294967295 exceeds ... [impossible-length]
 */
export function formatDiagnosticLine(file: string, d: CaptureDiagnostic): string {
  const where =
    d.record === undefined
      ? `at byte ${d.byteOffset}`
      : `at byte ${d.byteOffset}, record ${d.record}`;
  return `${escapeForTerminal(file)}: ${d.severity} ${where}: ${d.message} [${d.code}]`;
}
