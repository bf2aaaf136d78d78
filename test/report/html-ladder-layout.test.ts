/** The ladder's broken time axis and frame numbering across files. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BREAK, layoutRows, ROW, yAtTime } from "../../src/report/html/ladder-layout.js";
import { fileFrame } from "../../src/report/html/ladder-svg.js";

describe("ladder layout", () => {
  it("packets close together get one row each", () => {
    const l = layoutRows([10, 10.0000001, 10.0005], { top: 50, breakSec: 1, omittedAfter: -1 });
    assert.deepEqual(l.rows, [50, 50 + ROW, 50 + 2 * ROW]);
    assert.equal(l.breaks.length, 0);
  });

  it("a silence adds room on a log scale, capped, and a long one breaks the axis", () => {
    const l = layoutRows([0, 0.1, 0.2, 90.2, 90.21], { top: 0, breakSec: 1, omittedAfter: -1 });
    const step = (i: number): number => (l.rows[i] as number) - (l.rows[i - 1] as number);
    assert.ok(step(1) > ROW && step(1) < ROW + 30);
    assert.equal(step(3), ROW + BREAK, "90 s drawn as one break, not 90 screens");
    assert.deepEqual(
      l.breaks.map((b) => [b.kind, b.from, b.to]),
      [["silence", 0.2, 90.2]],
    );
  });

  it("the summarised middle is a break wherever it falls", () => {
    const l = layoutRows([0, 0.001, 0.002, 0.003], { top: 0, breakSec: 1, omittedAfter: 1 });
    assert.deepEqual(
      l.breaks.map((b) => b.kind),
      ["omitted"],
    );
  });

  it("places times between rows, inside breaks and after the last row", () => {
    const times = [0, 1, 100];
    const l = layoutRows(times, { top: 0, breakSec: 10, omittedAfter: -1 });
    assert.equal(yAtTime(times, l, 0.5, 40), ((l.rows[0] as number) + (l.rows[1] as number)) / 2);
    const b = l.breaks[0]!;
    assert.equal(yAtTime(times, l, 50, 40), b.y + b.height / 2);
    assert.equal(yAtTime(times, l, 160, 40), l.bottom + 40);
    assert.equal(yAtTime(times, l, 100, 40), l.rows[2]);
  });

  it("backwards timestamps keep the packet order", () => {
    const l = layoutRows([5, 4, 6], { top: 0, breakSec: 10, omittedAfter: -1 });
    assert.ok(
      (l.rows[1] as number) > (l.rows[0] as number) &&
        (l.rows[2] as number) > (l.rows[1] as number),
    );
  });
});

describe("frames across the files of a set", () => {
  it("maps a capture frame to its file and Wireshark's frame.number there", () => {
    const offsets = [0, 6, 60];
    assert.deepEqual(fileFrame(offsets, 1), { file: 0, frame: 1 });
    assert.deepEqual(fileFrame(offsets, 6), { file: 0, frame: 6 });
    assert.deepEqual(fileFrame(offsets, 7), { file: 1, frame: 1 });
    assert.deepEqual(fileFrame(offsets, 61), { file: 2, frame: 1 });
  });
});
