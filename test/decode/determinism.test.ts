/**
 * One `DecodedPacket` is reused for every packet, so each decode must rewrite every field:
 * a field left over from the previous packet (a stale SACK block, a VLAN id, a port from a
 * TCP packet before an ARP) is the classic bug of in-place decoders.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newDecodedPacket, type DecodedPacket } from "../../src/decode/index.js";
import { decode, decodeInto } from "./build.js";
import { SAMPLES } from "./samples.js";

/** A packet object with every field set to something no decode would produce. */
function poisoned(): DecodedPacket {
  return {
    status: "malformed",
    problem: "tcp-truncated",
    linkType: 12345,
    vlanTags: 99,
    vlanId: 4321,
    ipVersion: 6,
    src0: 1,
    src1: 2,
    src2: 3,
    src3: 4,
    dst0: 5,
    dst1: 6,
    dst2: 7,
    dst3: 8,
    ttl: 300,
    ipId: 70000,
    firstFragment: true,
    ipPayloadLen: 123456,
    ipOffset: 777,
    srcPort: 70001,
    dstPort: 70002,
    seq: 0x1234,
    ack: 0x5678,
    flags: 0xfff,
    window: 70003,
    urgentPointer: 70004,
    tcpHeaderLen: 99,
    payloadLen: 98,
    payloadOffset: 97,
    bytes: new Uint8Array([1, 2, 3]),
    capturedPayloadLen: 96,
    truncated: true,
    mss: 95,
    windowScale: 94,
    sackPermitted: true,
    hasTimestamps: true,
    tsVal: 93,
    tsEcr: 92,
    sackBlockCount: 3,
    sackBlocks: [91, 90, 89, 88, 87, 86, 85, 84],
  };
}

describe("decoding into a reused object", () => {
  it("the poisoned object covers every field of a fresh one", () => {
    assert.deepEqual(Object.keys(poisoned()).sort(), Object.keys(newDecodedPacket()).sort());
  });

  it("an unsupported link type leaves exactly the fresh object's values", () => {
    const p = poisoned();
    decodeInto(p, 9999, new Uint8Array(0));
    // `bytes` is the buffer it was decoded from, whatever the link type.
    assert.deepEqual(p, {
      ...newDecodedPacket(),
      linkType: 9999,
      status: "unsupported-link",
      bytes: p.bytes,
    });
  });

  for (const s of SAMPLES) {
    it(`${s.name}: a poisoned object gives the same result as a fresh one`, () => {
      const p = poisoned();
      decodeInto(p, s.linkType, s.bytes, s.capLen);
      assert.deepEqual(p, decode(s.linkType, s.bytes, s.capLen));
    });
  }

  it("every sample decoded after every other gives the same result as decoded alone", () => {
    const reused = newDecodedPacket();
    for (const a of SAMPLES) {
      for (const b of SAMPLES) {
        decodeInto(reused, a.linkType, a.bytes, a.capLen);
        decodeInto(reused, b.linkType, b.bytes, b.capLen);
        assert.deepEqual(reused, decode(b.linkType, b.bytes, b.capLen), `${a.name} then ${b.name}`);
      }
    }
  });

  it("the samples cover every status", () => {
    const statuses = new Set(SAMPLES.map((s) => decode(s.linkType, s.bytes, s.capLen).status));
    assert.deepEqual([...statuses].sort(), [
      "encapsulated",
      "fragment",
      "malformed",
      "other",
      "tcp",
      "truncated",
      "unsupported-link",
    ]);
  });

  it("keeps the sackBlocks array itself (no allocation per packet)", () => {
    const p = newDecodedPacket();
    const blocks = p.sackBlocks;
    for (const s of SAMPLES) decodeInto(p, s.linkType, s.bytes, s.capLen);
    assert.equal(p.sackBlocks, blocks);
    assert.equal(blocks.length, 8);
  });
});
