/**
 * Differential test against tshark, an independent implementation: on every sample and every
 * corpus capture, the same number of packets, and for every TCP packet the same timestamp (to the
 * nanosecond the file holds), addresses, ports, flags, seq, ack, window and payload length.
 *
 * Known, deliberate differences are listed in KNOWN_DIFFERENCES with their reason; anything else
 * fails the test.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { basename } from "node:path";
import { corpusCaptures, sampleCaptures } from "./capture-files.js";
import { runTeardown, runTshark, type OurFrame, type TsharkFrame } from "./run-tools.js";
import { compareFrames, type Comparison } from "./compare-frames.js";

const files = [...sampleCaptures(), ...corpusCaptures()];

describe("differential: teardown packets vs tshark", { concurrency: 2 }, () => {
  const totals = { files: 0, frames: 0, tcp: 0, differences: new Map<string, number>() };

  for (const file of files) {
    it(basename(file), async () => {
      const [ours, theirs] = await Promise.all([runTeardown(file), runTshark(file)]);
      const result: Comparison = compareFrames(
        file,
        ours.frames,
        ours.total,
        theirs.frames,
        theirs.run.code === 0,
        theirs.run.stderr,
      );
      totals.files++;
      totals.frames += ours.frames.size;
      totals.tcp += [...ours.frames.values()].filter((f: OurFrame) => f.tcp).length;
      for (const [reason, n] of result.explained)
        totals.differences.set(reason, (totals.differences.get(reason) ?? 0) + n);
      assert.deepEqual(result.unexplained, [], `${file}: differences from tshark`);
      void (theirs.frames as Map<number, TsharkFrame>);
    });
  }

  it("summary", () => {
    const lines = [
      `${totals.files} captures, ${totals.frames} frames, ${totals.tcp} TCP frames compared field by field`,
    ];
    for (const [reason, n] of totals.differences)
      lines.push(`  known difference: ${n} frames: ${reason}`);
    console.log(lines.join("\n"));
  });
});
