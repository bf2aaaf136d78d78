/**
 * Property tests: random bytes under random link types, and damaged versions of real-looking
 * packets, never make the decoder throw, never leave a field out of its range, and decode the
 * same way into a reused object as into a fresh one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  DECODE_PROBLEMS,
  decodePacket,
  newDecodedPacket,
  type DecodedPacket,
  type DecodeStatus,
} from "../../src/decode/index.js";
import { SAMPLES } from "./samples.js";

const STATUSES: readonly DecodeStatus[] = [
  "tcp",
  "other",
  "fragment",
  "encapsulated",
  "unsupported-link",
  "truncated",
  "malformed",
];
const DECODED_LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276];

const isUint = (n: number, max: number): boolean => Number.isInteger(n) && n >= 0 && n <= max;
const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;

/** Throws (through assert) when a decoded field is out of its documented range. */
function checkRanges(p: DecodedPacket, linkType: number, start: number, end: number): void {
  assert.ok(STATUSES.includes(p.status), p.status);
  assert.ok(Object.hasOwn(DECODE_PROBLEMS, p.problem), p.problem);
  const problemExpected = p.status === "truncated" || p.status === "malformed";
  assert.equal(p.problem !== "none", problemExpected, `${p.status} with ${p.problem}`);
  if (p.problem !== "none") assert.equal(DECODE_PROBLEMS[p.problem].status, p.status);
  assert.equal(p.linkType, linkType);

  assert.ok(Number.isInteger(p.vlanTags) && p.vlanTags >= 0);
  assert.equal(p.vlanId === -1, p.vlanTags === 0);
  assert.ok(p.vlanId >= -1 && p.vlanId <= 4095);

  assert.ok([0, 4, 6].includes(p.ipVersion));
  for (const w of [p.src0, p.src1, p.src2, p.src3, p.dst0, p.dst1, p.dst2, p.dst3]) {
    assert.ok(isUint(w, U32), `address word ${w}`);
    if (p.ipVersion === 0) assert.equal(w, 0);
  }
  if (p.ipVersion !== 6) {
    for (const w of [p.src1, p.src2, p.src3, p.dst1, p.dst2, p.dst3]) assert.equal(w, 0);
  }
  assert.ok(isUint(p.ttl, U8));
  assert.ok(isUint(p.ipId, p.ipVersion === 4 ? U16 : 0));
  assert.ok(isUint(p.ipPayloadLen, p.ipVersion === 4 ? U16 : U32));
  if (p.ipVersion === 0) {
    assert.equal(p.ipOffset, 0);
    assert.equal(p.firstFragment, false);
  } else assert.ok(p.ipOffset >= start && p.ipOffset < end, `ipOffset ${p.ipOffset}`);

  const tcpHeaderSeen = p.status === "tcp" || p.problem === "tcp-bad-data-offset";
  if (!tcpHeaderSeen) {
    for (const k of ["srcPort", "dstPort", "seq", "ack", "flags", "tcpHeaderLen"] as const) {
      assert.equal(p[k], 0, k);
    }
  }
  assert.ok(isUint(p.srcPort, U16) && isUint(p.dstPort, U16));
  assert.ok(isUint(p.seq, U32) && isUint(p.ack, U32));
  assert.ok(isUint(p.flags, 0x1ff));
  assert.ok(isUint(p.tcpHeaderLen, 60) && p.tcpHeaderLen % 4 === 0);

  if (p.status === "tcp") {
    assert.ok(p.ipVersion !== 0);
    assert.ok(p.tcpHeaderLen >= 20);
    assert.equal(p.payloadLen + p.tcpHeaderLen, p.ipPayloadLen);
    assert.ok(p.capturedPayloadLen <= p.payloadLen);
    if (p.capturedPayloadLen > 0) {
      assert.ok(p.payloadOffset >= start && p.payloadOffset + p.capturedPayloadLen <= end);
    }
    if (!p.truncated) assert.equal(p.capturedPayloadLen, p.payloadLen);
  } else {
    assert.equal(p.payloadLen, 0);
    assert.equal(p.payloadOffset, 0);
    assert.equal(p.truncated, false);
    assert.equal(p.window, 0);
    assert.equal(p.mss, -1);
    assert.equal(p.hasTimestamps, false);
    assert.equal(p.sackBlockCount, 0);
  }
  assert.ok(isUint(p.payloadLen, U32) && isUint(p.capturedPayloadLen, U32));
  assert.ok(isUint(p.window, U16) && isUint(p.urgentPointer, U16));
  assert.ok(p.mss === -1 || isUint(p.mss, U16));
  assert.ok(p.windowScale === -1 || isUint(p.windowScale, U8));
  assert.ok(isUint(p.tsVal, U32) && isUint(p.tsEcr, U32));
  if (!p.hasTimestamps) assert.ok(p.tsVal === 0 && p.tsEcr === 0);
  assert.ok(isUint(p.sackBlockCount, 4));
  assert.equal(p.sackBlocks.length, 8);
  for (const b of p.sackBlocks) assert.ok(isUint(b, U32));
}

