/**
 * A chain of IPv4 Authentication Headers, each 8 bytes and naming the next as AH, is as long as
 * the packet allows: 20,000 of them fit in a 160 KB record (the readers accept 256 KiB). Each
 * used to cost the decoder a stack frame, and about 10,000 overflowed the stack ("Maximum call
 * stack size exceeded" out of `teardown analyze`); the walk is a loop now.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pcapFileHeader, pcapRecord, concatBytes } from "../../samples/tools/capture-writer.js";
import { LINKTYPE_RAW, type DecodedPacket } from "../../src/decode/index.js";
import { decode, ipv4, pick, tcp } from "./build.js";
import { decodeAll } from "./decode-file.js";

const AH = 51;

/** `count` minimal AH headers (next header, length 0 = 8 bytes, SPI, sequence), then `last`. */
function ahChain(count: number, last: number): Uint8Array {
  const chain = new Uint8Array(count * 8);
  for (let i = 0; i < count; i++) chain[i * 8] = i === count - 1 ? last : AH;
  return chain;
}

describe("a chain of IPv4 Authentication Headers", () => {
  for (const count of [1, 100, 20_000]) {
    it(`${count} AH headers before TCP decode to the TCP segment behind them`, () => {
      const segment = tcp({ payloadLen: 5 });
      // Total length 0: the capture gives the length (Linux BIG TCP), the only way past 64 KB.
      const packet = ipv4(concatBytes([ahChain(count, 6), segment]), {
        protocol: AH,
        totalLength: count * 8 + 20 + segment.length > 0xffff ? 0 : undefined,
      });
      const expected: Partial<DecodedPacket> = {
        status: "tcp",
        problem: "none",
        ipPayloadLen: segment.length,
        payloadLen: 5,
      };
      assert.deepEqual(pick(decode(LINKTYPE_RAW, packet), expected), expected);
    });
  }

  it("cut short anywhere in the chain is ah-truncated, and nothing behind it is no TCP", () => {
    const packet = ipv4(ahChain(20_000, 6), { protocol: AH, totalLength: 0 });
    for (const capLen of [20 + 1, 20 + 8 * 9_999 + 7]) {
      const p = decode(LINKTYPE_RAW, packet, capLen);
      assert.deepEqual([p.status, p.problem], ["truncated", "ah-truncated"], `cut at ${capLen}`);
    }
    const whole = decode(LINKTYPE_RAW, packet);
    assert.deepEqual([whole.status, whole.problem], ["malformed", "tcp-bad-data-offset"]);
  });

  it("through the reader: a 160 KB record of AH headers reads and decodes", () => {
    const packet = ipv4(concatBytes([ahChain(20_000, 6), tcp()]), { protocol: AH, totalLength: 0 });
    const spec = { linkType: LINKTYPE_RAW, snapLen: 262144 };
    const file = concatBytes([
      pcapFileHeader(spec),
      pcapRecord(spec, { tsSec: 1, tsFrac: 0, data: packet }),
    ]);
    const statuses: string[] = [];
    const reader = decodeAll(file, (_rec, p) => statuses.push(p.status));
    assert.equal(reader.error, undefined);
    assert.deepEqual(statuses, ["tcp"]);
  });
});
