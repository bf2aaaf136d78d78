/**
 * IPv4: header fields, options, the total length (padding, snaplen cuts, TSO), fragments and
 * the protocols behind the header.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatAddress, type DecodedPacket } from "../../src/decode/index.js";
import { decode, ethernet, ipv4, PACKET_OFFSET, pick, tcp, type Ipv4Spec } from "./build.js";

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

/** An Ethernet frame around an IPv4 packet built from the template plus `o`. */
const frame = (payload: Uint8Array, o: Partial<Ipv4Spec> = {}): Uint8Array =>
  ethernet(ipv4(payload, o));

describe("IPv4 header fields", () => {
  it("records addresses, TTL, id and lengths", () => {
    const p = decode(1, frame(tcp({ payloadLen: 10 })));
    const expected: Partial<DecodedPacket> = {
      ipVersion: 4,
      src0: 0xc000020a,
      dst0: 0xc63364c8,
      src1: 0,
      dst3: 0,
      ttl: 64,
      ipId: 0xbeef,
      ipPayloadLen: 30,
      ipOffset: PACKET_OFFSET + ETH,
      firstFragment: false,
      status: "tcp",
    };
    assert.deepEqual(pick(p, expected), expected);
    assert.equal(formatAddress(p, "src"), "192.0.2.10");
    assert.equal(formatAddress(p, "dst"), "198.51.100.200");
  });

  it("keeps addresses with the high bit set unsigned", () => {
    const p = decode(1, frame(tcp(), { src: [255, 255, 255, 254], dst: [224, 0, 0, 1] }));
    assert.equal(p.src0, 0xfffffffe);
    assert.equal(p.dst0, 0xe0000001);
  });
});

describe("IPv4 options", () => {
  run(
    [4, 8, 40].map((optionBytes) => ({
      name: `${optionBytes} bytes of options are skipped`,
      bytes: frame(tcp({ payloadLen: 5 }), {
        // Record route (RFC 791 3.1), padded with NOPs, as traceroute -R sends.
        options: [7, optionBytes - 1, 4, ...new Array<number>(optionBytes - 3).fill(1)],
      }),
      expect: {
        status: "tcp",
        ipPayloadLen: 25,
        payloadLen: 5,
        payloadOffset: PACKET_OFFSET + ETH + 20 + optionBytes + 20,
        srcPort: 51234,
      },
    })),
  );
});

describe("IPv4 total length", () => {
  run([
    {
      name: "Ethernet padding after a bare ACK is not TCP data",
      bytes: ethernet(ipv4(tcp()), { padTo: 60 }),
      expect: { status: "tcp", payloadLen: 0, capturedPayloadLen: 0, truncated: false },
    },
    {
      name: "Ethernet padding after a 2-byte segment is not TCP data",
      bytes: ethernet(ipv4(tcp({ payloadLen: 2 })), { padTo: 60 }),
      expect: { status: "tcp", payloadLen: 2, capturedPayloadLen: 2, truncated: false },
    },
    {
      name: "trailing bytes (FCS, trailers) beyond the total length are ignored",
      bytes: ethernet(ipv4(tcp({ payloadLen: 100 })), { padTo: 300 }),
      expect: { ipPayloadLen: 120, payloadLen: 100, capturedPayloadLen: 100, truncated: false },
    },
    {
      name: "a snaplen cut keeps the payload length from the IP header",
      bytes: frame(tcp({ payloadLen: 1000 })),
      capLen: ETH + 20 + 20 + 10,
      expect: {
        status: "tcp",
        ipPayloadLen: 1020,
        payloadLen: 1000,
        capturedPayloadLen: 10,
        truncated: true,
      },
    },
    {
      name: "total length 0 (TSO, Linux BIG TCP) uses the captured length",
      bytes: frame(tcp({ payloadLen: 300 }), { totalLength: 0 }),
      expect: { status: "tcp", ipPayloadLen: 320, payloadLen: 300, truncated: false },
    },
    {
      name: "total length smaller than the header is malformed",
      bytes: frame(tcp(), { totalLength: 19 }),
      expect: { status: "malformed", problem: "ipv4-bad-total-length", ipVersion: 4 },
    },
    {
      name: "total length smaller than header plus options is malformed",
      bytes: frame(tcp(), { options: [1, 1, 1, 1], totalLength: 22 }),
      expect: { status: "malformed", problem: "ipv4-bad-total-length" },
    },
    {
      name: "a total length too short for a TCP header is malformed TCP",
      bytes: frame(tcp({ payloadLen: 10 }), { totalLength: 20 + 16 }),
      expect: { status: "malformed", problem: "tcp-bad-data-offset", ipPayloadLen: 16 },
    },
    {
      name: "a total length with no room for the TCP options is malformed TCP",
      bytes: frame(tcp({ options: [1, 1, 1, 1, 1, 1, 1, 1] }), { totalLength: 20 + 24 }),
      expect: { status: "malformed", problem: "tcp-bad-data-offset", tcpHeaderLen: 28 },
    },
  ]);
});

