/**
 * `teardown flow <capture...> <id>`: one flow as a text ladder with each side's inferred
 * states, its findings, and the frame numbers to find it in Wireshark.
 */
import { Analyzer, type FlowResult, type Thresholds } from "../../analysis/index.js";
import type { CaptureRecord } from "../../capture/index.js";
import { decodePacket, newDecodedPacket } from "../../decode/index.js";
import { seqDiff, type Flow, type Side } from "../../flow/index.js";
import { formatDiagnosticLine, formatLadder, type LadderPacket } from "../../report/index.js";
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE } from "../exit-codes.js";
import { readCaptureInput } from "../read-capture.js";
import type { CommandIo } from "./packets.js";

export interface FlowOptions {
  readonly id: number;
  readonly thresholds: Thresholds;
}

/** Packets of a flow kept for its ladder; past this the middle is summarised. */
const MAX_LADDER_PACKETS = 2000;

export async function runFlow(
  paths: readonly string[],
  opts: FlowOptions,
  io: CommandIo,
): Promise<number> {
  const err = (line: string): void => void io.stderr.write(line + "\n");
  const packets: LadderPacket[] = [];
  let skipped = 0;
  const base: Record<Side, number | undefined> = { client: undefined, server: undefined };
  let found: FlowResult | undefined;
  const analyzer = new Analyzer({
    thresholds: opts.thresholds,
    onFlow: (f) => {
      if (f.flow.id === opts.id) found = f.result();
    },
    follow: {
      id: opts.id,
      onPacket: (f: Flow, side: Side, frame: number, p) => {
        const mine = side === "client" ? f.client : f.server;
        const other: Side = side === "client" ? "server" : "client";
        const origin = mine.synFrame !== 0 ? mine.isn : (base[side] ??= p.seq);
        const peer = side === "client" ? f.server : f.client;
        const peerOrigin = peer.synFrame !== 0 ? peer.isn : base[other];
        if (packets.length >= MAX_LADDER_PACKETS) {
          skipped++;
          return;
        }
        packets.push({
          frame,
          at: analyzer.epochOf(f.endAt),
          from: side,
          flags: p.flags,
          seq: seqDiff(p.seq, origin) >>> 0,
          ack: peerOrigin === undefined ? p.ack : seqDiff(p.ack, peerOrigin) >>> 0,
          window: p.window,
          len: p.payloadLen,
        });
      },
    },
  });
  const decoded = newDecodedPacket();
  let damaged = false;
  for (const path of paths) {
    const result = await readCaptureInput(
      path,
      {
        packet(rec: CaptureRecord): void {
          decodePacket(decoded, rec.linkType, rec.buf, rec.offset, rec.capLen);
          if (decoded.status === "tcp") analyzer.packet(rec.frame, rec.tsSec, rec.tsNsec, decoded);
        },
        diagnostic: (d) => err(formatDiagnosticLine(path, d)),
      },
      io.stdin,
    );
    damaged ||= result.damaged;
  }
  analyzer.finish();
  if (found === undefined) {
    err(
      `teardown: no flow ${opts.id} in this capture (flows are numbered 1 to ${analyzer.flowsSeen})`,
    );
    return EXIT_USAGE;
  }
  io.stdout.write(formatLadder(found, packets, opts.thresholds.finGapSec) + "\n");
  if (skipped > 0)
    io.stdout.write(
      `(${skipped} more packets not drawn: the ladder stops at ${MAX_LADDER_PACKETS})\n`,
    );
  return damaged ? EXIT_INPUT : EXIT_OK;
}
