/**
 * Length fields that claim gigabytes: every one the readers take from a file (pcap snapshot and
 * captured lengths, pcapng block, captured, original and option lengths) is bounded by the
 * format's rules and the hard limit (HARD_MAX_PACKET) before it can size anything, and the
 * reader's only buffer (the carry for a record split across chunks) grows with the bytes that
 * really arrive, never with what a header claims. Each file is read whole and in chunks of 1, 7
 * and 65536 bytes while the fuzzer's allocation guard watches every typed-array allocation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  concatBytes,
  epb,
  idb,
  otherBlock,
  pcapFileHeader,
  pcapRecord,
  shb,
  spb,
} from "../../samples/tools/capture-writer.js";
import { CaptureReader, HARD_MAX_PACKET, type CaptureDiagnostic } from "../../src/capture/index.js";
import { beginWatch, endWatch, installAllocationGuard } from "../fuzz/alloc-guard.js";

installAllocationGuard();

/** The carry buffer's first size: what reading any file costs anyway. */
const INITIAL_CARRY = 64 * 1024;

interface Outcome {
  packets: number;
  capLens: number[];
  origLens: number[];
  diagnostics: CaptureDiagnostic[];
  /** Largest single allocation the reader made while reading. */
  largest: number;
}

function read(bytes: Uint8Array, chunk: number): Outcome {
  const out: Outcome = { packets: 0, capLens: [], origLens: [], diagnostics: [], largest: 0 };
  const reader = new CaptureReader({
    packet(rec) {
      out.packets++;
      out.capLens.push(rec.capLen);
      out.origLens.push(rec.origLen);
    },
    diagnostic(d) {
      out.diagnostics.push(d);
    },
  });
  beginWatch(Infinity);
  for (let i = 0; i < bytes.length; i += chunk) reader.push(bytes.subarray(i, i + chunk));
  reader.end();
  out.largest = endWatch().largest;
  return out;
}

/** Reads every way; asserts they agree and that the reader allocated at most `maxAlloc` at once. */
function readEveryWay(bytes: Uint8Array, maxAlloc = INITIAL_CARRY): Outcome {
  const whole = read(bytes, bytes.length || 1);
  for (const chunk of [1, 7, 65536]) {
    if (chunk === 1 && bytes.length > 1 << 20) continue;
    const r = read(bytes, chunk);
    assert.deepEqual(
      { ...r, largest: 0 },
      { ...whole, largest: 0 },
      `chunks of ${chunk} agree with one read`,
    );
    assert.ok(r.largest <= maxAlloc, `chunks of ${chunk}: allocated ${r.largest} > ${maxAlloc}`);
  }
  assert.ok(whole.largest <= maxAlloc, `one read: allocated ${whole.largest} > ${maxAlloc}`);
  return whole;
}

function codes(o: Outcome): string[] {
  return o.diagnostics.map((d) => `${d.code} at ${d.byteOffset}, record ${d.record}`);
}

const frame = (n: number): Uint8Array => new Uint8Array(n).fill(0x5a);

describe("pcap length fields that claim gigabytes", () => {
  it("a 4 GiB captured length stops the file with a clear error and allocates nothing for it", () => {
    const spec = { linkType: 1 };
    const good = pcapRecord(spec, { tsSec: 1, tsFrac: 0, data: frame(60) });
    const bad = pcapRecord(spec, { tsSec: 2, tsFrac: 0, data: frame(60), capLenField: 0xffffffff });
    const r = readEveryWay(concatBytes([pcapFileHeader(spec), good, bad]));
    assert.equal(r.packets, 1);
    assert.deepEqual(codes(r), [`impossible-length at ${24 + good.length}, record 2`]);
    assert.equal(
      r.diagnostics[0]?.message,
      "record length 4294967295 exceeds the limit of 262144 bytes (snapshot length 262144)",
    );
  });

  it("a snapshot length of 4 GiB raises the limit only to the hard cap", () => {
    const spec = { linkType: 1, snapLen: 0xffffffff };
    for (const capLen of [0x7fffffff, HARD_MAX_PACKET + 1]) {
      const bad = pcapRecord(spec, { tsSec: 1, tsFrac: 0, data: frame(60), capLenField: capLen });
      const r = readEveryWay(concatBytes([pcapFileHeader(spec), bad]));
      assert.deepEqual(codes(r), ["impossible-length at 24, record 1"], `captured ${capLen}`);
      assert.match(r.diagnostics[0]?.message ?? "", /exceeds the limit of 16777216 bytes/);
    }
  });

  it("a record claiming the whole 16 MiB in a short file costs what the file holds", () => {
    const spec = { linkType: 1, snapLen: 0xffffffff };
    const claim = pcapRecord(spec, {
      tsSec: 1,
      tsFrac: 0,
      data: frame(100_000),
      capLenField: HARD_MAX_PACKET,
    });
    const r = readEveryWay(concatBytes([pcapFileHeader(spec), claim]), 2 * 100_016);
    assert.equal(r.packets, 0);
    assert.deepEqual(codes(r), ["truncated-record at 24, record 1"]);
  });

  it("a real 16 MiB record read in 64 KiB chunks is held in one buffer of its own size", () => {
    const spec = { linkType: 1, snapLen: 0xffffffff };
    const big = pcapRecord(spec, { tsSec: 1, tsFrac: 0, data: frame(HARD_MAX_PACKET) });
    const bytes = concatBytes([pcapFileHeader(spec), big]);
    const r = read(bytes, 65536);
    assert.deepEqual([r.packets, r.capLens, codes(r)], [1, [HARD_MAX_PACKET], []]);
    // Doubling from 64 KiB would have made it 32 MiB.
    assert.equal(r.largest, HARD_MAX_PACKET + 16);
  });

  it("a 4 GiB length on the wire is only reported, never used to size anything", () => {
    const spec = { linkType: 1 };
    const rec = pcapRecord(spec, { tsSec: 1, tsFrac: 0, data: frame(60), origLen: 0xffffffff });
    const r = readEveryWay(concatBytes([pcapFileHeader(spec), rec]));
    assert.deepEqual([r.capLens, r.origLens, codes(r)], [[60], [0xffffffff], []]);
  });
});

