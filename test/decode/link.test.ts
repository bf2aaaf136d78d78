/**
 * Link layers: where the IP header is found, VLAN tags, and what is not opened.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DecodedPacket } from "../../src/decode/index.js";
import {
  decode,
  ethernet,
  ipv4,
  ipv6,
  loopback,
  PACKET_OFFSET,
  pick,
  sll,
  sll2,
  tcp,
} from "./build.js";

const V4 = ipv4(tcp());
const V6 = ipv6(tcp());
/** An IPv4 header whose version nibble says 5. */
const V5 = ipv4(tcp(), { version: 5 });

interface Case {
  name: string;
  linkType: number;
  bytes: Uint8Array;
  capLen?: number;
  expect: Partial<DecodedPacket>;
}

const tcpAt = (linkLen: number, ipVersion: 4 | 6): Partial<DecodedPacket> => ({
  status: "tcp",
  problem: "none",
  ipVersion,
  ipOffset: PACKET_OFFSET + linkLen,
  srcPort: 51234,
  dstPort: 80,
});

describe("Ethernet", () => {
  const cases: Case[] = [
    {
      name: "untagged IPv4",
      linkType: 1,
      bytes: ethernet(V4),
      expect: { ...tcpAt(14, 4), vlanTags: 0, vlanId: -1, linkType: 1 },
    },
    { name: "untagged IPv6", linkType: 1, bytes: ethernet(V6), expect: tcpAt(14, 6) },
    {
      name: "one 802.1Q tag",
      linkType: 1,
      bytes: ethernet(V4, { tags: [{ tpid: 0x8100, id: 100 }] }),
      expect: { ...tcpAt(18, 4), vlanTags: 1, vlanId: 100 },
    },
    {
      name: "802.1ad outer tag around 802.1Q (QinQ): the outer id is kept",
      linkType: 1,
      bytes: ethernet(V4, {
        tags: [
          { tpid: 0x88a8, id: 200 },
          { tpid: 0x8100, id: 100 },
        ],
      }),
      expect: { ...tcpAt(22, 4), vlanTags: 2, vlanId: 200 },
    },
    {
      name: "legacy 0x9100 QinQ tag",
      linkType: 1,
      bytes: ethernet(V6, {
        tags: [
          { tpid: 0x9100, id: 4095 },
          { tpid: 0x8100, id: 1 },
        ],
      }),
      expect: { ...tcpAt(22, 6), vlanTags: 2, vlanId: 4095 },
    },
    {
      name: "three stacked tags",
      linkType: 1,
      bytes: ethernet(V4, {
        tags: [
          { tpid: 0x88a8, id: 7 },
          { tpid: 0x8100, id: 8 },
          { tpid: 0x8100, id: 9 },
        ],
      }),
      expect: { ...tcpAt(26, 4), vlanTags: 3, vlanId: 7 },
    },
    {
      name: "tag with VLAN id 0 (priority tag)",
      linkType: 1,
      bytes: ethernet(V4, { tags: [{ tpid: 0x8100, id: 0 }] }),
      expect: { ...tcpAt(18, 4), vlanTags: 1, vlanId: 0 },
    },
    {
      name: "802.3 length field is not an EtherType",
      linkType: 1,
      bytes: ethernet(V4, { etherType: 0x05dc }),
      expect: { status: "other", problem: "none", ipVersion: 0 },
    },
    {
      name: "ARP",
      linkType: 1,
      bytes: ethernet(V4, { etherType: 0x0806 }),
      expect: { status: "other", ipVersion: 0 },
    },
    {
      name: "MPLS unicast",
      linkType: 1,
      bytes: ethernet(V4, { etherType: 0x8847 }),
      expect: { status: "encapsulated", problem: "none" },
    },
    {
      name: "MPLS multicast",
      linkType: 1,
      bytes: ethernet(V4, { etherType: 0x8848 }),
      expect: { status: "encapsulated" },
    },
    {
      name: "PPPoE session",
      linkType: 1,
      bytes: ethernet(V4, { etherType: 0x8864 }),
      expect: { status: "encapsulated" },
    },
    {
      name: "PPPoE discovery",
      linkType: 1,
      bytes: ethernet(V4, { etherType: 0x8863 }),
      expect: { status: "other" },
    },
    {
      name: "PPPoE session inside a VLAN",
      linkType: 1,
      bytes: ethernet(V4, { etherType: 0x8864, tags: [{ tpid: 0x8100, id: 12 }] }),
      expect: { status: "encapsulated", vlanTags: 1, vlanId: 12 },
    },
    {
      name: "cut inside the header",
      linkType: 1,
      bytes: ethernet(V4),
      capLen: 13,
      expect: { status: "truncated", problem: "link-truncated", ipVersion: 0 },
    },
    {
      name: "cut inside a VLAN tag",
      linkType: 1,
      bytes: ethernet(V4, { tags: [{ tpid: 0x8100, id: 5 }] }),
      capLen: 17,
      expect: { status: "truncated", problem: "link-truncated" },
    },
    {
      name: "EtherType IPv4 with a version 5 header",
      linkType: 1,
      bytes: ethernet(V5, { etherType: 0x0800 }),
      expect: { status: "malformed", problem: "ipv4-bad-version", ipVersion: 0 },
    },
    {
      name: "EtherType IPv6 with an IPv4 header",
      linkType: 1,
      bytes: ethernet(V4, { etherType: 0x86dd }),
      expect: { status: "malformed", problem: "ipv6-bad-version" },
    },
  ];
  run(cases);
});

