/**
 * The fuzz target: the whole pipeline from the bytes of a capture file, as `teardown analyze`
 * runs it (format detection and the pcap/pcapng reader, the decoder, the flow tracker with its
 * HTTP and TLS sniffing, the analyzer, and the JSON, NDJSON, Zeek, brief, Markdown and JUnit
 * renderers), with the oracle that says when something went wrong.
 *
 * What counts as a failure (anything else the pipeline does with hostile bytes is fine):
 * - any exception: the reader reports bad input as diagnostics, never by throwing, and nothing
 *   above it may throw on what the reader delivered;
 * - a diagnostic that is not the documented kind: uncatalogued code, wrong severity, more than one
 *   line, more than one error, or anything delivered after the error;
 * - a record outside its buffer or over the hard limit, packets out of order, more packets than
 *   the file can hold records, or different results for the same bytes pushed in other chunks;
 * - a decoded packet with a field out of its documented range;
 * - output that is not what its format promises (JSON that does not parse, a Zeek row with the
 *   wrong number of fields, raw control characters in the terminal brief or Markdown, JUnit XML
 *   that is not well-formed);
 * - an allocation out of proportion to the input (the allocation guard).
 * Hangs and memory exhaustion are caught outside, by the engine's watchdog.
 */
import { XMLValidator } from "fast-xml-parser";
import { Analyzer, DEFAULT_REPORT_FLOW_OPTIONS, FINDING_KINDS } from "../../src/analysis/index.js";
import {
  CAPTURE_DIAGNOSTICS,
  CaptureReader,
  HARD_MAX_PACKET,
  type CaptureDiagnostic,
  type CaptureRecord,
} from "../../src/capture/index.js";
import {
  DECODE_PROBLEMS,
  DecodeCounts,
  decodePacket,
  newDecodedPacket,
  type DecodedPacket,
} from "../../src/decode/index.js";
import {
  analyzerFacts,
  formatBrief,
  formatDiagnosticLine,
  formatJunit,
  formatMarkdown,
  FlowRecordWriter,
  ZEEK_CONN_FIELDS,
  type CaptureInfo,
  type ReportInput,
} from "../../src/report/index.js";
import { beginWatch, endWatch, type WatchResult } from "./alloc-guard.js";

/** A broken promise of the pipeline (as opposed to an exception it threw). */
export class OracleFailure extends Error {
  constructor(
    readonly check: string,
    detail: string,
  ) {
    super(`${check}: ${detail}`);
    this.name = "OracleFailure";
  }
}

function fail(check: string, detail: string): never {
  throw new OracleFailure(check, detail);
}

/**
 * Largest allocation allowed whatever the input: the flow layer's fixed tables and the report
 * writers' buffers stay well under it; a length field honoured up to the hard packet limit
 * (16 MiB) does not.
 */
export const ALLOCATION_FLOOR = 4 * 1024 * 1024;
/** Above the floor, an allocation may be this many times the input's size (a copy, a table per byte). */
export const ALLOCATION_PER_INPUT_BYTE = 8;

export function allocationLimit(inputLength: number): number {
  return Math.max(ALLOCATION_FLOOR, ALLOCATION_PER_INPUT_BYTE * inputLength);
}

export interface TargetResult {
  readonly format: string;
  readonly packets: number;
  readonly tcpPackets: number;
  readonly flows: number;
  readonly diagnostics: readonly string[];
  readonly chunkSize: number;
  readonly largestAllocation: number;
}

const FILE_NAME = "fuzz.pcap";

/** What one pass of the reader gave, to compare passes pushed in different chunk sizes. */
interface ReadTrace {
  packets: number;
  digest: number;
  diagnostics: string[];
}

/** FNV-1a step over a 32-bit value. */
function mix(h: number, v: number): number {
  let x = h;
  for (let i = 0; i < 4; i++) {
    x ^= (v >>> (i * 8)) & 0xff;
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}

function fnv(bytes: Uint8Array, limit: number): number {
  let h = 0x811c9dc5;
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; i++) h = Math.imul(h ^ (bytes[i] ?? 0), 0x01000193) >>> 0;
  return mix(h, bytes.length);
}

/** The chunk size the pipeline pass pushes `bytes` in: chosen by the input, so runs repeat. */
export function chunkSizeFor(bytes: Uint8Array): number {
  const small = [1, 3, 7, 64, 4096, 1 << 20];
  const large = [7, 61, 1500, 4096, 65536, 1 << 20];
  const choices = bytes.length <= 8192 ? small : large;
  return choices[fnv(bytes, 4096) % choices.length] as number;
}

