/**
 * The path the benchmark times: the CLI's byte source (`pumpInput`: synchronous 1 MiB reads
 * into one reused buffer) feeding a CaptureReader, and every packet decoded into one reused
 * DecodedPacket, as `src/cli/read-capture.ts` wires them. Counting TCP packets and payload
 * bytes keeps the decode from being optimised away, and lets the caller check the counts
 * against what the generator wrote.
 *
 * Two cut-down stages locate the time: `pump` (pumpInput alone, the sink only adding chunk
 * lengths) and `frame` (pumpInput + CaptureReader, the sink only adding record lengths).
 */
import { Readable } from "node:stream";
import {
  CaptureReader,
  type CaptureDiagnostic,
  type CaptureRecord,
  type CaptureSink,
} from "../src/capture/index.js";
import { decodePacket, newDecodedPacket } from "../src/decode/index.js";
import { pumpInput } from "../src/cli/byte-source.js";

export const STAGES = ["pump", "frame", "decode"] as const;
export type Stage = (typeof STAGES)[number];

export interface ReadDecodeResult {
  readonly stage: Stage;
  readonly fileBytes: number;
  readonly packets: number;
  readonly tcpPackets: number;
  readonly tcpPayloadBytes: number;
  readonly diagnostics: readonly CaptureDiagnostic[];
  readonly seconds: number;
}

class DecodingSink implements CaptureSink {
  private readonly out = newDecodedPacket();
  packets = 0;
  tcpPackets = 0;
  tcpPayloadBytes = 0;
  readonly diagnostics: CaptureDiagnostic[] = [];

  packet(rec: CaptureRecord): void {
    const out = this.out;
    decodePacket(out, rec.linkType, rec.buf, rec.offset, rec.capLen);
    this.packets++;
    if (out.status === "tcp") {
      this.tcpPackets++;
      this.tcpPayloadBytes += out.payloadLen;
    }
  }

  diagnostic(d: CaptureDiagnostic): void {
    this.diagnostics.push(d);
  }
}

class FramingSink implements CaptureSink {
  packets = 0;
  capturedBytes = 0;
  readonly diagnostics: CaptureDiagnostic[] = [];

  packet(rec: CaptureRecord): void {
    this.packets++;
    this.capturedBytes += rec.capLen;
  }

  diagnostic(d: CaptureDiagnostic): void {
    this.diagnostics.push(d);
  }
}

/** Never read: pumpInput only takes stdin for the path "-". */
const NO_STDIN = Readable.from([]);

/** The full path: pumpInput -> CaptureReader -> decodePacket for every packet. */
export async function readAndDecode(path: string): Promise<ReadDecodeResult> {
  const sink = new DecodingSink();
  const reader = new CaptureReader(sink);
  const t0 = process.hrtime.bigint();
  const pumped = await pumpInput(path, { push: (chunk) => reader.push(chunk) }, NO_STDIN);
  reader.end();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    stage: "decode",
    fileBytes: pumped.rawBytes,
    packets: sink.packets,
    tcpPackets: sink.tcpPackets,
    tcpPayloadBytes: sink.tcpPayloadBytes,
    diagnostics: sink.diagnostics,
    seconds,
  };
}

export async function runStage(stage: Stage, path: string): Promise<ReadDecodeResult> {
  if (stage === "decode") return readAndDecode(path);
  const sink = new FramingSink();
  let chunkBytes = 0;
  const reader = stage === "frame" ? new CaptureReader(sink) : undefined;
  const t0 = process.hrtime.bigint();
  const pumped = await pumpInput(
    path,
    reader === undefined
      ? { push: (chunk) => void (chunkBytes += chunk.length) }
      : { push: (chunk) => reader.push(chunk) },
    NO_STDIN,
  );
  reader?.end();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (chunkBytes + sink.capturedBytes === 0) throw new Error(`${path}: nothing read`);
  return {
    stage,
    fileBytes: pumped.rawBytes,
    packets: sink.packets,
    tcpPackets: 0,
    tcpPayloadBytes: 0,
    diagnostics: sink.diagnostics,
    seconds,
  };
}
