/**
 * The npm package `pcap-parser` as an independent oracle for classic microsecond pcap: on every
 * such sample and corpus file, teardown's reader finds the same record boundaries, timestamps,
 * lengths and bytes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import pcapParser from "pcap-parser";
import { corpusCaptures, sampleCaptures } from "../differential/capture-files.js";
import { readBytes } from "./read-helper.js";

interface OraclePacket {
  header: {
    timestampSeconds: number;
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  };
  data: Buffer;
}

function isClassicMicrosecondPcap(bytes: Uint8Array): boolean {
  const magic = Buffer.from(bytes.subarray(0, 4)).toString("hex");
  return magic === "a1b2c3d4" || magic === "d4c3b2a1";
}

/** Everything pcap-parser emits for `bytes`, up to its end or its error. */
function oracle(bytes: Uint8Array): Promise<OraclePacket[]> {
  return new Promise((resolve) => {
    const packets: OraclePacket[] = [];
    const parser = pcapParser.parse(Readable.from([Buffer.from(bytes)]));
    parser.on("packet", (p: OraclePacket) => packets.push(p));
    parser.on("error", () => undefined);
    parser.on("end", () => resolve(packets));
  });
}

const files = [...sampleCaptures(), ...corpusCaptures()].filter(
  (f) => !f.endsWith(".gz") && isClassicMicrosecondPcap(readFileSync(f)),
);

describe("pcap-parser as oracle for classic pcap", () => {
  it("has classic microsecond files to compare", () => {
    assert.ok(files.length >= 40, `only ${files.length} classic pcap files found`);
  });

  for (const file of files) {
    it(basename(file), async () => {
      const bytes = readFileSync(file);
      const ours = readBytes(bytes, 65536);
      const theirs = await oracle(bytes);
      if (ours.diagnostics.some((d) => d.code === "unsupported-version")) {
        // pcap-parser's version check (`major != 2 && minor != 4`) lets 1.4 through; libpcap and
        // Wireshark reject it, and so does teardown.
        assert.notEqual(
          Buffer.from(bytes).readUInt16LE(4) === 2 || Buffer.from(bytes).readUInt16BE(4) === 2,
          true,
        );
        return;
      }
      // pcap-parser never rejects a record length: where teardown stops at an impossible one,
      // pcap-parser waits for bytes that never come, so it has emitted exactly the same records.
      assert.equal(ours.packets.length, theirs.length, "record count");
      ours.packets.forEach((p, i) => {
        const t = theirs[i];
        assert.ok(t !== undefined);
        assert.deepEqual(
          [p.tsSec, p.tsNsec, p.capLen, p.origLen],
          [
            t.header.timestampSeconds,
            t.header.timestampMicroseconds * 1000,
            t.header.capturedLength,
            t.header.originalLength,
          ],
          `record ${i + 1}`,
        );
        assert.deepEqual(Buffer.from(p.data), t.data, `record ${i + 1} bytes`);
      });
    });
  }
});
