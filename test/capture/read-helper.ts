import assert from "node:assert/strict";
import {
  CaptureReader,
  type CaptureDiagnostic,
  type CaptureInterface,
  type CaptureRecord,
} from "../../src/capture/index.js";

export interface ReadPacket {
  frame: number;
  fileOffset: number;
  interfaceId: number;
  linkType: number;
  tsSec: number;
  tsNsec: number;
  capLen: number;
  origLen: number;
  data: number[];
}

export interface ReadResult {
  packets: ReadPacket[];
  diagnostics: CaptureDiagnostic[];
  interfaces: CaptureInterface[];
}

/** Chunk sizes every reader test is run with: byte by byte, odd, and large. */
export const CHUNK_SIZES = [1, 7, 65536] as const;

export function readBytes(bytes: Uint8Array, chunkSize = bytes.length || 1): ReadResult {
  const result: ReadResult = { packets: [], diagnostics: [], interfaces: [] };
  const reader = new CaptureReader({
    packet(rec: CaptureRecord) {
      result.packets.push({
        frame: rec.frame,
        fileOffset: rec.fileOffset,
        interfaceId: rec.interfaceId,
        linkType: rec.linkType,
        tsSec: rec.tsSec,
        tsNsec: rec.tsNsec,
        capLen: rec.capLen,
        origLen: rec.origLen,
        data: Array.from(rec.buf.subarray(rec.offset, rec.offset + rec.capLen)),
      });
    },
    diagnostic(d) {
      result.diagnostics.push(d);
    },
    captureInterface(iface) {
      result.interfaces.push({ ...iface });
    },
  });
  // Each chunk goes through one reused buffer, as the file reader does, so a reader that kept a
  // reference to an old chunk would see it overwritten.
  const scratch = new Uint8Array(chunkSize);
  for (let i = 0; i < bytes.length; i += chunkSize) {
    const part = bytes.subarray(i, i + chunkSize);
    scratch.set(part);
    reader.push(scratch.subarray(0, part.length));
  }
  reader.end();
  return result;
}

/** Reads `bytes` whole and in every CHUNK_SIZES chunking, asserts all agree, returns the result. */
export function readEveryWay(bytes: Uint8Array): ReadResult {
  const whole = readBytes(bytes);
  for (const size of CHUNK_SIZES) {
    assert.deepEqual(readBytes(bytes, size), whole, `chunks of ${size} bytes differ from one read`);
  }
  return whole;
}
