/**
 * Every packet cut at every length from 0 to whole: decoding never throws, the status names
 * the layer the cut fell in, and whatever was captured before the cut is decoded exactly as in
 * the whole packet (node-tar's "feed it one byte at a time" idea applied to snaplen).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DecodedPacket, DecodeProblem } from "../../src/decode/index.js";
import { decode, ethernet, ipv4, ipv6, loopback, opt, sll2, tcp } from "./build.js";

interface Layout {
  name: string;
  linkType: number;
  bytes: Uint8Array;
  /** Problem reported for a cut before each boundary, in order; after the last, status "tcp". */
  boundaries: readonly (readonly [number, DecodeProblem])[];
  tcpStart: number;
  /** End of the MSS and timestamps options: before it they are unknown. */
  mssEnd: number;
  tsEnd: number;
}

const OPTIONS = [...opt.mss(1460), ...opt.nop(), ...opt.nop(), ...opt.timestamps(77, 88)];
const SEGMENT = tcp({ options: OPTIONS, payloadLen: 23, flags: 0x019 });

function layout(
  name: string,
  linkType: number,
  bytes: Uint8Array,
  linkLen: number,
  ipHeaderLen: number,
  ipFixedLen: number,
  ipProblem: DecodeProblem,
  chainProblem: DecodeProblem,
): Layout {
  const tcpStart = linkLen + ipHeaderLen;
  return {
    name,
    linkType,
    bytes,
    boundaries: [
      // Raw IP has no link header, but its first nibble must be there to pick IPv4 or IPv6.
      [Math.max(linkLen, 1), "link-truncated"],
      [linkLen + ipFixedLen, ipProblem],
      [tcpStart, chainProblem],
      [tcpStart + 14, "tcp-truncated"],
    ],
    tcpStart,
    mssEnd: tcpStart + 24,
    tsEnd: tcpStart + 36,
  };
}

const LAYOUTS: Layout[] = [
  layout(
    "Ethernet, 802.1Q, IPv4 with options",
    1,
    ethernet(ipv4(SEGMENT, { options: [1, 1, 1, 1, 1, 1, 1, 0] }), {
      tags: [{ tpid: 0x8100, id: 3 }],
    }),
    18,
    28,
    20,
    "ipv4-truncated",
    "ipv4-truncated",
  ),
  layout(
    "SLL2, IPv6 with hop-by-hop, routing and fragment headers",
    276,
    sll2(
      ipv6(SEGMENT, {
        ext: [{ type: 0 }, { type: 43, units: 2 }, { type: 44, offset: 0, more: true }],
      }),
    ),
    20,
    40 + 8 + 24 + 8,
    40,
    "ipv6-truncated",
    "ipv6-ext-truncated",
  ),
  layout(
    "NULL, IPv4",
    0,
    loopback(ipv4(SEGMENT), 2, true),
    4,
    20,
    20,
    "ipv4-truncated",
    "ipv4-truncated",
  ),
  layout("raw IPv6", 101, ipv6(SEGMENT), 0, 40, 40, "ipv6-truncated", "ipv6-ext-truncated"),
];

describe("a packet cut at every length", () => {
  for (const l of LAYOUTS) {
    it(l.name, () => {
      const whole = decode(l.linkType, l.bytes);
      assert.equal(whole.status, "tcp");
      assert.equal(whole.truncated, false);
      for (let cut = 0; cut <= l.bytes.length; cut++) {
        const p = decode(l.linkType, l.bytes, cut);
        const at = `cut at ${cut}`;
        const boundary = l.boundaries.find(([end]) => cut < end);
        if (boundary) {
          assert.equal(p.status, "truncated", at);
          assert.equal(p.problem, boundary[1], at);
          assert.equal(p.srcPort, 0, at);
          continue;
        }
        assert.equal(p.status, "tcp", at);
        assert.equal(p.problem, "none", at);
        const same: (keyof DecodedPacket)[] = [
          "ipVersion",
          "src0",
          "src3",
          "dst0",
          "dst3",
          "ipPayloadLen",
          "firstFragment",
          "srcPort",
          "dstPort",
          "seq",
          "ack",
          "flags",
          "tcpHeaderLen",
          "payloadLen",
          "payloadOffset",
          "vlanId",
        ];
        for (const k of same) assert.equal(p[k], whole[k], `${at}: ${k}`);
        assert.equal(p.window, cut >= l.tcpStart + 16 ? whole.window : 0, at);
        assert.equal(p.mss, cut >= l.mssEnd ? 1460 : -1, at);
        assert.equal(p.hasTimestamps, cut >= l.tsEnd, at);
        const payloadStart = l.tcpStart + whole.tcpHeaderLen;
        assert.equal(p.capturedPayloadLen, Math.max(0, cut - payloadStart), at);
        assert.equal(p.truncated, cut < l.bytes.length, at);
      }
    });
  }
});
