/**
 * Reads one capture input (file or stdin) through the capture reader into a sink, and says how
 * it went: packets read, warnings, and the error that stopped it, if any. Everything read before
 * an error has already reached the sink.
 */
import type { Readable } from "node:stream";
import { CaptureReader, type CaptureDiagnostic, type CaptureSink } from "../capture/index.js";
import { InputError, pumpInput, type PumpResult } from "./byte-source.js";

export interface FileReadResult {
  readonly path: string;
  readonly packets: number;
  readonly bytes: number;
  readonly gzip: boolean;
  readonly diagnostics: readonly CaptureDiagnostic[];
  /** True when an error stopped the reading before the end of the input. */
  readonly damaged: boolean;
}

export async function readCaptureInput(
  path: string,
  sink: CaptureSink,
  stdin: Readable,
  /** Between chunks, with the input's bytes read so far: back-pressure to wait for, if any. */
  ready?: (rawBytes: number) => Promise<void> | undefined,
): Promise<FileReadResult> {
  const diagnostics: CaptureDiagnostic[] = [];
  const reader = new CaptureReader({
    packet: sink.packet.bind(sink),
    diagnostic: (d) => {
      diagnostics.push(d);
      sink.diagnostic(d);
    },
    captureInterface: sink.captureInterface?.bind(sink),
    nonPacketFrame: sink.nonPacketFrame?.bind(sink),
  });
  let pumped: PumpResult;
  try {
    pumped = await pumpInput(path, { push: (c) => reader.push(c), ready }, stdin);
    if (pumped.inputError !== undefined) {
      // A gzip stream cut short is the compressed form of a capture cut short: the reader's end()
      // reports the partial last record, and this says why the input stopped.
      const d: CaptureDiagnostic = {
        code: "truncated-record",
        severity: "warning",
        message: `${pumped.inputError} after ${reader.bytesConsumed} decompressed bytes`,
        byteOffset: reader.bytesConsumed,
        record: undefined,
      };
      diagnostics.push(d);
      sink.diagnostic(d);
    }
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const d: CaptureDiagnostic = {
      code: "unreadable",
      severity: "error",
      message: `cannot read: ${e.message}`,
      byteOffset: 0,
      record: undefined,
    };
    diagnostics.push(d);
    sink.diagnostic(d);
    return { path, packets: 0, bytes: 0, gzip: false, diagnostics, damaged: true };
  }
  reader.end();
  return {
    path,
    packets: reader.packets,
    bytes: pumped.rawBytes,
    gzip: pumped.gzip,
    diagnostics,
    damaged: diagnostics.some((d) => d.severity === "error"),
  };
}