const linkTypeArb = fc.oneof(
  fc.constantFrom(...DECODED_LINK_TYPES),
  fc.integer({ min: -2, max: 300 }),
);

/** Uniform noise at an odd offset, with a captured length that may over- or under-state it. */
const packetArb = fc.record({
  linkType: linkTypeArb,
  bytes: fc.uint8Array({ maxLength: 160 }),
  lead: fc.nat(9),
  trail: fc.nat(9),
  capLenDelta: fc.integer({ min: -20, max: 20 }),
});

interface Input {
  linkType: number;
  buf: Uint8Array;
  offset: number;
  capLen: number;
}

function toInput(r: {
  linkType: number;
  bytes: Uint8Array;
  lead: number;
  trail: number;
  capLenDelta: number;
}): Input {
  const buf = new Uint8Array(r.lead + r.bytes.length + r.trail).fill(0xee);
  buf.set(r.bytes, r.lead);
  return { linkType: r.linkType, buf, offset: r.lead, capLen: r.bytes.length + r.capLenDelta };
}

/** A sample packet with a few bytes overwritten and possibly cut short. */
const damagedArb = fc
  .record({
    sample: fc.constantFrom(...SAMPLES),
    edits: fc.array(fc.tuple(fc.nat(120), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    cut: fc.nat(200),
  })
  .map(({ sample, edits, cut }): Input => {
    const buf = Uint8Array.from(sample.bytes);
    for (const [i, v] of edits) if (i < buf.length) buf[i] = v;
    return { linkType: sample.linkType, buf, offset: 0, capLen: Math.min(cut, buf.length) };
  });

function decodeChecked(input: Input, out = newDecodedPacket()): DecodedPacket {
  decodePacket(out, input.linkType, input.buf, input.offset, input.capLen);
  const start = input.offset >= 0 ? input.offset : 0;
  const end = Math.min(input.offset + input.capLen, input.buf.length);
  checkRanges(out, input.linkType, start, Math.max(end, start));
  return out;
}

describe("decoder properties", () => {
  it("random bytes under random link types: no throw, every field in range", () => {
    fc.assert(
      fc.property(packetArb, (r) => {
        decodeChecked(toInput(r));
      }),
      { numRuns: 5000 },
    );
  });

  it("damaged and cut sample packets: no throw, every field in range", () => {
    fc.assert(
      fc.property(damagedArb, (input) => {
        decodeChecked(input);
      }),
      { numRuns: 5000 },
    );
  });

  it("decoding B after A into one object equals decoding B alone", () => {
    const anyInput = fc.oneof(packetArb.map(toInput), damagedArb);
    fc.assert(
      fc.property(anyInput, anyInput, (a, b) => {
        const reused = newDecodedPacket();
        decodeChecked(a, reused);
        decodeChecked(b, reused);
        assert.deepEqual(reused, decodeChecked(b));
      }),
      { numRuns: 3000 },
    );
  });

  it("records that claim more bytes than the buffer holds, or a bad offset, do not throw", () => {
    fc.assert(
      fc.property(
        linkTypeArb,
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: -100, max: 100 }),
        fc.integer({ min: -100, max: 1000 }),
        (linkType, buf, offset, capLen) => {
          const out = newDecodedPacket();
          decodePacket(out, linkType, buf, offset, capLen);
          assert.ok(STATUSES.includes(out.status));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