/** Most packets a file of `length` bytes can hold, by the smallest record of its format. */
function maxRecords(format: string, length: number): number {
  if (format === "pcap") return Math.max(0, Math.floor((length - 24) / 16));
  if (format === "pcapng") return Math.floor(length / 16);
  return 0;
}

/** Checks one record as delivered and folds it into the trace. */
function traceRecord(trace: ReadTrace, rec: CaptureRecord, inputLength: number): void {
  if (
    !Number.isInteger(rec.capLen) ||
    rec.capLen < 0 ||
    rec.capLen > HARD_MAX_PACKET ||
    rec.capLen > inputLength
  )
    fail("record-length", `frame ${rec.frame}: captured length ${rec.capLen}`);
  if (!Number.isInteger(rec.offset) || rec.offset < 0 || rec.offset + rec.capLen > rec.buf.length)
    fail("record-bounds", `frame ${rec.frame}: bytes [${rec.offset}, +${rec.capLen}) outside`);
  if (!Number.isFinite(rec.tsSec) || !Number.isFinite(rec.tsNsec) || rec.tsNsec < 0)
    fail("record-time", `frame ${rec.frame}: time ${rec.tsSec}.${rec.tsNsec}`);
  if (!Number.isInteger(rec.fileOffset) || rec.fileOffset < 0 || rec.fileOffset >= inputLength)
    fail("record-offset", `frame ${rec.frame}: file offset ${rec.fileOffset}`);
  let h = trace.digest;
  for (const v of [rec.frame, rec.fileOffset, rec.interfaceId, rec.linkType, rec.capLen]) {
    h = mix(h, v);
  }
  h = mix(mix(h, rec.origLen), rec.snapLen);
  h = mix(mix(h, rec.tsSec >>> 0), rec.tsNsec >>> 0);
  const end = rec.offset + rec.capLen;
  for (let i = rec.offset; i < end && i < rec.offset + 64; i++) h = mix(h, rec.buf[i] ?? 0);
  trace.digest = h;
  trace.packets++;
}

function checkDiagnostic(d: CaptureDiagnostic, inputLength: number, errorSeen: boolean): void {
  if (errorSeen) fail("diagnostic-after-error", `${d.code} after the error that ended the file`);
  const info = (CAPTURE_DIAGNOSTICS as Record<string, { severity: string } | undefined>)[d.code];
  if (info === undefined) fail("diagnostic-code", `uncatalogued code ${d.code}`);
  if (info.severity !== d.severity) fail("diagnostic-severity", `${d.code} as ${d.severity}`);
  if (/[\r\n]/.test(d.message) || d.message.length === 0)
    fail("diagnostic-line", `${d.code}: ${JSON.stringify(d.message)}`);
  if (!Number.isInteger(d.byteOffset) || d.byteOffset < 0 || d.byteOffset > inputLength)
    fail("diagnostic-offset", `${d.code} at byte ${d.byteOffset} of ${inputLength}`);
  if (d.record !== undefined && !(Number.isInteger(d.record) && d.record >= 0))
    fail("diagnostic-record", `${d.code} record ${d.record}`);
  const line = formatDiagnosticLine(FILE_NAME, d);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(line) || !line.includes(` at byte ${d.byteOffset}`))
    fail("diagnostic-line", JSON.stringify(line));
}

const U32 = 0xffffffff;
const isUint = (n: number, max: number): boolean => Number.isInteger(n) && n >= 0 && n <= max;

/** The decoded fields' documented ranges (test/decode/property.test.ts has the full set). */
function checkDecoded(p: DecodedPacket, rec: CaptureRecord): void {
  const problem = (DECODE_PROBLEMS as Record<string, { status: string | null } | undefined>)[
    p.problem
  ];
  if (problem === undefined) fail("decode-problem", `unknown problem ${p.problem}`);
  const problemExpected = p.status === "truncated" || p.status === "malformed";
  if (
    (p.problem !== "none") !== problemExpected ||
    (problemExpected && problem.status !== p.status)
  )
    fail("decode-problem", `frame ${rec.frame}: ${p.status} with ${p.problem}`);
  if (!isUint(p.ipPayloadLen, U32) || !isUint(p.payloadLen, U32))
    fail("decode-length", `frame ${rec.frame}: ip ${p.ipPayloadLen}, payload ${p.payloadLen}`);
  if (p.status !== "tcp") return;
  if (
    p.tcpHeaderLen < 20 ||
    p.tcpHeaderLen > 60 ||
    p.payloadLen + p.tcpHeaderLen !== p.ipPayloadLen
  )
    fail("decode-tcp", `frame ${rec.frame}: header ${p.tcpHeaderLen}, payload ${p.payloadLen}`);
  if (p.capturedPayloadLen > p.payloadLen || !isUint(p.capturedPayloadLen, U32))
    fail("decode-captured", `frame ${rec.frame}: captured payload ${p.capturedPayloadLen}`);
  if (
    p.capturedPayloadLen > 0 &&
    (p.payloadOffset < rec.offset ||
      p.payloadOffset + p.capturedPayloadLen > rec.offset + rec.capLen ||
      p.bytes !== rec.buf)
  )
    fail("decode-payload-bounds", `frame ${rec.frame}: payload outside its record`);
  if (!p.truncated && p.capturedPayloadLen !== p.payloadLen)
    fail("decode-captured", `frame ${rec.frame}: untruncated payload cut`);
}

