/**
 * `teardown packets <capture...>`: one line per TCP packet, like `tcpdump -r`, and a summary
 * of everything that was not TCP on stderr.
 */
import type { Readable, Writable } from "node:stream";
import type { CaptureRecord } from "../../capture/index.js";
import { decodePacket, DecodeCounts, newDecodedPacket } from "../../decode/index.js";
import {
  escapeForTerminal,
  formatDiagnosticLine,
  formatPacketLine,
  formatSkippedLine,
  formatUnsupportedLinkLine,
} from "../../report/index.js";
import { EXIT_INPUT, EXIT_OK } from "../exit-codes.js";
import { LineWriter } from "../output.js";
import { readCaptureInput } from "../read-capture.js";

export interface PacketsOptions {
  readonly quiet: boolean;
  /** Also print a line for each packet that is not decoded as TCP, saying what it is. */
  readonly all: boolean;
}

export interface CommandIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export async function runPackets(
  paths: readonly string[],
  opts: PacketsOptions,
  io: CommandIo,
): Promise<number> {
  const out = new LineWriter(io.stdout);
  const err = (line: string): void => void io.stderr.write(line + "\n");
  const decoded = newDecodedPacket();
  let status = EXIT_OK;
  for (const path of paths) {
    const counts = new DecodeCounts();
    if (paths.length > 1) out.line(`# ${escapeForTerminal(path)}`);
    const result = await readCaptureInput(
      path,
      {
        packet(rec: CaptureRecord): void {
          decodePacket(decoded, rec.linkType, rec.buf, rec.offset, rec.capLen);
          if (counts.add(decoded, rec.frame)) {
            err(formatUnsupportedLinkLine(path, rec.linkType, rec.fileOffset, rec.frame));
          }
          if (decoded.status === "tcp")
            out.line(formatPacketLine(rec.frame, rec.tsSec, rec.tsNsec, decoded));
          else if (opts.all) out.line(formatSkippedLine(rec.frame, rec.tsSec, rec.tsNsec, decoded));
        },
        diagnostic: (d) => err(formatDiagnosticLine(path, d)),
        nonPacketFrame(frame: number, _offset: number, what: string): void {
          if (opts.all) out.line(`${frame} - - ${what}`);
        },
      },
      io.stdin,
      () => out.ready(),
    );
    if (result.damaged) status = EXIT_INPUT;
    if (!opts.quiet) err(summaryLine(path, counts));
    if (out.closed) break;
  }
  await out.end();
  return status;
}

function summaryLine(path: string, c: DecodeCounts): string {
  const s = c.byStatus;
  const parts = [`${c.total} packets`, `${s.tcp} TCP`];
  if (c.truncatedTcp > 0) parts.push(`${c.truncatedTcp} of them cut by the snapshot length`);
  if (s.other > 0) parts.push(`${s.other} not TCP`);
  if (s.fragment > 0) parts.push(`${s.fragment} non-first IP fragments`);
  if (s.encapsulated > 0) parts.push(`${s.encapsulated} tunnelled or encapsulated`);
  if (s["unsupported-link"] > 0) parts.push(`${s["unsupported-link"]} on unsupported link types`);
  if (s.truncated > 0) parts.push(`${s.truncated} too short to decode`);
  if (s.malformed > 0) parts.push(`${s.malformed} malformed`);
  return `${escapeForTerminal(path)}: ${parts.join(", ")}`;
}
