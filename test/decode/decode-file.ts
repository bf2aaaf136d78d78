/**
 * Reads a whole capture file through the reader and the decoder, as the CLI does, for tests
 * that need decoded packets from real captures.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { CaptureReader, type CaptureRecord } from "../../src/capture/index.js";
import { decodePacket, newDecodedPacket, type DecodedPacket } from "../../src/decode/index.js";

/** A capture file's bytes, decompressed when they are gzip (told by the magic, as the CLI does). */
export function captureBytes(path: string): Uint8Array {
  const bytes: Uint8Array = readFileSync(path);
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

/**
 * Hands every record on with its decoded packet (one DecodedPacket, reused: valid during the
 * call); returns the reader once it has ended, for its counts and error.
 */
export function decodeAll(
  bytes: Uint8Array,
  onPacket: (rec: CaptureRecord, p: DecodedPacket) => void,
): CaptureReader {
  const decoded = newDecodedPacket();
  const reader = new CaptureReader({
    packet(rec: CaptureRecord): void {
      decodePacket(decoded, rec.linkType, rec.buf, rec.offset, rec.capLen);
      onPacket(rec, decoded);
    },
    diagnostic: () => undefined,
  });
  reader.push(bytes);
  reader.end();
  return reader;
}
