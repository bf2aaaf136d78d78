/**
 * The fuzzer's CI budget: a fixed number of executions from a fixed seed (so a failure repeats
 * with `npm run fuzz -- --seed 1 --runs N`), capped in time so a slow machine still finishes.
 * It fails on any failure not listed in known-failures.ts, with the command that reproduces it,
 * and on a fuzzer that no longer measures coverage or finds nothing past its seeds.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../differential/capture-files.js";
import { KNOWN_FAILURES } from "./known-failures.js";
import { formatReport, runFuzz } from "./main.js";

export const CI_SEED = 1;
export const CI_RUNS = 3000;
export const CI_TIME_MS = 40_000;

describe("fuzzing the pipeline from capture bytes (CI budget)", () => {
  it(`runs ${CI_RUNS} executions (the seeds, then coverage-guided mutants) without a new failure`, async (t) => {
    const report = await runFuzz({
      seed: CI_SEED,
      runs: CI_RUNS,
      timeMs: CI_TIME_MS,
      outDir: join(REPO_ROOT, "test-output/fuzz-ci"),
    });
    for (const line of formatReport(report, CI_SEED).split("\n")) t.diagnostic(line);
    const unknown = report.failures.filter((f) => !Object.hasOwn(KNOWN_FAILURES, f.signature));
    assert.deepEqual(
      unknown.map((f) => `${f.signature}: ${f.message.split("\n")[0]} (${f.repro ?? "not saved"})`),
      [],
      "failures the fuzzer found",
    );
    assert.ok(report.blocksFromSeeds > 300, `coverage measured: ${report.blocksFromSeeds} blocks`);
    assert.ok(
      report.blocksCovered > report.blocksFromSeeds,
      "mutants reach blocks the seeds do not",
    );
    assert.ok(report.execs >= Math.min(CI_RUNS, 300), `${report.execs} executions`);
  });
});
