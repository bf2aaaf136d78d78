import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  pcapFile,
  pcapFileHeader,
  pcapRecord,
  concatBytes,
} from "../../samples/tools/capture-writer.js";
import { readEveryWay } from "./read-helper.js";

const frame = (n: number, fill = 0xab): Uint8Array => new Uint8Array(n).fill(fill);

describe("classic pcap", () => {
  for (const littleEndian of [true, false]) {
    const order = littleEndian ? "little-endian" : "big-endian";

    it(`reads microsecond records (${order})`, () => {
      const spec = { littleEndian, linkType: 1, snapLen: 65535 };
      const r = readEveryWay(
        pcapFile(spec, [
          { tsSec: 1700000000, tsFrac: 123456, data: frame(60) },
          { tsSec: 1700000001, tsFrac: 999999, data: frame(1514, 1), origLen: 1514 },
        ]),
      );
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.packets.length, 2);
      assert.deepEqual(
        r.packets.map((p) => [p.frame, p.tsSec, p.tsNsec, p.capLen, p.linkType, p.fileOffset]),
        [
          [1, 1700000000, 123456000, 60, 1, 24],
          [2, 1700000001, 999999000, 1514, 1, 24 + 16 + 60],
        ],
      );
      assert.equal(
        r.packets[1]?.data.every((b) => b === 1),
        true,
      );
      assert.equal(r.interfaces[0]?.snapLen, 65535);
    });

    it(`keeps nanoseconds from a nanosecond file (${order})`, () => {
      const spec = { littleEndian, nanosecond: true, linkType: 101 };
      const r = readEveryWay(
        pcapFile(spec, [{ tsSec: 1234567890, tsFrac: 987654321, data: frame(40) }]),
      );
      assert.deepEqual(
        r.packets.map((p) => [p.tsSec, p.tsNsec, p.linkType]),
        [[1234567890, 987654321, 101]],
      );
    });
  }

  it("reads Kuznetzov's modified pcap (24-byte record headers)", () => {
    const spec = { modified: true, linkType: 1 };
    const r = readEveryWay(pcapFile(spec, [{ tsSec: 5, tsFrac: 6, data: frame(42, 7) }]));
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.packets[0]?.capLen, 42);
    assert.equal(
      r.packets[0]?.data.every((b) => b === 7),
      true,
    );
  });

  it("keeps a snaplen-cut record's wire length", () => {
    const spec = { linkType: 1, snapLen: 96 };
    const r = readEveryWay(
      pcapFile(spec, [{ tsSec: 1, tsFrac: 0, data: frame(96), origLen: 1514 }]),
    );
    assert.deepEqual([r.packets[0]?.capLen, r.packets[0]?.origLen], [96, 1514]);
  });

  it("reads a file with no records", () => {
    const r = readEveryWay(pcapFileHeader({ linkType: 1 }));
    assert.deepEqual([r.packets.length, r.diagnostics.length, r.interfaces.length], [0, 0, 1]);
  });

  it("warns when the last record is cut short, after delivering the others", () => {
    const spec = { linkType: 1 };
    const whole = pcapFile(spec, [
      { tsSec: 1, tsFrac: 0, data: frame(100) },
      { tsSec: 2, tsFrac: 0, data: frame(100) },
    ]);
    for (const cut of [whole.length - 1, whole.length - 50, whole.length - 100, 24 + 116 + 3]) {
      const r = readEveryWay(whole.subarray(0, cut));
      assert.equal(r.packets.length, 1, `cut at ${cut}`);
      assert.equal(r.diagnostics.length, 1);
      assert.equal(r.diagnostics[0]?.code, "truncated-record");
      assert.equal(r.diagnostics[0]?.severity, "warning");
      assert.equal(r.diagnostics[0]?.record, 2);
      assert.equal(r.diagnostics[0]?.byteOffset, 24 + 116);
    }
  });

  it("stops at an impossible record length, with the byte offset and record number", () => {
    const spec = { linkType: 1, snapLen: 65535 };
    const good = pcapRecord(spec, { tsSec: 1, tsFrac: 0, data: frame(60) });
    const bad = pcapRecord(spec, { tsSec: 2, tsFrac: 0, data: frame(8), capLenField: 0xfffffff0 });
    const r = readEveryWay(concatBytes([pcapFileHeader(spec), good, bad, good]));
    assert.equal(r.packets.length, 1);
    assert.equal(r.diagnostics.length, 1);
    const d = r.diagnostics[0];
    assert.equal(d?.code, "impossible-length");
    assert.equal(d?.severity, "error");
    assert.equal(d?.byteOffset, 24 + good.length);
    assert.equal(d?.record, 2);
  });

  it("accepts records up to 262144 bytes even when the snapshot length is smaller", () => {
    const spec = { linkType: 1, snapLen: 96 };
    const r = readEveryWay(pcapFile(spec, [{ tsSec: 1, tsFrac: 0, data: frame(262144) }]));
    assert.deepEqual([r.packets.length, r.diagnostics.length], [1, 0]);
  });

  it("rejects versions other than 2.x and reserved link-type bits", () => {
    const v1 = readEveryWay(pcapFileHeader({ linkType: 1, versionMajor: 1 }));
    assert.equal(v1.diagnostics[0]?.code, "unsupported-version");
    const reserved = readEveryWay(pcapFileHeader({ linkType: 0x00300001 }));
    assert.equal(reserved.diagnostics[0]?.code, "bad-file-header");
  });

  it("reports a header cut short", () => {
    const r = readEveryWay(pcapFileHeader({ linkType: 1 }).subarray(0, 10));
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity]),
      [["header-cut-short", "error"]],
    );
  });

  it("warns once when captured length exceeds the wire length", () => {
    const spec = { linkType: 1 };
    const r = readEveryWay(
      pcapFile(spec, [
        { tsSec: 1, tsFrac: 0, data: frame(60), origLen: 50 },
        { tsSec: 1, tsFrac: 0, data: frame(60), origLen: 50 },
      ]),
    );
    assert.equal(r.packets.length, 2);
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ["captured-exceeds-wire"],
    );
  });
});