for (const le of [true, false]) {
  describe(`pcapng length fields that claim gigabytes (${le ? "little" : "big"}-endian)`, () => {
    const head = concatBytes([shb(le), idb(le, { linkType: 1 })]);

    it("block total lengths of 4 GiB stop the file before anything is sized by them", () => {
      for (const total of [0xfffffffc, 0x80000000, 16 * 1024 * 1024 + 64 * 1024 + 4]) {
        const r = readEveryWay(concatBytes([head, otherBlock(le, 4, frame(16), total)]));
        assert.deepEqual(codes(r), [`impossible-length at ${head.length}, record 3`], `${total}`);
        assert.match(r.diagnostics[0]?.message ?? "", /exceeds the limit of 16842752 bytes/);
      }
    });

    it("a block that claims the largest length allowed in a short file costs what it holds", () => {
      const claim = otherBlock(le, 4, frame(100_000), 16 * 1024 * 1024 + 64 * 1024);
      const r = readEveryWay(concatBytes([head, claim.subarray(0, 100_008)]), 2 * 100_008);
      assert.deepEqual(codes(r), [`truncated-record at ${head.length}, record 3`]);
    });

    it("an EPB captured length of 4 GiB inside a small block is malformed, not a read", () => {
      const bad = epb(le, { interfaceId: 0, ticks: 1n, data: frame(60), capLenField: 0xffffffff });
      const r = readEveryWay(concatBytes([head, bad]));
      assert.equal(r.packets, 0);
      assert.deepEqual(codes(r), [`malformed-block at ${head.length}, record 3`]);
      assert.match(r.diagnostics[0]?.message ?? "", /captured length 4294967295 runs past/);
    });

    it("an interface snapshot length of 4 GiB raises the packet limit only to the hard cap", () => {
      const wide = concatBytes([shb(le), idb(le, { linkType: 1, snapLen: 0xffffffff })]);
      const r = readEveryWay(
        concatBytes([wide, epb(le, { interfaceId: 0, ticks: 1n, data: frame(60) })]),
      );
      assert.deepEqual([r.packets, codes(r)], [1, []]);
    });

    it("an SPB whose original length is 4 GiB delivers the bytes its block holds", () => {
      const r = readEveryWay(concatBytes([head, spb(le, frame(60), 0xffffffff)]));
      assert.deepEqual([r.capLens, r.origLens, codes(r)], [[60], [0xffffffff], []]);
    });

    it("an option length running past its block is malformed", () => {
      const named = idb(le, { linkType: 1, name: "eth0" });
      // The if_name option's length field, after the 16 fixed bytes and its 2-byte code.
      new DataView(named.buffer).setUint16(16 + 2, 0xffff, le);
      const r = readEveryWay(concatBytes([shb(le), named]));
      assert.deepEqual(codes(r), ["malformed-block at 28, record 2"]);
    });

    it("a section length of 2^64 - 1 (unknown, as the specification allows) is ignored", () => {
      const r = readEveryWay(
        concatBytes([head, epb(le, { interfaceId: 0, ticks: 1n, data: frame(60) })]),
      );
      assert.deepEqual([r.packets, codes(r)], [1, []]);
    });
  });
}
