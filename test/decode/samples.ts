/**
 * One packet of each kind the decoder distinguishes, for tests that run over many packets
 * (determinism, property tests): every status, both IP versions, options, SACK, VLANs.
 */
import { ethernet, ipv4, ipv6, loopback, opt, sll, sll2, tcp } from "./build.js";

export interface Sample {
  readonly name: string;
  readonly linkType: number;
  readonly bytes: Uint8Array;
  readonly capLen?: number;
}

const fullOptions = tcp({
  options: [
    ...opt.mss(1460),
    ...opt.windowScale(9),
    ...opt.sackPermitted(),
    ...opt.timestamps(1, 2),
    ...opt.nop(),
    ...opt.nop(),
  ],
  flags: 0x002,
});
const sack4 = tcp({
  options: [
    ...opt.nop(),
    ...opt.nop(),
    ...opt.sack([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]),
  ],
  payloadLen: 10,
});

export const SAMPLES: readonly Sample[] = [
  { name: "ethernet ipv4 tcp", linkType: 1, bytes: ethernet(ipv4(tcp({ payloadLen: 30 }))) },
  { name: "ethernet ipv4 syn options", linkType: 1, bytes: ethernet(ipv4(fullOptions)) },
  {
    name: "qinq ipv6 sack",
    linkType: 1,
    bytes: ethernet(ipv6(sack4), {
      tags: [
        { tpid: 0x88a8, id: 10 },
        { tpid: 0x8100, id: 20 },
      ],
    }),
  },
  {
    name: "ipv6 ext chain first fragment",
    linkType: 113,
    bytes: sll(
      ipv6(tcp({ payloadLen: 5 }), {
        ext: [{ type: 0 }, { type: 60 }, { type: 44, offset: 0, more: true }],
      }),
    ),
  },
  { name: "jumbo", linkType: 276, bytes: sll2(ipv6(tcp({ payloadLen: 9 }), { jumbo: true })) },
  {
    name: "ipv4 non-first fragment",
    linkType: 0,
    bytes: loopback(ipv4(tcp(), { fragmentOffset: 9 }), 2, false),
  },
  {
    name: "ipv6 non-first fragment",
    linkType: 229,
    bytes: ipv6(tcp(), { ext: [{ type: 44, offset: 9, more: false }] }),
  },
  { name: "udp", linkType: 228, bytes: ipv4(new Uint8Array(8), { protocol: 17 }) },
  { name: "gre", linkType: 101, bytes: ipv4(tcp(), { protocol: 47 }) },
  { name: "unsupported", linkType: 127, bytes: ethernet(ipv4(tcp())) },
  { name: "link cut", linkType: 1, bytes: ethernet(ipv4(tcp())), capLen: 5 },
  { name: "ipv6 ext cut", linkType: 12, bytes: ipv6(tcp(), { ext: [{ type: 0 }] }), capLen: 44 },
  { name: "bad ihl", linkType: 14, bytes: ipv4(tcp(), { ihl: 3 }) },
  {
    name: "bad data offset",
    linkType: 108,
    bytes: loopback(ipv4(tcp({ dataOffset: 2 })), 2, false),
  },
  {
    name: "tcp cut in payload with vlan",
    linkType: 1,
    bytes: ethernet(ipv4(sack4), { tags: [{ tpid: 0x8100, id: 99 }] }),
    capLen: 80,
  },
  {
    name: "ipv4 first fragment with 40 option bytes",
    linkType: 101,
    bytes: ipv4(fullOptions, { moreFragments: true, options: new Array<number>(40).fill(1) }),
  },
];
