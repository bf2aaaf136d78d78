/**
 * The decoding thread of `teardown analyze` (see decode-thread.ts): reads the files of a capture
 * set one after another, frames and decodes every packet, counts them (per file: DecodeCounts and
 * FileSpan), and sends the TCP segments packed (decode/packed-tcp.ts), a batch per input chunk,
 * with the file's diagnostics in their place between batches. At most a few batches are in
 * flight: past that it waits for batches to come back, so a fast reader does not pile packets up
 * in memory.
 */
import { Readable } from "node:stream";
import { parentPort } from "node:worker_threads";
import type { CaptureDiagnostic, CaptureRecord } from "../capture/index.js";
import { PackedTcpWriter, type DecodedPacket, type PackedTcp } from "../decode/index.js";
import { readDecoded, type DecodedFile } from "./read-decoded.js";

/** To the decoding thread: a file to read (in the order sent), or a batch given back. */
export type ToDecode =
  { type: "file"; index: number; path: string } | { type: "recycle"; batch: PackedTcp };

/** From the decoding thread, in file order. */
export type FromDecode =
  | { type: "packets"; index: number; batch: PackedTcp; rawBytes: number; packets: number }
  | { type: "diagnostic"; index: number; diagnostic: CaptureDiagnostic }
  | { type: "unsupported-link"; index: number; linkType: number; fileOffset: number; frame: number }
  | ({ type: "done"; index: number } & DecodedFile);

/** Segments and payload bytes per batch: an input chunk (1 MiB) normally fits in one. */
const BATCH_SEGMENTS = 4096;
const BATCH_PAYLOAD_BYTES = 2 << 20;
/** Batches sent and not yet given back before reading waits. */
const MAX_IN_FLIGHT = 4;

const port = parentPort;
if (port === null) throw new Error("decode-worker.js runs as a worker thread");

const files: { index: number; path: string }[] = [];
const spare: PackedTcp[] = [];
let inFlight = 0;
let wake: (() => void) | undefined;
let reading = false;
const writer = new PackedTcpWriter(BATCH_SEGMENTS, BATCH_PAYLOAD_BYTES);
// Inputs are files: readCaptureInput reads stdin only for "-", which never comes here.
const noStdin = Readable.from([]);

function send(message: FromDecode, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function readFile(index: number, path: string): Promise<void> {
  // How far the file got, as of the last input chunk (for the progress line).
  let rawBytes = 0;
  let packets = 0;
  const flush = (): void => {
    if (writer.count === 0) return;
    const batch = writer.take(spare.pop());
    inFlight++;
    send({ type: "packets", index, batch, rawBytes, packets }, [
      batch.fields.buffer as ArrayBuffer,
      batch.payload.buffer as ArrayBuffer,
    ]);
  };
  const { result, span, counts } = await readDecoded(
    path,
    {
      tcp(rec: CaptureRecord, p: DecodedPacket): void {
        if (!writer.fits(Math.min(p.capturedPayloadLen, p.payloadLen))) flush();
        writer.add(rec.frame, rec.tsSec, rec.tsNsec, p);
      },
      unsupportedLink(rec: CaptureRecord): void {
        // Reported where it happened: after the segments before it.
        flush();
        send({
          type: "unsupported-link",
          index,
          linkType: rec.linkType,
          fileOffset: rec.fileOffset,
          frame: rec.frame,
        });
      },
      diagnostic(d: CaptureDiagnostic): void {
        flush();
        send({ type: "diagnostic", index, diagnostic: d });
      },
    },
    noStdin,
    (raw, read) => {
      rawBytes = raw;
      packets = read;
      flush();
      if (inFlight < MAX_IN_FLIGHT) return undefined;
      return new Promise<void>((resolve) => {
        wake = resolve;
      });
    },
  );
  rawBytes = result.bytes;
  packets = counts.total;
  flush();
  send({ type: "done", index, result, span, counts });
}

async function readFiles(): Promise<void> {
  reading = true;
  for (let next = files.shift(); next !== undefined; next = files.shift())
    await readFile(next.index, next.path);
  reading = false;
}

port.on("message", (m: ToDecode) => {
  if (m.type === "file") {
    files.push(m);
    if (!reading) void readFiles();
    return;
  }
  inFlight--;
  spare.push(m.batch);
  if (wake !== undefined && inFlight < MAX_IN_FLIGHT) {
    const resume = wake;
    wake = undefined;
    resume();
  }
});
