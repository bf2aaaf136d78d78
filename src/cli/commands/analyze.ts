/**
 * `teardown analyze <capture...>`: rebuilds every TCP connection, labels how each ended, and
 * prints the incident brief; `--json FILE` (or `-`) writes the whole result, flows streamed as
 * they finish so memory stays bounded by the connections alive at once.
 */
import { createWriteStream, openSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Writable } from "node:stream";
import { Analyzer, type Thresholds } from "../../analysis/index.js";
import type { CaptureRecord } from "../../capture/index.js";
import { decodePacket, DecodeCounts, newDecodedPacket } from "../../decode/index.js";
import { FlowBatchWriter } from "../../flow/index.js";
import {
  escapeForTerminal,
  formatBrief,
  formatDiagnosticLine,
  formatUnsupportedLinkLine,
  JsonBytes,
  writeFlowJson,
} from "../../report/index.js";
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE } from "../exit-codes.js";
import { AnalysisThread } from "../analysis-thread.js";
import { LineWriter } from "../output.js";
import { readCaptureInput, type FileReadResult } from "../read-capture.js";
import type { CommandIo } from "./packets.js";

/** `--threads`: 1, 2, or 2 when the input is big enough to repay starting a thread. */
export type ThreadsChoice = "1" | "2" | "auto";

export interface AnalyzeOptions {
  readonly json: string | undefined;
  readonly quiet: boolean;
  readonly threads: ThreadsChoice;
  readonly thresholds: Thresholds;
}

export const JSON_SCHEMA = "teardown/1";
const FLOW_CHUNK_BYTES = 256 * 1024;
/** Finished flows per batch sent to the analysis thread. */
const BATCH_FLOWS = 512;
/** With --threads auto, inputs smaller than this stay on one thread (a thread costs ~40 ms). */
const THREAD_MIN_BYTES = 8 * 1024 * 1024;

/** Whether to analyse on a second thread: asked for, or worth it for this input on this machine. */
function useThread(paths: readonly string[], choice: ThreadsChoice): boolean {
  if (choice !== "auto") return choice === "2";
  if (availableParallelism() < 2) return false;
  let bytes = 0;
  for (const path of paths) {
    if (path === "-") return true;
    try {
      bytes += statSync(path).size;
    } catch {
      // Unreadable: reported when it is read.
    }
  }
  return bytes >= THREAD_MIN_BYTES;
}

export async function runAnalyze(
  paths: readonly string[],
  opts: AnalyzeOptions,
  io: CommandIo,
): Promise<number> {
  const err = (line: string): void => void io.stderr.write(line + "\n");
  let jsonOut: Writable | undefined;
  if (opts.json === "-") jsonOut = io.stdout;
  else if (opts.json !== undefined) {
    // Open it before reading anything: a path that cannot be written is a usage error, found
    // before minutes of analysis rather than after.
    try {
      jsonOut = createWriteStream("", { fd: openSync(opts.json, "w") });
    } catch (e) {
      err(
        `teardown: cannot write --json ${escapeForTerminal(opts.json)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      );
      return EXIT_USAGE;
    }
  }
  const json = jsonOut === undefined ? undefined : new LineWriter(jsonOut);
  // Flows are written as bytes, one per line, and handed over in chunks of FLOW_CHUNK_BYTES,
  // here or by the analysis thread.
  const flowBytes = new JsonBytes();
  let firstFlow = true;
  json?.line(`{"schema":${JSON.stringify(JSON_SCHEMA)},"flows":[`);
  const batch = new FlowBatchWriter(BATCH_FLOWS);
  const thread = useThread(paths, opts.threads)
    ? new AnalysisThread(
        opts.thresholds,
        json === undefined ? undefined : (chunk) => json.bytes(chunk),
        (arrays) => batch.recycle(arrays),
      )
    : undefined;
  const analyzer = new Analyzer({
    thresholds: opts.thresholds,
    handOff:
      thread === undefined
        ? undefined
        : (flow, captureEnd, baseSec) => {
            batch.add(flow, captureEnd);
            if (batch.full) thread.send(batch.take(baseSec));
          },
    onFlow: (flow) => {
      if (json === undefined) return;
      if (!firstFlow) flowBytes.raw(",");
      writeFlowJson(flowBytes, flow);
      flowBytes.raw("\n");
      firstFlow = false;
      if (flowBytes.length >= FLOW_CHUNK_BYTES) json.bytes(flowBytes.take());
    },
  });
  const decoded = newDecodedPacket();
  const counts = new DecodeCounts();
  const files: FileReadResult[] = [];
  // Frames are numbered on across files, as if the files were one capture.
  let frameBase = 0;
  for (const path of paths) {
    const base = frameBase;
    const result = await readCaptureInput(
      path,
      {
        packet(rec: CaptureRecord): void {
          decodePacket(decoded, rec.linkType, rec.buf, rec.offset, rec.capLen);
          if (counts.add(decoded, base + rec.frame)) {
            err(formatUnsupportedLinkLine(path, rec.linkType, rec.fileOffset, rec.frame));
          }
          if (decoded.status === "tcp")
            analyzer.packet(base + rec.frame, rec.tsSec, rec.tsNsec, decoded);
        },
        diagnostic: (d) => err(formatDiagnosticLine(path, d)),
      },
      io.stdin,
      () => thread?.ready() ?? json?.ready(),
    );
    files.push(result);
    frameBase += result.packets;
  }
  let summary = analyzer.finish();
  if (thread !== undefined) {
    if (batch.count > 0) thread.send(batch.take(analyzer.epochOf(0)));
    summary = await thread.finish();
  }
  if (analyzer.backwards > 0) {
    err(
      `teardown: warning: ${analyzer.backwards} TCP packets are timestamped earlier than a packet before them ` +
        `(first: frame ${analyzer.firstBackwardsFrame}); states are kept in packet order, durations may be off`,
    );
  }
  const start = analyzer.firstSec < 0 ? 0 : analyzer.firstSec + analyzer.firstNsec * 1e-9;
  const end = analyzer.lastSec < 0 ? 0 : analyzer.lastSec + analyzer.lastNsec * 1e-9;
  const capture = {
    files: files.map((f) => ({
      path: f.path,
      packets: f.packets,
      damaged: f.damaged,
      gzip: f.gzip,
    })),
    packets: counts.total,
    tcpPackets: counts.byStatus.tcp,
    notDecoded: { ...counts.byStatus, tcp: undefined },
    start,
    end,
    timestampsBackwards: analyzer.backwards,
    // Packets on a closed, finished connection's 4-tuple that started nothing new.
    stragglers: analyzer.latePackets,
    peakLiveConnections: analyzer.peakLiveFlows,
    thresholds: opts.thresholds,
  };
  if (json !== undefined && jsonOut !== undefined) {
    if (flowBytes.length > 0) json.bytes(flowBytes.take());
    json.line(`],"capture":${JSON.stringify(capture)},"summary":${JSON.stringify(summary)}}`);
    await json.end();
    if (jsonOut !== io.stdout)
      await new Promise<void>((resolve, reject) =>
        jsonOut.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
  }
  if (!opts.quiet && opts.json !== "-") {
    io.stdout.write(
      formatBrief({
        files: paths,
        packets: counts.total,
        tcpPackets: counts.byStatus.tcp,
        start,
        end,
        summary,
      }) + "\n",
    );
  }
  return files.some((f) => f.damaged) ? EXIT_INPUT : EXIT_OK;
}
