import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  concatBytes,
  epb,
  idb,
  otherBlock,
  pb,
  shb,
  spb,
} from "../../samples/tools/capture-writer.js";
import { readEveryWay } from "./read-helper.js";

const data = (n: number, fill = 0x5a): Uint8Array => new Uint8Array(n).fill(fill);

// gopacket runs its pcapng tests over both byte orders; so do these.
for (const le of [true, false]) {
  const order = le ? "little-endian" : "big-endian";

  describe(`pcapng (${order})`, () => {
    it("reads enhanced packet blocks with the default microsecond resolution", () => {
      const r = readEveryWay(
        concatBytes([
          shb(le),
          idb(le, { linkType: 1, snapLen: 65535, name: "eth0" }),
          epb(le, { interfaceId: 0, ticks: 1700000000123456n, data: data(61) }),
        ]),
      );
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(
        r.packets.map((p) => [p.frame, p.tsSec, p.tsNsec, p.capLen, p.linkType]),
        [[1, 1700000000, 123456000, 61, 1]],
      );
      assert.equal(r.interfaces[0]?.name, "eth0");
    });

    it("keeps every nanosecond of a 10^-9 resolution (past 2^53 ticks)", () => {
      const r = readEveryWay(
        concatBytes([
          shb(le),
          idb(le, { linkType: 101, tsresol: 9 }),
          epb(le, { interfaceId: 0, ticks: 1700000000987654321n, data: data(40) }),
          epb(le, { interfaceId: 0, ticks: 18446744073709551615n, data: data(40) }),
        ]),
      );
      assert.deepEqual(
        r.packets.map((p) => [p.tsSec, p.tsNsec]),
        [
          [1700000000, 987654321],
          [18446744073, 709551615],
        ],
      );
    });

    it("applies power-of-two resolutions and if_tsoffset", () => {
      const r = readEveryWay(
        concatBytes([
          shb(le),
          idb(le, { linkType: 1, tsresol: 0x80 | 10, tsoffset: 1000n }),
          epb(le, { interfaceId: 0, ticks: 5n * 1024n + 512n, data: data(20) }),
        ]),
      );
      assert.deepEqual(
        r.packets.map((p) => [p.tsSec, p.tsNsec]),
        [[1005, 500000000]],
      );
    });

    it("numbers interfaces per section and reads several link types", () => {
      const r = readEveryWay(
        concatBytes([
          shb(le),
          idb(le, { linkType: 1 }),
          idb(le, { linkType: 113, tsresol: 9 }),
          epb(le, { interfaceId: 1, ticks: 2_000_000_000n, data: data(30) }),
          epb(le, { interfaceId: 0, ticks: 3_000_000n, data: data(31) }),
          // A second section in the other byte order, with its own interface list.
          shb(!le),
          idb(!le, { linkType: 276 }),
          epb(!le, { interfaceId: 0, ticks: 4_000_000n, data: data(32) }),
        ]),
      );
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(
        r.packets.map((p) => [p.frame, p.interfaceId, p.linkType, p.tsSec, p.capLen]),
        [
          [1, 1, 113, 2, 30],
          [2, 0, 1, 3, 31],
          [3, 0, 276, 4, 32],
        ],
      );
      assert.deepEqual(
        r.interfaces.map((i) => [i.section, i.id, i.linkType]),
        [
          [0, 0, 1],
          [0, 1, 113],
          [1, 0, 276],
        ],
      );
    });

    it("reads simple and obsolete packet blocks and skips every other block", () => {
      const r = readEveryWay(
        concatBytes([
          shb(le),
          otherBlock(le, 4, data(12)), // name resolution
          idb(le, { linkType: 1, snapLen: 64 }),
          otherBlock(le, 5, data(20)), // interface statistics
          spb(le, data(100), 100),
          otherBlock(le, 0x00000bad, data(9)), // custom
          pb(le, { interfaceId: 0, ticks: 7_000_001n, data: data(50) }),
          otherBlock(le, 0x12345678, new Uint8Array(0)), // unknown
        ]),
      );
      assert.deepEqual(r.diagnostics, []);
      // The custom block is numbered as a frame, as Wireshark numbers it.
      assert.deepEqual(
        r.packets.map((p) => [p.frame, p.capLen, p.origLen]),
        [
          [1, 64, 100],
          [3, 50, 50],
        ],
      );
      assert.deepEqual([r.packets[1]?.tsSec, r.packets[1]?.tsNsec], [7, 1000]);
    });

    it("stops at a block whose trailing length differs", () => {
      const bad = otherBlock(le, 4, data(12));
      const view = new DataView(bad.buffer);
      view.setUint32(bad.length - 4, 999, le);
      const head = concatBytes([
        shb(le),
        idb(le, { linkType: 1 }),
        epb(le, { interfaceId: 0, ticks: 1n, data: data(4) }),
      ]);
      const r = readEveryWay(
        concatBytes([head, bad, epb(le, { interfaceId: 0, ticks: 2n, data: data(4) })]),
      );
      assert.equal(r.packets.length, 1);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.byteOffset, d.record]),
        [["block-length-mismatch", head.length, 4]],
      );
    });

    it("stops at impossible block lengths before allocating for them", () => {
      for (const total of [0xfffffff0, 8, 30]) {
        const head = concatBytes([shb(le), idb(le, { linkType: 1 })]);
        const r = readEveryWay(concatBytes([head, otherBlock(le, 4, data(16), total)]));
        assert.deepEqual(
          r.diagnostics.map((d) => [d.code, d.byteOffset]),
          [["impossible-length", head.length]],
          `total length ${total}`,
        );
      }
    });

    it("stops at a packet on an undescribed interface or a captured length past its block", () => {
      const head = concatBytes([shb(le), idb(le, { linkType: 1 })]);
      const unknown = readEveryWay(
        concatBytes([head, epb(le, { interfaceId: 3, ticks: 1n, data: data(8) })]),
      );
      assert.equal(unknown.diagnostics[0]?.code, "malformed-block");
      const past = readEveryWay(
        concatBytes([
          head,
          epb(le, { interfaceId: 0, ticks: 1n, data: data(8), capLenField: 200 }),
        ]),
      );
      assert.equal(past.diagnostics[0]?.code, "malformed-block");
    });

    it("rejects section versions other than 1.0 and 1.2, and options running past the block", () => {
      assert.equal(
        readEveryWay(shb(le, { major: 1, minor: 1 })).diagnostics[0]?.code,
        "unsupported-version",
      );
      assert.deepEqual(readEveryWay(shb(le, { major: 1, minor: 2 })).diagnostics, []);
      const longOption = shb(le, { options: [{ code: 4, value: data(8) }] });
      new DataView(longOption.buffer).setUint16(24 + 2, 0x3030, le);
      assert.equal(readEveryWay(longOption).diagnostics[0]?.code, "malformed-block");
    });

    it("warns when the last block is cut short", () => {
      const whole = concatBytes([
        shb(le),
        idb(le, { linkType: 1 }),
        epb(le, { interfaceId: 0, ticks: 1n, data: data(8) }),
        epb(le, { interfaceId: 0, ticks: 2n, data: data(80) }),
      ]);
      const r = readEveryWay(whole.subarray(0, whole.length - 10));
      assert.equal(r.packets.length, 1);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.severity, d.record]),
        [["truncated-record", "warning", 4]],
      );
    });
  });
}

describe("not a capture", () => {
  it("names what the first bytes look like", () => {
    const cases: [string, Uint8Array, string][] = [
      ["text", new TextEncoder().encode("GET / HTTP/1.1\r\n"), "not-a-capture"],
      ["zstd", Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0), "unsupported-format"],
      ["snoop", new TextEncoder().encode("snoop\0\0\0\0\0\0\x02"), "unsupported-format"],
      ["empty", new Uint8Array(0), "not-a-capture"],
      ["binary", Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), "not-a-capture"],
    ];
    for (const [name, bytes, code] of cases) {
      const r = readEveryWay(bytes);
      assert.equal(r.diagnostics.length, 1, name);
      assert.equal(r.diagnostics[0]?.code, code, name);
      assert.equal(r.diagnostics[0]?.message.includes("\n"), false, name);
    }
  });
});
