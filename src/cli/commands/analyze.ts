/**
 * `teardown analyze <capture...>`: rebuilds every TCP connection, labels how each ended, and
 * reports it: the incident brief (text), Markdown or JUnit for the whole capture, and/or the
 * per-flow records (the teardown/1 JSON, NDJSON) streamed as flows finish, so memory stays
 * bounded by the connections alive at once.
 */
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { setImmediate } from "node:timers/promises";
import {
  Analyzer,
  FINDING_KINDS,
  flowPredicate,
  type CaptureSummary,
  type FindingKind,
  type FlowSelection,
  type ReportFlowOptions,
  type ReportFlows,
  type Thresholds,
  LADDER_PACKETS,
} from "../../analysis/index.js";
import type { CaptureDiagnostic } from "../../capture/index.js";
import {
  DecodeCounts,
  newDecodedPacket,
  packedFrame,
  packedTsNsec,
  packedTsSec,
  unpackTcp,
  type PackedTcp,
} from "../../decode/index.js";
import { FlowBatchWriter } from "../../flow/index.js";
import {
  analyzerFacts,
  escapeForTerminal,
  formatBrief,
  formatDiagnosticLine,
  formatJunit,
  formatMarkdown,
  formatUnsupportedLinkLine,
  FlowRecordWriter,
  terminalSafeJson,
  zeekConnLogFooter,
  zeekConnLogHeader,
  type CaptureInfo,
  type ReportInput,
} from "../../report/index.js";
import { EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE } from "../exit-codes.js";
import { AnalysisThread } from "../analysis-thread.js";
import {
  openOutputs,
  type OpenOutputs,
  type OutputPlan,
  type ReportFormat,
} from "../analyze-outputs.js";
import type { FileReadResult } from "../read-capture.js";
import { readDecoded } from "../read-decoded.js";
import { DecodeThread } from "../decode-thread.js";
import { FileSpan } from "../file-span.js";
import { expandInputs, orderByFirstPacket } from "../capture-set.js";
import { ProgressLine } from "../progress.js";
import type { CommandIo } from "./packets.js";

/**
 * Why a run is stopped from outside, the process ending right after: a signal (Ctrl-C, SIGTERM),
 * or a write to stdout that failed (its reader went away, `teardown analyze ... | head`, or the
 * disk is full), which the CLI reports itself.
 */
export type StopReason = "SIGINT" | "SIGTERM" | "stdout-failed";

/**
 * `--threads`: 1; 2 (the per-flow analysis on a second thread); 3 (files also read and decoded
 * on a third); or auto: as many of these as the input repays and the machine has CPUs for.
 */
export type ThreadsChoice = "1" | "2" | "3" | "auto";

export interface AnalyzeOptions {
  /** Where each output goes (see analyze-outputs.ts). */
  readonly outputs: OutputPlan;
  readonly threads: ThreadsChoice;
  readonly thresholds: Thresholds;
  /** Which flows the report covers. */
  readonly select: FlowSelection;
  /** Finding kinds that make the exit status 3 (`--fail-on`); undefined: none. */
  readonly failOn: ((kind: FindingKind) => boolean) | undefined;
  readonly version: string;
  /** Draw a progress line on stderr (a terminal, and no --quiet). */
  readonly progress: boolean;
  /** Choose and keep the flows the HTML report draws (ladders) and its flow index. */
  readonly report?: ReportFlowOptions;
  /**
   * Aborted when the process must end at once, with the reason (see StopReason): the run then
   * removes its unfinished output files, synchronously, and after a signal says where it stopped.
   */
  readonly signal?: AbortSignal;
}

export const JSON_SCHEMA = "teardown/1";
/** Finished flows per batch sent to the analysis thread. */
const BATCH_FLOWS = 512;
/** With --threads auto, inputs smaller than this stay on one thread (a thread costs ~40 ms). */
const THREAD_MIN_BYTES = 8 * 1024 * 1024;
/** Longest stretch of reading, ms, before the event loop gets a turn (to notice a signal). */
const TURN_MS = 50;

