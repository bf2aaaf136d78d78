/**
 * TCP: the fixed header, flags, data offset, and every option teardown reads, including the
 * ways options go wrong.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  TCP_ACK,
  TCP_AE,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  type DecodedPacket,
} from "../../src/decode/index.js";
import { decode, ipv4, opt, PACKET_OFFSET, pick, tcp, type TcpSpec } from "./build.js";

/** Raw IPv4 link type: the TCP header starts 20 bytes in. */
const RAW = 101;

const seg = (o: Partial<TcpSpec>): Uint8Array => ipv4(tcp(o));

interface Case {
  name: string;
  tcp: Partial<TcpSpec>;
  capLen?: number;
  expect: Partial<DecodedPacket>;
}

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const p = decode(RAW, seg(c.tcp), c.capLen);
      assert.deepEqual(pick(p, c.expect), c.expect);
    });
  }
}

/** What a segment without options leaves in the option fields. */
const NO_OPTIONS: Partial<DecodedPacket> = {
  mss: -1,
  windowScale: -1,
  sackPermitted: false,
  hasTimestamps: false,
  tsVal: 0,
  tsEcr: 0,
  sackBlockCount: 0,
};

describe("TCP fixed header", () => {
  it("reads ports, numbers, window and urgent pointer (32-bit values unsigned)", () => {
    const p = decode(
      RAW,
      seg({
        srcPort: 65535,
        dstPort: 1,
        seq: 0xffffffff,
        ack: 0x80000000,
        window: 65535,
        urgent: 7,
        payloadLen: 3,
      }),
    );
    const expected: Partial<DecodedPacket> = {
      status: "tcp",
      problem: "none",
      srcPort: 65535,
      dstPort: 1,
      seq: 0xffffffff,
      ack: 0x80000000,
      window: 65535,
      urgentPointer: 7,
      tcpHeaderLen: 20,
      payloadLen: 3,
      capturedPayloadLen: 3,
      payloadOffset: PACKET_OFFSET + 40,
      truncated: false,
      ...NO_OPTIONS,
    };
    assert.deepEqual(pick(p, expected), expected);
  });

  const flags: [string, number][] = [
    ["FIN", TCP_FIN],
    ["SYN", TCP_SYN],
    ["RST", TCP_RST],
    ["PSH", TCP_PSH],
    ["ACK", TCP_ACK],
    ["URG", TCP_URG],
    ["ECE", TCP_ECE],
    ["CWR", TCP_CWR],
    ["AE (byte 12, bit 0)", TCP_AE],
    ["all nine", 0x1ff],
    ["none", 0],
  ];
  run(
    flags.map(([name, value]) => ({
      name: `flag ${name}`,
      tcp: { flags: value },
      expect: { flags: value, tcpHeaderLen: 20 },
    })),
  );
  it("ignores the three reserved bits between data offset and AE", () => {
    const bytes = seg({ flags: TCP_SYN });
    bytes[20 + 12] = (5 << 4) | 0x0e;
    const p = decode(RAW, bytes);
    assert.equal(p.flags, TCP_SYN);
    assert.equal(p.tcpHeaderLen, 20);
  });
});

describe("TCP data offset", () => {
  run(
    [0, 1, 2, 3, 4].map((dataOffset) => ({
      name: `data offset ${dataOffset} is malformed`,
      tcp: { dataOffset, payloadLen: 40 },
      expect: {
        status: "malformed",
        problem: "tcp-bad-data-offset",
        tcpHeaderLen: dataOffset * 4,
        payloadLen: 0,
      },
    })),
  );
  run([
    {
      name: "data offset 15 (40 bytes of options)",
      tcp: { options: new Array<number>(40).fill(1), payloadLen: 2 },
      expect: { status: "tcp", tcpHeaderLen: 60, payloadLen: 2, payloadOffset: PACKET_OFFSET + 80 },
    },
    {
      name: "a data offset past the end of the segment is malformed",
      tcp: { dataOffset: 15, payloadLen: 10 },
      expect: { status: "malformed", problem: "tcp-bad-data-offset", tcpHeaderLen: 60 },
    },
  ]);
});

