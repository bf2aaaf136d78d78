/**
 * Property tests: random bytes, and real captures with random damage, fed in random chunk
 * sizes, never make the reader or the decoder throw or hang, and every diagnostic is a
 * catalogued one.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CAPTURE_DIAGNOSTICS, CaptureReader } from "../../src/capture/index.js";
import { decodePacket, newDecodedPacket } from "../../src/decode/index.js";
import { epb, idb, pcapFileHeader, shb, concatBytes } from "../../samples/tools/capture-writer.js";
import { sampleCaptures } from "../differential/capture-files.js";

/** Reads and decodes everything; returns what was seen. Throws only if the code under test does. */
function readAndDecode(bytes: Uint8Array, chunk: number): { packets: number; codes: string[] } {
  const decoded = newDecodedPacket();
  const codes: string[] = [];
  let packets = 0;
  const reader = new CaptureReader({
    packet(rec) {
      packets++;
      assert.ok(
        rec.capLen >= 0 && rec.offset + rec.capLen <= rec.buf.length,
        "record bytes inside its buffer",
      );
      decodePacket(decoded, rec.linkType, rec.buf, rec.offset, rec.capLen);
    },
    diagnostic(d) {
      codes.push(d.code);
    },
  });
  for (let i = 0; i < bytes.length; i += chunk) reader.push(bytes.subarray(i, i + chunk));
  reader.end();
  return { packets, codes };
}

function assertCatalogued(codes: string[]): void {
  for (const c of codes) assert.ok(c in CAPTURE_DIAGNOSTICS, `uncatalogued diagnostic ${c}`);
  assert.ok(
    codes.filter(
      (c) => CAPTURE_DIAGNOSTICS[c as keyof typeof CAPTURE_DIAGNOSTICS].severity === "error",
    ).length <= 1,
  );
}

const seeds: Uint8Array[] = sampleCaptures()
  .filter((f) => !f.endsWith(".gz"))
  .map((f) => readFileSync(f).subarray(0, 16 * 1024));
seeds.push(pcapFileHeader({ linkType: 1 }));
seeds.push(
  concatBytes([
    shb(true),
    idb(true, { linkType: 1, tsresol: 9 }),
    epb(true, { interfaceId: 0, ticks: 1n, data: new Uint8Array(60) }),
  ]),
);
seeds.push(
  concatBytes([
    shb(false),
    idb(false, { linkType: 276 }),
    epb(false, { interfaceId: 0, ticks: 1n, data: new Uint8Array(80) }),
  ]),
);

/** A seed with a few bytes overwritten, a piece cut out, or cut short. */
const damaged = fc
  .record({
    seed: fc.constantFrom(...seeds),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
    cutAt: fc.option(fc.nat(), { nil: undefined }),
    removeAt: fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 64 })), { nil: undefined }),
  })
  .map(({ seed, edits, cutAt, removeAt }) => {
    let b: Uint8Array = Uint8Array.from(seed);
    for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v;
    if (removeAt !== undefined && b.length > 0) {
      const from = removeAt[0] % b.length;
      b = concatBytes([b.subarray(0, from), b.subarray(from + removeAt[1])]);
    }
    if (cutAt !== undefined && b.length > 0) b = b.subarray(0, cutAt % b.length);
    return b;
  });

const chunkSize = fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 64 }), fc.constant(65536));

describe("reader and decoder on hostile input", () => {
  it("random bytes never throw", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), chunkSize, (bytes, chunk) => {
        assertCatalogued(readAndDecode(bytes, chunk).codes);
      }),
      { numRuns: 500 },
    );
  });

  it("random bytes after a valid pcap or pcapng header never throw", () => {
    const heads = [
      pcapFileHeader({ linkType: 1 }),
      pcapFileHeader({ linkType: 276, littleEndian: false, nanosecond: true }),
      concatBytes([shb(true), idb(true, { linkType: 1 })]),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...heads),
        fc.uint8Array({ maxLength: 4096 }),
        chunkSize,
        (head, tail, chunk) => {
          assertCatalogued(readAndDecode(concatBytes([head, tail]), chunk).codes);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("damaged real captures never throw, and chunking never changes the outcome", () => {
    fc.assert(
      fc.property(damaged, chunkSize, (bytes, chunk) => {
        const whole = readAndDecode(bytes, bytes.length || 1);
        const chunked = readAndDecode(bytes, chunk);
        assertCatalogued(chunked.codes);
        assert.deepEqual(chunked, whole);
      }),
      { numRuns: 400 },
    );
  });
});
