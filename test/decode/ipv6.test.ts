/**
 * IPv6: header fields, the extension header chain, fragments, jumbograms (Linux BIG TCP) and
 * the protocols behind the chain.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatAddress, type DecodedPacket } from "../../src/decode/index.js";
import {
  decode,
  ethernet,
  ipv6,
  PACKET_OFFSET,
  pick,
  tcp,
  type Ipv6Ext,
  type Ipv6Spec,
} from "./build.js";

const ETH = 14;

interface Case {
  name: string;
  bytes: Uint8Array;
  capLen?: number;
  expect: Partial<DecodedPacket>;
}

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const p = decode(1, c.bytes, c.capLen);
      assert.deepEqual(pick(p, c.expect), c.expect);
    });
  }
}

const frame = (payload: Uint8Array, o: Partial<Ipv6Spec> = {}): Uint8Array =>
  ethernet(ipv6(payload, o));

describe("IPv6 header fields", () => {
  it("records addresses as four words, hop limit and lengths", () => {
    const p = decode(1, frame(tcp({ payloadLen: 7 })));
    const expected: Partial<DecodedPacket> = {
      status: "tcp",
      ipVersion: 6,
      src0: 0x20010db8,
      src1: 0,
      src2: 0,
      src3: 1,
      dst0: 0x20010db8,
      dst1: 0x00000001,
      dst2: 0,
      dst3: 2,
      ttl: 63,
      ipId: 0,
      ipPayloadLen: 27,
      payloadLen: 7,
      ipOffset: PACKET_OFFSET + ETH,
      payloadOffset: PACKET_OFFSET + ETH + 40 + 20,
    };
    assert.deepEqual(pick(p, expected), expected);
    assert.equal(formatAddress(p, "src"), "2001:db8::1");
    assert.equal(formatAddress(p, "dst"), "2001:db8:0:1::2");
  });

  run([
    {
      name: "version 4 under EtherType IPv6 is malformed",
      bytes: ethernet(ipv6(tcp(), { version: 4 }), { etherType: 0x86dd }),
      expect: { status: "malformed", problem: "ipv6-bad-version", ipVersion: 0 },
    },
    {
      name: "cut inside the fixed header",
      bytes: frame(tcp()),
      capLen: ETH + 39,
      expect: { status: "truncated", problem: "ipv6-truncated", ipVersion: 0 },
    },
    {
      name: "trailing bytes beyond the payload length are ignored",
      bytes: ethernet(ipv6(tcp({ payloadLen: 3 })), { padTo: 200 }),
      expect: { status: "tcp", payloadLen: 3, capturedPayloadLen: 3, truncated: false },
    },
    {
      name: "a snaplen cut keeps the payload length from the IP header",
      bytes: frame(tcp({ payloadLen: 1400 })),
      capLen: ETH + 40 + 20 + 1,
      expect: { status: "tcp", payloadLen: 1400, capturedPayloadLen: 1, truncated: true },
    },
    {
      name: "payload length 0 without a jumbo option uses the captured length (as IPv4 TSO)",
      bytes: frame(tcp({ payloadLen: 50 }), { payloadLength: 0 }),
      expect: { status: "tcp", ipPayloadLen: 70, payloadLen: 50, truncated: false },
    },
    {
      name: "a payload length too short for the TCP header is malformed TCP",
      bytes: frame(tcp(), { payloadLength: 12 }),
      expect: { status: "malformed", problem: "tcp-bad-data-offset" },
    },
  ]);
});

describe("IPv6 extension header chain", () => {
  const each: [string, Ipv6Ext, number][] = [
    ["hop-by-hop", { type: 0 }, 8],
    ["hop-by-hop, 3 units", { type: 0, units: 3 }, 32],
    ["routing", { type: 43, units: 2 }, 24],
    ["destination options", { type: 60, units: 1 }, 16],
    ["mobility", { type: 135, units: 1 }, 16],
    ["HIP", { type: 139, units: 4 }, 40],
    ["shim6", { type: 140 }, 8],
    ["AH (length in 4-byte units)", { type: 51, words: 4 }, 24],
    ["AH, shortest", { type: 51, words: 1 }, 12],
    ["atomic fragment (RFC 6946)", { type: 44, offset: 0, more: false }, 8],
  ];
  run(
    each.map(([name, ext, len]) => ({
      name: `${name} is skipped (${len} bytes)`,
      bytes: frame(tcp({ payloadLen: 9 }), { ext: [ext] }),
      expect: {
        status: "tcp",
        ipPayloadLen: 29,
        payloadLen: 9,
        firstFragment: false,
        payloadOffset: PACKET_OFFSET + ETH + 40 + len + 20,
      },
    })),
  );

  run([
    {
      name: "hop-by-hop, routing, destination options, fragment and AH in one chain",
      bytes: frame(tcp({ payloadLen: 100 }), {
        ext: [
          { type: 0 },
          { type: 60 },
          { type: 43, units: 2 },
          { type: 44, offset: 0, more: true },
          { type: 51 },
          { type: 60, units: 1 },
        ],
      }),
      expect: {
        status: "tcp",
        firstFragment: true,
        ipPayloadLen: 120,
        payloadLen: 100,
        payloadOffset: PACKET_OFFSET + ETH + 40 + 8 + 8 + 24 + 8 + 24 + 16 + 20,
        srcPort: 51234,
      },
    },
    {
      name: "a non-first fragment is counted, not decoded",
      bytes: frame(tcp({ payloadLen: 24 }), {
        ext: [{ type: 0 }, { type: 44, offset: 100, more: true }],
      }),
      expect: { status: "fragment", problem: "none", ipVersion: 6, ipPayloadLen: 44, srcPort: 0 },
    },
    {
      name: "the last fragment is a fragment too",
      bytes: frame(tcp(), { ext: [{ type: 44, offset: 3, more: false }] }),
      expect: { status: "fragment" },
    },
    {
      name: "the chain is cut by the snapshot length",
      bytes: frame(tcp(), { ext: [{ type: 0 }, { type: 43, units: 2 }] }),
      capLen: ETH + 40 + 8 + 10,
      expect: { status: "truncated", problem: "ipv6-ext-truncated", ipVersion: 6, src3: 1 },
    },
    {
      name: "the chain is cut right before an extension header",
      bytes: frame(tcp(), { ext: [{ type: 0 }, { type: 43 }] }),
      capLen: ETH + 40 + 8,
      expect: { status: "truncated", problem: "ipv6-ext-truncated" },
    },
    {
      name: "the chain is cut after one byte of an extension header",
      bytes: frame(tcp(), { ext: [{ type: 60 }] }),
      capLen: ETH + 40 + 1,
      expect: { status: "truncated", problem: "ipv6-ext-truncated" },
    },
    {
      name: "an extension header longer than the payload length is malformed",
      bytes: frame(tcp(), { ext: [{ type: 60, units: 4 }], payloadLength: 16 }),
      expect: { status: "malformed", problem: "ipv6-bad-payload-length" },
    },
  ]);
});

describe("IPv6 next headers", () => {
  const udp = (src: number, dst: number): Uint8Array =>
    Uint8Array.of(src >> 8, src & 0xff, dst >> 8, dst & 0xff, 0, 8, 0, 0);
  run([
    {
      name: "no next header (59)",
      bytes: frame(new Uint8Array(0), { protocol: 59 }),
      expect: { status: "other" },
    },
    { name: "ESP", bytes: frame(tcp(), { protocol: 50 }), expect: { status: "encapsulated" } },
    {
      name: "ESP after hop-by-hop",
      bytes: frame(tcp(), { protocol: 50, ext: [{ type: 0 }] }),
      expect: { status: "encapsulated" },
    },
    {
      name: "IPv4 in IPv6",
      bytes: frame(tcp(), { protocol: 4 }),
      expect: { status: "encapsulated" },
    },
    {
      name: "IPv6 in IPv6",
      bytes: frame(tcp(), { protocol: 41 }),
      expect: { status: "encapsulated" },
    },
    { name: "GRE", bytes: frame(tcp(), { protocol: 47 }), expect: { status: "encapsulated" } },
    { name: "ICMPv6", bytes: frame(tcp(), { protocol: 58 }), expect: { status: "other" } },
    { name: "UDP", bytes: frame(udp(1, 53), { protocol: 17 }), expect: { status: "other" } },
    {
      name: "UDP to VXLAN",
      bytes: frame(udp(1, 4789), { protocol: 17 }),
      expect: { status: "encapsulated" },
    },
    {
      name: "experimental extension header 253 is not walked",
      bytes: frame(tcp(), { protocol: 253 }),
      expect: { status: "other" },
    },
  ]);
});

describe("IPv6 jumbograms (RFC 2675)", () => {
  run([
    {
      name: "the Jumbo Payload option gives the length when payload length is 0",
      bytes: frame(tcp({ payloadLen: 300 }), { jumbo: true }),
      expect: { status: "tcp", ipPayloadLen: 320, payloadLen: 300, truncated: false },
    },
    {
      name: "a jumbo length past the capture is a snaplen cut",
      bytes: frame(tcp({ payloadLen: 300 }), { jumbo: true, payloadLength: 8 + 20 + 70000 }),
      expect: { status: "tcp", payloadLen: 70000, capturedPayloadLen: 300, truncated: true },
    },
    {
      name: "a jumbo length shorter than the hop-by-hop header is malformed",
      bytes: frame(tcp(), { jumbo: true, payloadLength: 4 }),
      expect: { status: "malformed", problem: "ipv6-bad-payload-length" },
    },
  ]);

  it("decodes Linux BIG TCP as tcpdump shows it (tests/bigtcp-ipv6-hbh.pcap)", () => {
    // The first 102 bytes of the one packet in tcpdump's test capture: Ethernet, IPv6 with
    // payload length 0, hop-by-hop with jumbo 80040, TCP with timestamps, "netperf" data.
    // tcpdump: "41851 > 43913: Flags [P.], seq 592820498:592900498, ack 2512896041,
    // win 2128, options [nop,nop,TS val 1186840160 ecr 4237097528], length 80000".
    const hex =
      "0600deadbeefb8cef6048b1486dd600a31ee00000040260413804091ce00000000000000000d2604" +
      "13804091ce00000000000000000b0600c204000138a8a37bab892355b91295c7c02980180850c8eb" +
      "00000101080a46bdbe60fc8cfa386e65747065726600";
    const bytes = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
    const p = decode(1, bytes);
    const expected: Partial<DecodedPacket> = {
      status: "tcp",
      ipVersion: 6,
      ttl: 64,
      ipPayloadLen: 80040 - 8,
      srcPort: 41851,
      dstPort: 43913,
      seq: 592820498,
      ack: 2512896041,
      flags: 0x018,
      window: 2128,
      tcpHeaderLen: 32,
      payloadLen: 80000,
      capturedPayloadLen: 8,
      truncated: true,
      hasTimestamps: true,
      tsVal: 1186840160,
      tsEcr: 4237097528,
    };
    assert.deepEqual(pick(p, expected), expected);
    assert.equal(formatAddress(p, "src"), "2604:1380:4091:ce00::d");
    assert.equal(formatAddress(p, "dst"), "2604:1380:4091:ce00::b");
  });
});
