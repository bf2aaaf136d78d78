/**
 * `teardown analyze` on every sample and corpus capture: never an internal error, valid
 * teardown/1 JSON, and invariants that hold for any flow whatever the capture.
 */
import assert from "node:assert/strict";
import { basename } from "node:path";
import { describe, it } from "node:test";
import type { FlowResult } from "../../src/analysis/index.js";
import { CLI, corpusCaptures, sampleCaptures } from "../differential/capture-files.js";
import { run } from "../differential/run-tools.js";

const files = [...sampleCaptures(), ...corpusCaptures()];

function checkFlow(f: FlowResult): void {
  const where = `flow ${f.id}`;
  assert.equal(f.closedBy === "none", f.close === "none", `${where}: closedBy and close agree`);
  assert.ok(f.end >= f.start, `${where}: ends after it starts`);
  assert.equal(
    f.timeWaitUntil === null,
    f.timeWait === "none",
    `${where}: timeWaitUntil set with timeWait`,
  );
  for (const side of ["client", "server"] as const) {
    const states = f.states[side];
    assert.ok(states.length >= 1, `${where}: ${side} has an initial state`);
    assert.ok(
      ["CLOSED", "UNKNOWN"].includes(states[0]?.state ?? ""),
      `${where}: ${side} starts CLOSED or UNKNOWN`,
    );
    for (let i = 1; i < states.length; i++) {
      // Packet order, not time order: damaged captures have timestamps that go backwards.
      assert.ok(
        (states[i]?.frame ?? 0) >= (states[i - 1]?.frame ?? 0),
        `${where}: ${side} states in frame order`,
      );
      assert.notEqual(
        states[i]?.state,
        states[i - 1]?.state,
        `${where}: ${side} records changes only`,
      );
    }
  }
  for (const x of f.findings) {
    assert.ok(
      x.evidence.length > 0 && x.evidence.every((n) => Number.isInteger(n) && n > 0),
      `${where}: ${x.kind} evidence frames`,
    );
    assert.doesNotMatch(x.detail, /NaN|undefined|Infinity/, `${where}: ${x.kind} detail`);
  }
}

describe("analyze on every capture", { concurrency: 2 }, () => {
  for (const file of files) {
    it(basename(file), async () => {
      const r = await run(process.execPath, [CLI, "analyze", file, "--json", "-"], 60_000);
      assert.ok(r.code === 0 || r.code === 2, `exit ${r.code}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error|^\s+at /m);
      const j = JSON.parse(r.stdout) as {
        schema: string;
        flows: FlowResult[];
        summary: { flows: number };
      };
      assert.equal(j.schema, "teardown/1");
      assert.equal(j.summary.flows, j.flows.length);
      assert.equal(new Set(j.flows.map((f) => f.id)).size, j.flows.length, "ids are unique");
      j.flows.forEach(checkFlow);
    });
  }
});
