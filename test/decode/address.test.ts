/**
 * Address text: dotted quads and RFC 5952 canonical IPv6.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { formatAddress, formatIpv4, formatIpv6, newDecodedPacket } from "../../src/decode/index.js";
import { v6 } from "./build.js";

function words(text: string): [number, number, number, number] {
  const b = v6(text);
  const w = (i: number): number =>
    (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>>
    0;
  return [w(0), w(4), w(8), w(12)];
}

describe("formatIpv4", () => {
  for (const [word, text] of [
    [0, "0.0.0.0"],
    [0x7f000001, "127.0.0.1"],
    [0xffffffff, "255.255.255.255"],
    [0xc0a80a01, "192.168.10.1"],
  ] as const) {
    it(text, () => assert.equal(formatIpv4(word), text));
  }
});

describe("formatIpv6 (RFC 5952)", () => {
  const cases: [string, string, string][] = [
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", "leading zeros dropped (4.1)"],
    ["0:0:0:0:0:0:0:0", "::", "unspecified"],
    ["0:0:0:0:0:0:0:1", "::1", "loopback"],
    ["1:0:0:0:0:0:0:0", "1::", "trailing run"],
    [
      "2001:db8:0:1:1:1:1:1",
      "2001:db8:0:1:1:1:1:1",
      "a single zero group is not compressed (4.2.2)",
    ],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1", "the longest run is compressed (4.2.3)"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "the first of equal runs is compressed (4.2.3)"],
    ["FE80:0:0:0:0200:5EFF:FE00:5301", "fe80::200:5eff:fe00:5301", "lower case (4.3)"],
    ["0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1", "IPv4-mapped in dotted form (5)"],
    ["64:ff9b:0:0:0:0:c000:201", "64:ff9b::c000:201", "NAT64 prefix stays hexadecimal"],
    ["0:0:0:0:0:0:c000:201", "::c000:201", "deprecated IPv4-compatible stays hexadecimal"],
    [
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
      "no zeros",
    ],
  ];
  for (const [input, text, why] of cases) {
    it(`${why}: ${text}`, () => assert.equal(formatIpv6(...words(input)), text));
  }

  it("agrees with the WHATWG URL serializer (which also follows RFC 5952 4.2)", () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const text = groups.map((g) => g.toString(16)).join(":");
        const w = words(text);
        // URL prints IPv4-mapped addresses in hexadecimal; those have their own case above.
        fc.pre(!(w[0] === 0 && w[1] === 0 && w[2] === 0xffff));
        const expected = new URL(`http://[${text}]/`).hostname.slice(1, -1);
        assert.equal(formatIpv6(...w), expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("formatAddress", () => {
  it("formats source and destination of IPv4 and IPv6 packets", () => {
    const p = newDecodedPacket();
    p.ipVersion = 4;
    p.src0 = 0x0a000001;
    p.dst0 = 0x0a000002;
    assert.equal(formatAddress(p, "src"), "10.0.0.1");
    assert.equal(formatAddress(p, "dst"), "10.0.0.2");
    p.ipVersion = 6;
    [p.src0, p.src1, p.src2, p.src3] = words("fe80::1");
    [p.dst0, p.dst1, p.dst2, p.dst3] = words("ff02::1:ff00:1");
    assert.equal(formatAddress(p, "src"), "fe80::1");
    assert.equal(formatAddress(p, "dst"), "ff02::1:ff00:1");
  });

  it("gives an empty string for a packet that is not IP", () => {
    assert.equal(formatAddress(newDecodedPacket(), "src"), "");
  });
});
