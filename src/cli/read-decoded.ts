/**
 * Reads one capture input and decodes every packet, counting them for the file's row of the
 * per-file table (FileSpan) and the capture's decode counts: what `teardown analyze` does with
 * each file, on the tracking thread or on the decoding thread (decode-worker.ts). The TCP
 * segments, the first packet of each link type not decoded and the diagnostics go to the sink,
 * in file order.
 */
import type { Readable } from "node:stream";
import type { CaptureDiagnostic, CaptureRecord } from "../capture/index.js";
import {
  DecodeCounts,
  decodePacket,
  newDecodedPacket,
  type DecodeCountsData,
  type DecodedPacket,
} from "../decode/index.js";
import { FileSpan } from "./file-span.js";
import { readCaptureInput, type FileReadResult } from "./read-capture.js";

export interface DecodedSink {
  /** A TCP segment (`p` and the record are valid during the call only). */
  tcp(rec: CaptureRecord, p: DecodedPacket): void;
  /** The first packet of a link type teardown does not decode. */
  unsupportedLink(rec: CaptureRecord): void;
  diagnostic(d: CaptureDiagnostic): void;
}

/** What one file gave, once read; its counts' frames are the file's own. */
export interface DecodedFile {
  readonly result: FileReadResult;
  readonly span: FileSpan;
  readonly counts: DecodeCountsData;
}

/**
 * Reads `path` (`-`: stdin) into `sink`; between input chunks, `between` is told the input's
 * bytes and the file's packets so far and may ask to wait.
 */
export async function readDecoded(
  path: string,
  sink: DecodedSink,
  stdin: Readable,
  between: (rawBytes: number, packets: number) => Promise<void> | undefined,
): Promise<DecodedFile> {
  const span = new FileSpan();
  const counts = new DecodeCounts();
  const decoded = newDecodedPacket();
  const result = await readCaptureInput(
    path,
    {
      packet(rec: CaptureRecord): void {
        span.add(rec.tsSec, rec.tsNsec, rec.linkType);
        decodePacket(decoded, rec.linkType, rec.buf, rec.offset, rec.capLen);
        if (counts.add(decoded, rec.frame)) sink.unsupportedLink(rec);
        if (decoded.status === "tcp") sink.tcp(rec, decoded);
      },
      diagnostic(d: CaptureDiagnostic): void {
        span.diagnostics++;
        sink.diagnostic(d);
      },
    },
    stdin,
    (rawBytes) => between(rawBytes, counts.total),
  );
  return { result, span, counts };
}