describe("TCP options", () => {
  const LINUX_SYN = [
    ...opt.mss(1460),
    ...opt.sackPermitted(),
    ...opt.timestamps(3735928559, 0),
    ...opt.nop(),
    ...opt.windowScale(7),
  ];
  run([
    { name: "MSS", tcp: { options: opt.mss(1460) }, expect: { ...NO_OPTIONS, mss: 1460 } },
    {
      name: "window scale",
      tcp: { options: opt.windowScale(14) },
      expect: { ...NO_OPTIONS, windowScale: 14 },
    },
    {
      name: "window scale above 14 is kept as sent (RFC 7323 2.3 clamps on use)",
      tcp: { options: opt.windowScale(15) },
      expect: { windowScale: 15 },
    },
    {
      name: "SACK permitted",
      tcp: { options: opt.sackPermitted() },
      expect: { ...NO_OPTIONS, sackPermitted: true },
    },
    {
      name: "timestamps",
      tcp: { options: [...opt.nop(), ...opt.nop(), ...opt.timestamps(0xfedcba98, 0x80000000)] },
      expect: { ...NO_OPTIONS, hasTimestamps: true, tsVal: 0xfedcba98, tsEcr: 0x80000000 },
    },
    {
      name: "Linux SYN options (mss, sackOK, TS, nop, wscale)",
      tcp: { options: LINUX_SYN, flags: TCP_SYN },
      expect: {
        mss: 1460,
        sackPermitted: true,
        hasTimestamps: true,
        tsVal: 3735928559,
        tsEcr: 0,
        windowScale: 7,
        tcpHeaderLen: 40,
      },
    },
    {
      name: "options after EOL are not read",
      tcp: { options: [...opt.mss(536), ...opt.eol(), ...opt.windowScale(3)] },
      expect: { mss: 536, windowScale: -1 },
    },
    {
      name: "unknown options are skipped by their length (MPTCP, then timestamps)",
      tcp: { options: [30, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...opt.timestamps(5, 6)] },
      expect: { hasTimestamps: true, tsVal: 5, tsEcr: 6 },
    },
  ]);

  for (let n = 1; n <= 4; n++) {
    it(`SACK with ${n} block${n > 1 ? "s" : ""}`, () => {
      const blocks: [number, number][] = [];
      for (let i = 0; i < n; i++) blocks.push([0xfffffff0 + i * 2, 0xfffffff1 + i * 2]);
      const p = decode(RAW, seg({ options: [...opt.nop(), ...opt.nop(), ...opt.sack(blocks)] }));
      assert.equal(p.sackBlockCount, n);
      assert.deepEqual(p.sackBlocks.slice(0, 2 * n), blocks.flat());
      assert.deepEqual(p.sackBlocks.slice(2 * n), new Array<number>(8 - 2 * n).fill(0));
    });
  }
});

describe("TCP options with bad lengths end the parse, keeping what came before", () => {
  run([
    {
      name: "MSS with length 3",
      tcp: { options: [...opt.windowScale(2), 2, 3, 5, ...opt.sackPermitted()] },
      expect: { status: "tcp", windowScale: 2, mss: -1, sackPermitted: false },
    },
    {
      name: "window scale with length 4",
      tcp: { options: [3, 4, 1, 1, ...opt.mss(1000)] },
      expect: { status: "tcp", windowScale: -1, mss: -1 },
    },
    {
      name: "SACK permitted with length 3",
      tcp: { options: [4, 3, 0, ...opt.mss(1000)] },
      expect: { sackPermitted: false, mss: -1 },
    },
    {
      name: "timestamps with length 8",
      tcp: { options: [8, 8, 0, 0, 0, 1, 0, 0] },
      expect: { hasTimestamps: false, tsVal: 0 },
    },
    {
      name: "SACK with a partial block",
      tcp: { options: [5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0] },
      expect: { sackBlockCount: 0 },
    },
    {
      name: "SACK with no blocks",
      tcp: { options: [5, 2, ...opt.mss(1000)] },
      expect: { sackBlockCount: 0, mss: -1 },
    },
    {
      name: "length 0 (would loop forever if trusted)",
      tcp: { options: [...opt.mss(1200), 30, 0, 0, 0] },
      expect: { status: "tcp", mss: 1200 },
    },
    {
      name: "length 1 (shorter than kind and length)",
      tcp: { options: [30, 1, ...opt.mss(1000)] },
      expect: { status: "tcp", mss: -1 },
    },
    {
      name: "length running past the header",
      tcp: { options: [...opt.sackPermitted(), 30, 40] },
      expect: { status: "tcp", sackPermitted: true },
    },
    {
      name: "kind in the last header byte with no length byte",
      tcp: { options: [1, 1, 1, 2] },
      expect: { status: "tcp", mss: -1 },
    },
  ]);
});

describe("TCP cut by the snapshot length", () => {
  run([
    {
      name: "13 bytes: no flags yet",
      tcp: {},
      capLen: 20 + 13,
      expect: { status: "truncated", problem: "tcp-truncated", srcPort: 0, seq: 0 },
    },
    {
      name: "14 bytes: ports, numbers and flags, no window",
      tcp: { flags: TCP_FIN | TCP_ACK, window: 999 },
      capLen: 20 + 14,
      expect: {
        status: "tcp",
        truncated: true,
        srcPort: 51234,
        seq: 0xfffffff0,
        ack: 0x80000001,
        flags: TCP_FIN | TCP_ACK,
        window: 0,
        tcpHeaderLen: 20,
        payloadLen: 0,
        capturedPayloadLen: 0,
      },
    },
    {
      name: "16 bytes: window too",
      tcp: { window: 999 },
      capLen: 20 + 16,
      expect: { status: "tcp", truncated: true, window: 999, urgentPointer: 0 },
    },
    {
      name: "cut inside the options: the whole options before the cut are read",
      tcp: { options: [...opt.mss(1460), ...opt.timestamps(1, 2)] },
      capLen: 20 + 20 + 4 + 5,
      expect: { status: "tcp", truncated: true, mss: 1460, hasTimestamps: false },
    },
    {
      name: "cut inside the payload",
      tcp: { payloadLen: 500 },
      capLen: 20 + 20 + 100,
      expect: { status: "tcp", truncated: true, payloadLen: 500, capturedPayloadLen: 100 },
    },
  ]);
});