/**
 * How many threads to run (see ThreadsChoice): as asked, or what repays starting them for this
 * input on this machine. The decoding thread needs a CPU of its own: on two, the tracking and
 * analysis threads already keep both busy, and decoding apart only adds the cost of handing
 * packets over (see the README).
 */
function threadCount(paths: readonly string[], choice: ThreadsChoice): 1 | 2 | 3 {
  if (choice !== "auto") return choice === "3" ? 3 : choice === "2" ? 2 : 1;
  const cpus = availableParallelism();
  if (cpus < 2) return 1;
  if (!paths.includes("-") && totalSize(paths) < THREAD_MIN_BYTES) return 1;
  return cpus >= 3 ? 3 : 2;
}

/** Sizes on disk of the inputs (0 when one is stdin or cannot be read: no estimate then). */
function totalSize(paths: readonly string[]): number {
  let total = 0;
  for (const path of paths) {
    if (path === "-") return 0;
    try {
      total += statSync(path).size;
    } catch {
      return 0;
    }
  }
  return total;
}

/** A file output failed while the capture was being read: the run stops there. */
class OutputFailed extends Error {}

/** How far a run got, for the line that says where it was interrupted. */
interface RunProgress {
  /** The input being read (undefined before the first), its place and the number of inputs. */
  path: string | undefined;
  input: number;
  inputs: number;
  /** Packets read so far (all inputs). */
  packets: () => number;
  /** Every input was read. */
  read: boolean;
  line: ProgressLine | undefined;
}

export async function runAnalyze(
  args: readonly string[],
  opts: AnalyzeOptions,
  io: CommandIo,
): Promise<number> {
  const err = (line: string): void => void io.stderr.write(line + "\n");
  // Open every output before reading anything: a path that cannot be written is a usage
  // error, found before minutes of analysis rather than after.
  const outputs = openOutputs(opts.outputs, io);
  if (typeof outputs === "string") {
    err(outputs);
    return EXIT_USAGE;
  }
  const at: RunProgress = {
    path: undefined,
    input: 0,
    inputs: 0,
    packets: () => 0,
    read: false,
    line: undefined,
  };
  // Runs inside the handler that ends the process right after (a signal, stdout failed): the
  // output files not yet in place are removed (the destinations stay as they were) and, after a
  // signal, the user is told where it stopped.
  const interrupted = (): void => {
    const left = outputs.discard();
    if ((opts.signal?.reason as StopReason | undefined) === "stdout-failed") return;
    at.line?.done();
    const packets = at.packets();
    const where =
      at.path === undefined
        ? "before reading the capture"
        : at.read
          ? `after reading all ${packets} packets`
          : at.inputs === 1
            ? `after ${packets} packets of ${escapeForTerminal(at.path)}`
            : `after ${packets} packets, in ${escapeForTerminal(at.path)} (input ${at.input} of ${at.inputs})`;
    err(`teardown: interrupted ${where}; ${left}`);
  };
  opts.signal?.addEventListener("abort", interrupted, { once: true });
  try {
    return await analyzeInto(outputs, at, args, opts, io);
  } catch (e) {
    if (!(e instanceof OutputFailed)) throw e;
    err(e.message);
    return EXIT_OUTPUT;
  } finally {
    opts.signal?.removeEventListener("abort", interrupted);
    // After an error nothing half-written is left behind (nothing is removed once in place).
    outputs.discard();
  }
}