describe("Linux cooked capture (SLL, SLL2)", () => {
  run([
    { name: "SLL IPv4", linkType: 113, bytes: sll(V4), expect: tcpAt(16, 4) },
    { name: "SLL IPv6", linkType: 113, bytes: sll(V6), expect: tcpAt(16, 6) },
    {
      name: "SLL with the VLAN tag left in the payload",
      linkType: 113,
      bytes: sll(Uint8Array.of(0, 42, 0x08, 0x00, ...V4), 0x8100),
      expect: { ...tcpAt(20, 4), vlanTags: 1, vlanId: 42 },
    },
    {
      name: "SLL LINUX_SLL_P_802_2 protocol",
      linkType: 113,
      bytes: sll(V4, 0x0004),
      expect: { status: "other" },
    },
    {
      name: "SLL cut inside the header",
      linkType: 113,
      bytes: sll(V4),
      capLen: 15,
      expect: { status: "truncated", problem: "link-truncated" },
    },
    { name: "SLL2 IPv4", linkType: 276, bytes: sll2(V4), expect: tcpAt(20, 4) },
    { name: "SLL2 IPv6", linkType: 276, bytes: sll2(V6), expect: tcpAt(20, 6) },
    {
      name: "SLL2 ARP",
      linkType: 276,
      bytes: sll2(V4, 0x0806),
      expect: { status: "other" },
    },
    {
      name: "SLL2 cut inside the header",
      linkType: 276,
      bytes: sll2(V4),
      capLen: 19,
      expect: { status: "truncated", problem: "link-truncated" },
    },
  ]);
});

describe("BSD loopback (NULL, LOOP)", () => {
  const cases: Case[] = [];
  for (const littleEndian of [true, false]) {
    const order = littleEndian ? "little-endian host" : "big-endian host";
    cases.push({
      name: `NULL AF_INET, ${order}`,
      linkType: 0,
      bytes: loopback(V4, 2, littleEndian),
      expect: tcpAt(4, 4),
    });
    for (const [family, os] of [
      [10, "Linux"],
      [24, "NetBSD/OpenBSD"],
      [28, "FreeBSD"],
      [30, "macOS"],
    ] as const) {
      cases.push({
        name: `NULL AF_INET6 ${family} (${os}), ${order}`,
        linkType: 0,
        bytes: loopback(V6, family, littleEndian),
        expect: tcpAt(4, 6),
      });
    }
  }
  cases.push(
    {
      name: "NULL 23 carrying IPv6 (early Npcap, Windows AF_INET6)",
      linkType: 0,
      bytes: loopback(V6, 23, true),
      expect: tcpAt(4, 6),
    },
    {
      name: "NULL 23 carrying something else (AF_IPX on BSD)",
      linkType: 0,
      bytes: loopback(V4, 23, true),
      expect: { status: "other", ipVersion: 0 },
    },
    {
      name: "NULL AF_ISO",
      linkType: 0,
      bytes: loopback(V4, 7, true),
      expect: { status: "other" },
    },
    {
      name: "NULL cut inside the family",
      linkType: 0,
      bytes: loopback(V4, 2, true),
      capLen: 3,
      expect: { status: "truncated", problem: "link-truncated" },
    },
    {
      name: "LOOP AF_INET",
      linkType: 108,
      bytes: loopback(V4, 2, false),
      expect: tcpAt(4, 4),
    },
    {
      name: "LOOP AF_INET6 (OpenBSD 24)",
      linkType: 108,
      bytes: loopback(V6, 24, false),
      expect: tcpAt(4, 6),
    },
    {
      name: "LOOP is always big-endian: a little-endian family is not AF_INET",
      linkType: 108,
      bytes: loopback(V4, 2, true),
      expect: { status: "other" },
    },
  );
  run(cases);
});

describe("raw IP link types", () => {
  const cases: Case[] = [];
  for (const linkType of [101, 12, 14]) {
    cases.push(
      { name: `${linkType} with IPv4`, linkType, bytes: V4, expect: tcpAt(0, 4) },
      { name: `${linkType} with IPv6`, linkType, bytes: V6, expect: tcpAt(0, 6) },
      {
        name: `${linkType} with version 5`,
        linkType,
        bytes: V5,
        expect: { status: "malformed", problem: "ip-bad-version" },
      },
      {
        name: `${linkType} empty`,
        linkType,
        bytes: V4,
        capLen: 0,
        expect: { status: "truncated", problem: "link-truncated" },
      },
    );
  }
  cases.push(
    { name: "IPV4 (228)", linkType: 228, bytes: V4, expect: tcpAt(0, 4) },
    { name: "IPV6 (229)", linkType: 229, bytes: V6, expect: tcpAt(0, 6) },
    {
      name: "IPV4 (228) holding IPv6",
      linkType: 228,
      bytes: V6,
      expect: { status: "malformed", problem: "ipv4-bad-version" },
    },
    {
      name: "IPV6 (229) holding IPv4",
      linkType: 229,
      bytes: V4,
      expect: { status: "malformed", problem: "ipv6-bad-version" },
    },
  );
  run(cases);
});

describe("unsupported link types", () => {
  run(
    [105, 127, 9, 239, 253, 147, 65535, -1].map((linkType) => ({
      name: `link type ${linkType}`,
      linkType,
      bytes: ethernet(V4),
      expect: { status: "unsupported-link", problem: "none", linkType, ipVersion: 0 },
    })),
  );
});

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const p = decode(c.linkType, c.bytes, c.capLen);
      assert.deepEqual(pick(p, c.expect), c.expect);
    });
  }
}