/** Reads `bytes` with the reader alone, in one push: the reference the pipeline pass must match. */
function readOnly(bytes: Uint8Array): ReadTrace {
  const trace: ReadTrace = { packets: 0, digest: 0x811c9dc5, diagnostics: [] };
  let errorSeen = false;
  const reader = new CaptureReader({
    packet(rec) {
      if (errorSeen) fail("packet-after-error", `frame ${rec.frame}`);
      traceRecord(trace, rec, bytes.length);
    },
    diagnostic(d) {
      checkDiagnostic(d, bytes.length, errorSeen);
      if (d.severity === "error") errorSeen = true;
      trace.diagnostics.push(`${d.code}@${d.byteOffset}#${d.record ?? "-"}: ${d.message}`);
    },
  });
  reader.push(bytes);
  reader.end();
  return trace;
}

// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function checkText(format: string, text: string): void {
  const m = TERMINAL_UNSAFE.exec(text);
  if (m !== null) fail(`output-control-char/${format}`, `raw U+${m[0].charCodeAt(0).toString(16)}`);
}

/**
 * JSON that does not parse, named by the member whose value broke it (so two different bugs get
 * two signatures), with the text around the error.
 */
function badJson(check: string, text: string, e: Error): never {
  const at = Number(/position (\d+)/.exec(e.message)?.[1] ?? text.length);
  const member = /"([^"\\]{1,40})":[^"]*$/.exec(text.slice(Math.max(0, at - 200), at))?.[1];
  const near = JSON.stringify(text.slice(Math.max(0, at - 40), at + 20));
  fail(`${check} in "${member ?? "?"}"`, `${e.message}, near ${near}`);
}

function takeText(writer: FlowRecordWriter): string {
  const chunk = writer.takeChunk(true);
  return chunk === undefined ? "" : Buffer.from(chunk).toString("utf8");
}

/** Runs the whole pipeline over `bytes`; throws on any failure (see the file's comment). */
export function runTarget(bytes: Uint8Array): TargetResult {
  beginWatch(allocationLimit(bytes.length));
  let result: TargetResult;
  let watch: WatchResult;
  try {
    result = pipeline(bytes);
  } finally {
    watch = endWatch();
  }
  if (watch.offender !== undefined)
    fail("allocation-cap", watch.offender.stack ?? watch.offender.message);
  return { ...result, largestAllocation: watch.largest };
}

