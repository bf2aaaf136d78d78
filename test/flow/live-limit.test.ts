/**
 * --max-live-connections: past the limit a new flow first finishes the one quiet for longest, so
 * a flood of flows that never close cannot make memory grow with the capture; every flow is
 * still handed over, whole, and counted.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { writeMemoryCapture } from "../../bench/memory-capture.js";
import { newDecodedPacket, TCP_ACK, TCP_SYN } from "../../src/decode/index.js";
import { DEFAULT_TRACKER_OPTIONS, FlowTracker, type FlowEndReason } from "../../src/flow/index.js";
import { CLI } from "../differential/capture-files.js";
import { run } from "../differential/run-tools.js";

describe("the live-flow limit", () => {
  it("finishes the least recently active flow when a new one would pass the limit", () => {
    const ended: [number, FlowEndReason][] = [];
    const tracker = new FlowTracker(
      { flowEnded: (f, reason) => ended.push([f.cPort, reason]) },
      { ...DEFAULT_TRACKER_OPTIONS, maxFlows: 3 },
    );
    const p = newDecodedPacket();
    p.status = "tcp";
    p.ipVersion = 4;
    p.src0 = 0x0a000001;
    p.dst0 = 0x0a000002;
    p.dstPort = 80;
    let frame = 0;
    const syn = (port: number): void => {
      p.srcPort = port;
      p.flags = TCP_SYN;
      p.seq = port * 1000;
      p.ack = 0;
      tracker.packet(++frame, 1_700_000_000, frame * 1000, p);
    };
    for (const port of [1001, 1002, 1003]) syn(port);
    assert.deepEqual(ended, []);
    // Flow 1001 becomes the most recently active: 1002 is now the quietest.
    p.flags = TCP_ACK;
    syn(1001);
    syn(1004);
    syn(1005);
    assert.deepEqual(ended, [
      [1002, "idle"],
      [1003, "idle"],
    ]);
    assert.equal(tracker.evictedFlows, 2);
    tracker.end();
    assert.deepEqual(
      (ended as readonly [number, FlowEndReason][]).map(([port]) => port),
      [1002, 1003, 1001, 1004, 1005],
    );
    assert.equal(tracker.peakLive, 3);
  });

  it("analyze: every SYN of a flood is a flow, those past the limit finished early and said so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "teardown-live-"));
    try {
      const file = join(dir, "syn.pcap");
      writeMemoryCapture({ path: file, shape: "syn", flows: 3000, gapUs: 1 });
      for (const threads of ["1", "2"]) {
        const r = await run(process.execPath, [
          CLI,
          "analyze",
          file,
          "--json",
          "-",
          "-q",
          "--threads",
          threads,
          "--max-live-connections",
          "1000",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(
          r.stderr,
          /more than 1000 connections were alive at once; 2000 were finished early/,
        );
        const doc = JSON.parse(r.stdout) as {
          flows: unknown[];
          capture: { finishedEarly: number; peakLiveConnections: number };
          summary: { flows: number; unanswered: number };
        };
        assert.equal(doc.flows.length, 3000);
        assert.equal(doc.summary.unanswered, 3000);
        assert.equal(doc.capture.finishedEarly, 2000);
        assert.equal(doc.capture.peakLiveConnections, 1000);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