async function analyzeInto(
  outputs: OpenOutputs,
  at: RunProgress,
  args: readonly string[],
  opts: AnalyzeOptions,
  io: CommandIo,
): Promise<number> {
  const err = (line: string): void => void io.stderr.write(line + "\n");
  // Directories and globs expanded, then every file in the order of its first packet.
  const set = expandInputs(args);
  for (const s of set.skipped)
    err(`teardown: warning: ${escapeForTerminal(s.path)}: skipped, not a capture (${s.why})`);
  for (const u of set.unmatched) err(`teardown: ${escapeForTerminal(u)}: no capture file matches`);
  const clash = outputs.overwrites(set.paths);
  if (clash !== undefined) {
    err(clash);
    return EXIT_USAGE;
  }
  const paths = orderByFirstPacket(set.paths);
  const records = outputs.records;
  const recordFormat = records?.format;
  // Flow records are written as bytes and handed over in chunks, here or by the analysis thread.
  const recordWriter = recordFormat === undefined ? undefined : new FlowRecordWriter(recordFormat);
  if (recordFormat === "json")
    records?.writer.line(`{"schema":${JSON.stringify(JSON_SCHEMA)},"flows":[`);
  // A conn.log's header names the time of its first packet: written before the first row.
  let zeekHeader = recordFormat !== "zeek";
  const beforeRecords = (): void => {
    if (zeekHeader) return;
    zeekHeader = true;
    records?.writer.line(zeekConnLogHeader(analyzer.startEpoch).trimEnd());
  };
  const batch = new FlowBatchWriter(
    BATCH_FLOWS,
    opts.report === undefined ? undefined : LADDER_PACKETS,
  );
  const threads = threadCount(paths, opts.threads);
  const thread =
    threads >= 2
      ? new AnalysisThread(
          opts.thresholds,
          opts.select,
          recordFormat,
          (chunk, written) => {
            beforeRecords();
            records?.writer.bytes(chunk, written);
          },
          (arrays) => batch.recycle(arrays),
          opts.report,
        )
      : undefined;
  const select = flowPredicate(opts.select);
  const analyzer: Analyzer = new Analyzer({
    thresholds: opts.thresholds,
    ...(opts.report !== undefined ? { report: opts.report } : {}),
    // With a thread, the selection is applied there (it needs the finished flow only).
    select: thread === undefined ? select : undefined,
    // And HTTP payload is parsed there too (see analysis-thread.ts).
    ...(thread !== undefined ? { appForward: thread.forward } : {}),
    handOff:
      thread === undefined
        ? undefined
        : (flow, captureEnd, baseSec) => {
            batch.add(flow, captureEnd);
            if (batch.full) thread.send(batch.take(baseSec), analyzer.startEpoch);
          },
    onFlow: (flow) => {
      if (records === undefined || recordWriter === undefined) return;
      beforeRecords();
      recordWriter.add(flow);
      const chunk = recordWriter.takeChunk();
      if (chunk !== undefined) records.writer.bytes(chunk, () => recordWriter.recycle(chunk));
    },
  });
  // What the decoding thread packed is unpacked into this, one segment at a time.
  const decoded = newDecodedPacket();
  const counts = new DecodeCounts();
  const files: FileReadResult[] = [];
  const spans: FileSpan[] = [];
  const progress = opts.progress
    ? new ProgressLine(io.stderr, paths.length, totalSize(paths))
    : undefined;
  // With a third thread, files (not stdin: it is read here) are read and decoded there, and
  // this one only tracks.
  const decoder =
    threads === 3 && !paths.includes("-") && paths.length > 0 ? new DecodeThread(paths) : undefined;
  // Packets of the files read whole, and of the file being read as of its last input chunk:
  // each file is counted apart and its counts added to the capture's at its end.
  let packetsBefore = 0;
  let packetsInFile = 0;
  at.packets = () => packetsBefore + packetsInFile;
  at.line = progress;
  let bytesBefore = 0;
  let lastTurn = Date.now();
  // Between slices of work (input chunks, then slices of the flows still alive at the end):
  // stop if an output file failed (a full disk), wait for the outputs and the analysis thread,
  // and give the event loop a turn now and then: the work is otherwise one synchronous loop, in
  // which a signal (Ctrl-C) would wait for the end.
  const pause = (): Promise<void> | undefined => {
    const failed = outputs.failure();
    if (failed !== undefined) throw new OutputFailed(failed);
    const now = Date.now();
    const wait = thread?.ready() ?? records?.writer.ready();
    if (wait === undefined && now - lastTurn < TURN_MS) return undefined;
    lastTurn = now;
    return wait ?? setImmediate();
  };
  const betweenChunks = (index: number, rawBytes: number): Promise<void> | undefined => {
    progress?.update(index + 1, bytesBefore + rawBytes, at.packets(), analyzer.flowsSeen);
    return pause();
  };
  // Frames are numbered on across files, as if the files were one capture.
  let frameBase = 0;
  let summary: CaptureSummary;
  // The ladders and flow index of the HTML report (with opts.report).
  let reportFlows: ReportFlows | undefined;
  try {
    for (const [index, path] of paths.entries()) {
      at.path = path;
      at.input = index + 1;
      at.inputs = paths.length;
      const base = frameBase;
      const diagnostic = (d: CaptureDiagnostic): void => {
        progress?.done();
        err(formatDiagnosticLine(path, d));
      };
      const between = (rawBytes: number, packets: number): Promise<void> | undefined => {
        packetsInFile = packets;
        return betweenChunks(index, rawBytes);
      };
      const read =
        decoder !== undefined
          ? await decoder.read(
              index,
              {
                segments(b: PackedTcp): void {
                  for (let i = 0; i < b.count; i++) {
                    unpackTcp(decoded, b, i);
                    analyzer.packet(
                      base + packedFrame(b, i),
                      packedTsSec(b, i),
                      packedTsNsec(b, i),
                      decoded,
                    );
                  }
                },
                diagnostic,
                unsupportedLink: (linkType, fileOffset, frame) =>
                  err(formatUnsupportedLinkLine(path, linkType, fileOffset, frame)),
              },
              between,
            )
          : await readDecoded(
              path,
              {
                tcp: (rec, p) => analyzer.packet(base + rec.frame, rec.tsSec, rec.tsNsec, p),
                unsupportedLink: (rec) =>
                  err(formatUnsupportedLinkLine(path, rec.linkType, rec.fileOffset, rec.frame)),
                diagnostic,
              },
              io.stdin,
              between,
            );
      const result = read.result;
      spans.push(read.span);
      counts.merge(read.counts, base);
      packetsBefore += read.counts.total;
      packetsInFile = 0;
      files.push(result);
      bytesBefore += result.bytes;
      frameBase += result.packets;
    }
    at.read = true;
    progress?.done();
    await decoder?.close();
    // The flows still alive end a batch at a time, as fast as the analysis thread or the
    // outputs take them: all at once, a flood of live flows would wait in queued batches or
    // buffered records, a second copy of each.
    while (!analyzer.endSome(BATCH_FLOWS)) {
      const wait = pause();
      if (wait !== undefined) await wait;
    }
    summary = analyzer.finish();
    reportFlows = analyzer.reportFlows();
    if (thread !== undefined && batch.count > 0)
      thread.send(batch.take(analyzer.epochOf(0)), analyzer.startEpoch);
  } catch (e) {
    // A failed output or a bug: the analysis thread ends too (it would keep the process alive).
    progress?.done();
    await decoder?.close();
    await thread?.finish().catch(() => undefined);
    throw e;
  }
  if (thread !== undefined) ({ summary, reportFlows } = await thread.finish());
  if (analyzer.backwards > 0) {
    err(
      `teardown: warning: ${analyzer.backwards} TCP packets are timestamped earlier than a packet before them ` +
        `(first: frame ${analyzer.firstBackwardsFrame}); states are kept in packet order, durations may be off`,
    );
  }
  if (analyzer.evictedFlows > 0) {
    err(
      `teardown: warning: more than ${analyzer.maxLiveFlows} connections were alive at once; ` +
        `${analyzer.evictedFlows} were finished early, the quietest first (--max-live-connections)`,
    );
  }
  let frameOffset = 0;
  const capture: CaptureInfo = {
    files: files.map((f, i) => {
      const span = spans[i] ?? new FileSpan();
      const previous = i > 0 ? spans[i - 1] : undefined;
      const info = {
        path: f.path,
        packets: f.packets,
        damaged: f.damaged,
        gzip: f.gzip,
        first: span.first(),
        last: span.last(),
        linkTypes: span.linkTypes,
        diagnostics: span.diagnostics,
        frameOffset,
        // Seconds from the previous file's last packet to this one's first: time the set does
        // not cover (or, negative, files that overlap).
        gapBefore:
          previous === undefined || previous.count === 0 || span.count === 0
            ? null
            : Math.round((span.firstEpoch() - previous.lastEpoch()) * 1e6) / 1e6,
      };
      frameOffset += f.packets;
      return info;
    }),
    packets: counts.total,
    tcpPackets: counts.byStatus.tcp,
    notDecoded: { ...counts.byStatus, tcp: undefined },
    ...analyzerFacts(analyzer),
  };

  if (records !== undefined) {
    const rest = recordWriter?.takeChunk(true);
    if (rest !== undefined) records.writer.bytes(rest);
    // File names and examples quoted from packets: nothing a terminal would act on.
    const whole = terminalSafeJson(
      `"capture":${JSON.stringify(capture)},"summary":${JSON.stringify(summary)}}`,
    );
    if (recordFormat === "json") records.writer.line(`],${whole}`);
    else if (recordFormat === "ndjson")
      records.writer.line(`{"schema":${JSON.stringify(JSON_SCHEMA)},${whole}`);
    else {
      beforeRecords();
      records.writer.line(zeekConnLogFooter(capture.end).trimEnd());
    }
  }
  if (outputs.report !== undefined) {
    outputs.report.writer.line(
      renderReport(
        outputs.report.format,
        {
          capture,
          summary,
          version: opts.version,
          ...(reportFlows !== undefined ? { flows: reportFlows } : {}),
        },
        opts,
      ),
    );
  }
  if (outputs.html !== undefined) {
    // Loaded only now: the renderer brings d3-node and jsdom (see report/index.ts).
    const { renderHtmlReport } = await import("../../report/html/html-report.js");
    outputs.html.line(
      renderHtmlReport({
        capture,
        summary,
        version: opts.version,
        flows: reportFlows ?? { ladders: [], index: [], indexOmitted: summary.flows },
        ...(summary.netstat !== undefined ? { netstat: summary.netstat } : {}),
      }).trimEnd(),
    );
  }
  const unwritten = await outputs.close();
  if (unwritten !== undefined) {
    err(unwritten);
    return EXIT_OUTPUT;
  }

  if (files.some((f) => f.damaged) || set.unmatched.length > 0) return EXIT_INPUT;
  const failOn = opts.failOn;
  if (failOn !== undefined) {
    const hits = (Object.keys(summary.byKind) as FindingKind[]).filter((k) => failOn(k));
    if (hits.length > 0) {
      err(
        `teardown: failing (--fail-on): ${hits.map((k) => `${k} (${summary.byKind[k]})`).join(", ")}`,
      );
      return EXIT_FINDINGS;
    }
  }
  return EXIT_OK;
}

function renderReport(format: ReportFormat, input: ReportInput, opts: AnalyzeOptions): string {
  switch (format) {
    case "text":
      return formatBrief(input);
    case "markdown":
      return formatMarkdown(input);
    case "junit":
      // Without --fail-on, the warnings fail their test cases.
      return formatJunit(
        input,
        opts.failOn ?? ((kind) => FINDING_KINDS[kind].severity === "warning"),
      );
    default: {
      const never: never = format;
      return never;
    }
  }
}