function pipeline(bytes: Uint8Array): TargetResult {
  const reference = readOnly(bytes);

  const chunkSize = chunkSizeFor(bytes);
  const trace: ReadTrace = { packets: 0, digest: 0x811c9dc5, diagnostics: [] };
  const decoded = newDecodedPacket();
  const counts = new DecodeCounts();
  const writers = [
    new FlowRecordWriter("json"),
    new FlowRecordWriter("ndjson"),
    new FlowRecordWriter("zeek"),
  ] as const;
  let flowsOut = 0;
  const analyzer = new Analyzer({
    report: DEFAULT_REPORT_FLOW_OPTIONS,
    onFlow: (flow) => {
      flowsOut++;
      for (const w of writers) w.add(flow);
    },
  });
  let errorSeen = false;
  let lastFrame = 0;
  let lastOffset = -1;
  const reader = new CaptureReader({
    packet(rec) {
      if (errorSeen) fail("packet-after-error", `frame ${rec.frame}`);
      if (rec.frame <= lastFrame || rec.fileOffset <= lastOffset)
        fail("record-order", `frame ${rec.frame} at ${rec.fileOffset} after ${lastFrame}`);
      lastFrame = rec.frame;
      lastOffset = rec.fileOffset;
      traceRecord(trace, rec, bytes.length);
      decodePacket(decoded, rec.linkType, rec.buf, rec.offset, rec.capLen);
      checkDecoded(decoded, rec);
      counts.add(decoded, rec.frame);
      if (decoded.status === "tcp") analyzer.packet(rec.frame, rec.tsSec, rec.tsNsec, decoded);
    },
    diagnostic(d) {
      checkDiagnostic(d, bytes.length, errorSeen);
      if (d.severity === "error") errorSeen = true;
      trace.diagnostics.push(`${d.code}@${d.byteOffset}#${d.record ?? "-"}: ${d.message}`);
    },
  });
  // Each chunk goes through one reused buffer, as the file reader does: a reader that kept a
  // reference to an earlier chunk would see it overwritten.
  const scratch = new Uint8Array(Math.min(chunkSize, Math.max(1, bytes.length)));
  for (let i = 0; i < bytes.length; i += chunkSize) {
    const part = bytes.subarray(i, i + chunkSize);
    scratch.set(part);
    reader.push(scratch.subarray(0, part.length));
  }
  reader.end();

  if (
    trace.packets !== reference.packets ||
    trace.digest !== reference.digest ||
    trace.diagnostics.join("\n") !== reference.diagnostics.join("\n")
  )
    fail(
      "chunking",
      `chunks of ${chunkSize}: ${trace.packets} packets, [${trace.diagnostics.join("; ")}]; ` +
        `one push: ${reference.packets} packets, [${reference.diagnostics.join("; ")}]`,
    );
  const format = reader.format?.kind ?? "none";
  if (reader.packets !== trace.packets || counts.total !== trace.packets)
    fail("packet-count", `reader ${reader.packets}, delivered ${trace.packets}`);
  if (trace.packets > maxRecords(format, bytes.length))
    fail("packet-count", `${trace.packets} packets from ${bytes.length} bytes of ${format}`);
  if (reader.bytesConsumed > bytes.length)
    fail("bytes-consumed", `${reader.bytesConsumed} of ${bytes.length}`);
  if (analyzer.tcpPackets !== counts.byStatus.tcp)
    fail("tcp-count", `analyzer ${analyzer.tcpPackets}, decoder ${counts.byStatus.tcp}`);

  const summary = analyzer.finish();
  const reportFlows = analyzer.reportFlows();
  if (summary.flows !== flowsOut || flowsOut > counts.byStatus.tcp)
    fail(
      "flow-count",
      `summary ${summary.flows}, handed out ${flowsOut}, tcp ${counts.byStatus.tcp}`,
    );

  const capture: CaptureInfo = {
    files: [
      {
        path: FILE_NAME,
        packets: reader.packets,
        damaged: reader.error !== undefined,
        gzip: false,
        frameOffset: 0,
        diagnostics: trace.diagnostics.length,
        first: null,
        last: null,
        linkTypes: [],
        gapBefore: null,
      },
    ],
    packets: counts.total,
    tcpPackets: counts.byStatus.tcp,
    notDecoded: { ...counts.byStatus, tcp: undefined },
    ...analyzerFacts(analyzer),
  };
  const input: ReportInput = {
    capture,
    summary,
    version: "0.0.0-fuzz",
    ...(reportFlows !== undefined ? { flows: reportFlows } : {}),
  };

  const [json, ndjson, zeek] = writers.map(takeText) as [string, string, string];
  const whole = `"capture":${JSON.stringify(capture)},"summary":${JSON.stringify(summary)}}`;
  const docText = `{"schema":"teardown/1","flows":[${json}],${whole}`;
  let doc: { flows?: unknown[] };
  try {
    doc = JSON.parse(docText) as { flows?: unknown[] };
  } catch (e) {
    badJson("output-json", docText, e as Error);
  }
  if (doc.flows?.length !== flowsOut)
    fail("output-json-flows", `${doc.flows?.length} flows in the document, ${flowsOut} handed out`);
  for (const line of ndjson.split("\n")) {
    if (line === "") continue;
    try {
      JSON.parse(line);
    } catch (e) {
      badJson("output-ndjson", line, e as Error);
    }
  }
  for (const row of zeek.split("\n")) {
    if (row === "") continue;
    const fields = row.split("\t").length;
    if (fields !== ZEEK_CONN_FIELDS.length)
      fail("output-zeek", `${fields} fields, not ${ZEEK_CONN_FIELDS.length}`);
    checkText("zeek", row.replaceAll("\t", " "));
  }
  checkText("brief", formatBrief(input));
  checkText("markdown", formatMarkdown(input));
  const junit = formatJunit(input, (kind) => FINDING_KINDS[kind].severity === "warning");
  const valid = XMLValidator.validate(junit);
  if (valid !== true) fail("output-junit", JSON.stringify(valid.err));

  return {
    format,
    packets: trace.packets,
    tcpPackets: counts.byStatus.tcp,
    flows: flowsOut,
    diagnostics: trace.diagnostics.map((d) => d.slice(0, d.indexOf("@"))),
    chunkSize,
    largestAllocation: 0,
  };
}
