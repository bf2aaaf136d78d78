/**
 * The link-type catalogue: names, and the decoded rows matching what the decoder opens.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodePacket,
  isDecodedLinkType,
  LINK_TYPES,
  linkTypeInfo,
  linkTypeName,
  newDecodedPacket,
} from "../../src/decode/index.js";

describe("link-type catalogue", () => {
  const names: [number, string][] = [
    [0, "NULL"],
    [1, "ETHERNET"],
    [9, "PPP"],
    [12, "RAW"],
    [14, "RAW"],
    [50, "PPP_HDLC"],
    [51, "PPP_ETHER"],
    [101, "RAW"],
    [104, "C_HDLC"],
    [105, "IEEE802_11"],
    [108, "LOOP"],
    [113, "LINUX_SLL"],
    [119, "IEEE802_11_PRISM"],
    [127, "IEEE802_11_RADIOTAP"],
    [147, "USER0"],
    [162, "USER15"],
    [163, "IEEE802_11_AVS"],
    [192, "PPI"],
    [197, "ERF"],
    [201, "BLUETOOTH_HCI_H4_WITH_PHDR"],
    [220, "USB_LINUX_MMAPPED"],
    [228, "IPV4"],
    [229, "IPV6"],
    [239, "NFLOG"],
    [249, "USBPCAP"],
    [253, "NETLINK"],
    [276, "LINUX_SLL2"],
    [4242, "LINKTYPE_4242"],
    [2, "LINKTYPE_2"],
  ];
  for (const [value, name] of names) {
    it(`${value} is ${name}`, () => assert.equal(linkTypeName(value), name));
  }

  it("lists each value once", () => {
    const values = LINK_TYPES.map((t) => t.value);
    assert.equal(new Set(values).size, values.length);
  });

  it("marks exactly the link types the decoder opens as decoded", () => {
    const out = newDecodedPacket();
    for (let linkType = -1; linkType <= 300; linkType++) {
      decodePacket(out, linkType, new Uint8Array(64), 0, 64);
      assert.equal(
        out.status !== "unsupported-link",
        isDecodedLinkType(linkType),
        `${linkTypeName(linkType)} (${linkType})`,
      );
    }
  });

  it("the decoded set is the one documented", () => {
    const decoded = LINK_TYPES.filter((t) => t.decoded).map((t) => t.value);
    assert.deepEqual(
      decoded.sort((a, b) => a - b),
      [0, 1, 12, 14, 101, 108, 113, 228, 229, 276],
    );
    assert.equal(linkTypeInfo(113)?.decoded, true);
    assert.equal(linkTypeInfo(4242), undefined);
  });
});
