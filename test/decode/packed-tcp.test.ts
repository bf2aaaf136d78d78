/**
 * Packed TCP segments (decode/packed-tcp.ts) unpack into the fields the flow layer reads, equal
 * to the decoder's, with the same captured payload: checked on every TCP segment of real
 * captures (both IP versions, hostile and cut payloads), packed into
 * batches small enough that they fill and are taken many times over.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  newDecodedPacket,
  PackedTcpWriter,
  packedFrame,
  packedTsNsec,
  packedTsSec,
  unpackTcp,
  type DecodedPacket,
  type PackedTcp,
} from "../../src/decode/index.js";
import { CORPUS_DIR, REPO_ROOT } from "../differential/capture-files.js";
import { captureBytes, decodeAll } from "./decode-file.js";

/** What the flow layer reads of a segment (see the flow tracker), as one comparable object. */
function flowView(p: DecodedPacket): Record<string, unknown> {
  const captured = Math.min(p.capturedPayloadLen, p.payloadLen);
  return {
    status: p.status,
    ipVersion: p.ipVersion,
    src: [p.src0, p.src1, p.src2, p.src3],
    dst: [p.dst0, p.dst1, p.dst2, p.dst3],
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    seq: p.seq,
    ack: p.ack,
    flags: p.flags,
    window: p.window,
    windowScale: p.windowScale,
    mss: p.mss,
    payloadLen: p.payloadLen,
    capturedPayloadLen: p.capturedPayloadLen,
    tcpHeaderLen: p.tcpHeaderLen,
    // The tracker's count of IP bytes per packet.
    ipBytes: p.payloadOffset - p.tcpHeaderLen - p.ipOffset + p.ipPayloadLen,
    payload: Buffer.from(p.bytes.subarray(p.payloadOffset, p.payloadOffset + captured)).toString(
      "hex",
    ),
  };
}

const CAPTURES = [
  join(REPO_ROOT, "samples", "incidents", "http2-storm.pcap"),
  join(REPO_ROOT, "samples", "incidents", "unread-body.pcap"),
  join(REPO_ROOT, "samples", "hostile", "hostile.pcap"),
  join(CORPUS_DIR, "zeek__ftp__ipv6.pcap"),
  join(CORPUS_DIR, "suricata__http-mime-truncated__input.pcap"),
  join(CORPUS_DIR, "pcapplusplus__four_ipv6_http_streams.pcap"),
];

describe("packed TCP segments", () => {
  for (const path of CAPTURES) {
    it(`unpack to the decoder's fields and payload: ${path.split("/").pop()}`, () => {
      const expected: Record<string, unknown>[] = [];
      const times: [number, number, number][] = [];
      const out = newDecodedPacket();
      let k = 0;
      let batches = 0;
      // Each batch is checked as it is taken, then its arrays are filled again, as the CLI gives
      // them back once it has tracked their segments.
      const check = (b: PackedTcp): PackedTcp => {
        batches++;
        for (let i = 0; i < b.count; i++, k++) {
          unpackTcp(out, b, i);
          assert.deepEqual(flowView(out), expected[k], `segment ${k}`);
          assert.deepEqual(
            [packedFrame(b, i), packedTsSec(b, i), packedTsNsec(b, i)],
            times[k],
            `segment ${k} frame and time`,
          );
        }
        return b;
      };
      // Small batches: 7 segments or 3000 payload bytes, whichever fills first.
      const writer = new PackedTcpWriter(7, 3000);
      let spare: PackedTcp | undefined;
      decodeAll(captureBytes(path), (rec, p) => {
        if (p.status !== "tcp") return;
        expected.push(flowView(p));
        times.push([rec.frame, rec.tsSec, rec.tsNsec]);
        if (!writer.fits(Math.min(p.capturedPayloadLen, p.payloadLen)))
          spare = check(writer.take(spare));
        writer.add(rec.frame, rec.tsSec, rec.tsNsec, p);
      });
      check(writer.take());
      assert.ok(expected.length > 20, "the capture has TCP segments");
      assert.ok(batches > 3, "the segments filled several batches");
      assert.equal(k, expected.length);
    });
  }

  it("takes a segment larger than its payload array into an empty batch", () => {
    const p = newDecodedPacket();
    p.status = "tcp";
    p.ipVersion = 4;
    p.bytes = new Uint8Array(5000).map((_, i) => i & 0xff);
    p.payloadOffset = 40;
    p.tcpHeaderLen = 20;
    p.ipOffset = 0;
    p.payloadLen = 4960;
    p.capturedPayloadLen = 4960;
    p.ipPayloadLen = 4980;
    const writer = new PackedTcpWriter(4, 1000);
    assert.equal(writer.fits(4960), false);
    writer.add(1, 2, 3, p);
    const b = writer.take();
    const out = newDecodedPacket();
    unpackTcp(out, b, 0);
    assert.deepEqual(flowView(out), flowView(p));
  });
});