describe("IPv4 header checks", () => {
  run([
    ...[0, 1, 4].map((ihl) => ({
      name: `IHL ${ihl} is malformed`,
      bytes: frame(tcp(), { ihl }),
      expect: { status: "malformed" as const, problem: "ipv4-bad-ihl" as const },
    })),
    {
      name: "cut inside the fixed header",
      bytes: frame(tcp()),
      capLen: ETH + 19,
      expect: { status: "truncated", problem: "ipv4-truncated", ipVersion: 0 },
    },
    {
      name: "cut inside the options: addresses are known, TCP is not",
      bytes: frame(tcp(), { options: new Array<number>(40).fill(1) }),
      capLen: ETH + 30,
      expect: { status: "truncated", problem: "ipv4-truncated", ipVersion: 4, src0: 0xc000020a },
    },
  ]);
});

describe("IPv4 fragments", () => {
  run([
    {
      name: "a non-first fragment is counted, not decoded",
      bytes: frame(tcp({ payloadLen: 40 }), { fragmentOffset: 185, dontFragment: false }),
      expect: {
        status: "fragment",
        problem: "none",
        ipVersion: 4,
        ipPayloadLen: 60,
        srcPort: 0,
        seq: 0,
        firstFragment: false,
      },
    },
    {
      name: "a middle fragment (offset and MF) is a fragment",
      bytes: frame(tcp(), { fragmentOffset: 1, moreFragments: true, dontFragment: false }),
      expect: { status: "fragment" },
    },
    {
      name: "the first fragment is decoded; its payload length is this fragment's share",
      bytes: frame(tcp({ payloadLen: 8, flags: 0x010 }), {
        moreFragments: true,
        dontFragment: false,
      }),
      expect: {
        status: "tcp",
        firstFragment: true,
        srcPort: 51234,
        seq: 0xfffffff0,
        payloadLen: 8,
        truncated: false,
      },
    },
    {
      name: "DF alone is not a fragment",
      bytes: frame(tcp(), { dontFragment: true }),
      expect: { status: "tcp", firstFragment: false },
    },
  ]);
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe("IPv4 protocols", () => {
  const udp = (src: number, dst: number): Uint8Array =>
    Uint8Array.of(src >> 8, src & 0xff, dst >> 8, dst & 0xff, 0, 8, 0, 0);
  run([
    { name: "UDP", bytes: frame(udp(5353, 53), { protocol: 17 }), expect: { status: "other" } },
    {
      name: "UDP to VXLAN",
      bytes: frame(udp(40000, 4789), { protocol: 17 }),
      expect: { status: "encapsulated" },
    },
    {
      name: "UDP from VXLAN",
      bytes: frame(udp(4789, 40000), { protocol: 17 }),
      expect: { status: "encapsulated" },
    },
    {
      name: "UDP to Teredo",
      bytes: frame(udp(40000, 3544), { protocol: 17 }),
      expect: { status: "encapsulated" },
    },
    {
      name: "UDP from Teredo",
      bytes: frame(udp(3544, 40000), { protocol: 17 }),
      expect: { status: "encapsulated" },
    },
    {
      name: "UDP cut before the ports",
      bytes: frame(udp(40000, 4789), { protocol: 17 }),
      capLen: ETH + 20 + 3,
      expect: { status: "other" },
    },
    {
      name: "ICMP (even quoting a TCP header)",
      bytes: frame(tcp(), { protocol: 1 }),
      expect: { status: "other", problem: "none", srcPort: 0 },
    },
    ...[
      [4, "IP in IP"],
      [41, "IPv6 in IPv4"],
      [47, "GRE"],
      [50, "ESP"],
      [115, "L2TPv3"],
    ].map(([protocol, name]) => ({
      name: String(name),
      bytes: frame(tcp(), { protocol: Number(protocol) }),
      expect: { status: "encapsulated" as const, ipVersion: 4 as const },
    })),
    { name: "SCTP", bytes: frame(tcp(), { protocol: 132 }), expect: { status: "other" } },
    {
      // RFC 4302: next header 6, length (12 / 4) - 2 = 1, reserved, SPI, sequence number.
      name: "TCP behind an Authentication Header",
      bytes: frame(concat(Uint8Array.of(6, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 7), tcp()), {
        protocol: 51,
      }),
      expect: { status: "tcp", problem: "none", tcpHeaderLen: 20, payloadLen: 0 },
    },
    {
      name: "Authentication Header cut short",
      bytes: frame(concat(Uint8Array.of(6, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 7), tcp()), {
        protocol: 51,
      }),
      capLen: ETH + 20 + 6,
      expect: { status: "truncated", problem: "ah-truncated" },
    },
  ]);
});
