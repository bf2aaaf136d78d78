/**
 * The fuzzer's own parts: the allocation guard sees what it must, coverage tells a new path
 * from a repeated one, the layout splitter finds the records and blocks the reader finds, seeds
 * are cut at record boundaries, mutation repeats for a seed, and the target's oracle passes the
 * sample captures and rejects what it must reject.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runInThisContext } from "node:vm";
import { CaptureReader } from "../../src/capture/index.js";
import { REPO_ROOT } from "../differential/capture-files.js";
import { beginWatch, endWatch, installAllocationGuard } from "./alloc-guard.js";
import { BlockCoverage } from "./coverage.js";
import { signatureOf } from "./engine.js";
import { capSeed, layoutOf, mutate, Rng } from "./mutate.js";
import { OracleFailure, runTarget } from "./target.js";

installAllocationGuard();

function sample(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(REPO_ROOT, path)));
}

function units(bytes: Uint8Array): { packets: number; blocks: number } {
  let packets = 0;
  const reader = new CaptureReader({ packet: () => void packets++, diagnostic: () => undefined });
  reader.push(bytes);
  reader.end();
  return { packets, blocks: layoutOf(bytes).units.length };
}

/**
 * Branches for the coverage test, compiled as a script of its own so that nothing else (this
 * file's code runs on between takes) is in the coverage's scope. Compiled once coverage has
 * started, as the fuzz worker loads the code under test.
 */
const PROBE_URL = "fuzz-coverage-probe.js";
function probe(): (n: number) => number {
  return runInThisContext(
    "(function branchy(n) { if (n > 10) return n * 2; if (n < 0) return -n; return n + 1; })",
    { filename: PROBE_URL },
  ) as (n: number) => number;
}

describe("the fuzzer's machinery", () => {
  it("the allocation guard sees typed arrays, buffers and arrays sized at run time", () => {
    beginWatch(1000);
    const views = new Uint8Array(new ArrayBuffer(64), 8, 16);
    const small = new Uint32Array(10);
    const watchedSmall = endWatch();
    assert.equal(watchedSmall.offender, undefined);
    assert.equal(watchedSmall.largest, 64, "the ArrayBuffer; a view over it allocates nothing");
    beginWatch(1000);
    const big = Buffer.alloc(4096);
    const arr = new Array(500);
    const copy = Float64Array.from(small);
    const watched = endWatch();
    assert.equal(watched.largest, 4096);
    assert.match(watched.offender?.message ?? "", /Buffer\.alloc of 4096 bytes \(limit 1000\)/);
    assert.ok(views instanceof Uint8Array && big.length + arr.length + copy.length > 0);
    assert.ok([] instanceof Array && Array.isArray(arr));
  });

  it("coverage counts a block once: new paths are fresh, a repeated one is not", () => {
    const coverage = new BlockCoverage((url) => url === PROBE_URL);
    coverage.start();
    try {
      const branchy = probe();
      branchy(1);
      const first = coverage.collect(true);
      branchy(2);
      const again = coverage.collect(true);
      branchy(20);
      const tested = coverage.collect(false);
      branchy(20);
      const other = coverage.collect(true);
      branchy(30);
      const repeated = coverage.collect(true);
      assert.ok(first > 0, `first run: ${first}`);
      assert.equal(again, 0, "the same path");
      assert.ok(tested > 0 && other === tested, "a new branch, seen again until committed");
      assert.equal(repeated, 0);
      assert.ok(coverage.covered >= first + other && coverage.known > coverage.covered);
    } finally {
      coverage.stop();
    }
  });

  it("the layout finds the records and blocks the reader reads", () => {
    const pcap = sample("samples/incidents/client-timeout.pcap");
    assert.deepEqual(units(pcap), { packets: 54, blocks: 54 });
    // SHB, IDB, three EPBs, then a block whose lengths disagree (the reader stops there).
    const ng = sample("samples/crafted/damaged-block-mismatch.pcapng");
    assert.equal(layoutOf(ng).format, "pcapng");
    assert.deepEqual(
      layoutOf(ng)
        .units.slice(0, 5)
        .map((u) => u.kind),
      ["shb", "idb", "epb", "epb", "epb"],
    );
  });

  it("seeds are cut after whole records", () => {
    const pcap = sample("samples/incidents/client-timeout.pcap");
    const cut = capSeed(pcap, 1000, 100);
    const lay = layoutOf(pcap);
    const last = lay.units.filter((u) => u.off + u.len <= 1000).at(-1);
    assert.equal(cut.length, (last?.off ?? 0) + (last?.len ?? 0));
    assert.equal(
      capSeed(pcap, 1 << 20, 5).length,
      (lay.units[4]?.off ?? 0) + (lay.units[4]?.len ?? 0),
    );
    assert.deepEqual(units(cut).packets, units(cut).blocks);
  });

  it("mutation repeats for the same seed and differs for another", () => {
    const pcap = sample("samples/incidents/client-timeout.pcap");
    const run = (seed: number): string[] => {
      const rng = new Rng(seed);
      const ctx = { rng, other: () => pcap, maxLength: 65536 };
      return Array.from({ length: 50 }, () => Buffer.from(mutate(pcap, ctx)).toString("base64"));
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
    for (const m of run(9)) assert.ok(Buffer.from(m, "base64").length <= 65536);
  });

  it("the target passes the incident samples and names what it rejects", () => {
    for (const name of ["client-timeout", "http2-storm", "unread-body"]) {
      const r = runTarget(sample(`samples/incidents/${name}.pcap`));
      assert.ok(r.packets > 0 && r.flows > 0 && r.tcpPackets === r.packets, name);
    }
    const empty = runTarget(new Uint8Array(0));
    assert.deepEqual([empty.packets, empty.diagnostics], [0, ["not-a-capture"]]);
    assert.equal(
      signatureOf(new OracleFailure("chunking", "differs")),
      "chunking",
      "an oracle failure is named by its check",
    );
    const e = new RangeError("boom");
    e.stack = `RangeError: boom\n    at captureLines (file:///x/dist/src/report/markdown.js:95:62)\n`;
    assert.equal(signatureOf(e), "RangeError in captureLines (src/report/markdown.js)");
  });
});
