/**
 * Capture times past what a Date holds (a pcapng timestamp is 64 bits: a damaged or odd one can
 * claim the year 580 million) never fail an output. The fuzzer found `--format markdown` failing
 * with "Invalid time value" and `--json` writing "11529215063078956 0" on such files.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { XMLValidator } from "fast-xml-parser";
import { dateHolds, isoTime, timeOfDay } from "../../src/analysis/index.js";
import { CLI, CORPUS_DIR } from "../differential/capture-files.js";
import { run } from "../differential/run-tools.js";

/** Its last packets are stamped 18446744073204 s after the epoch. */
const FILE = join(CORPUS_DIR, "pcapplusplus__pcapng-example.pcapng");

describe("capture times past a Date's range", () => {
  it("isoTime and timeOfDay fall back to the seconds themselves", () => {
    assert.equal(isoTime(1_700_000_000.5), "2023-11-14T22:13:20.500Z");
    assert.equal(timeOfDay(1_700_000_000.5), "22:13:20.500");
    assert.equal(dateHolds(8.64e12), true);
    assert.equal(dateHolds(8.64e12 + 1), false);
    assert.equal(isoTime(18446744073204.277), "18446744073204.277 s after the epoch");
    assert.equal(timeOfDay(-1e13), "-10000000000000 s after the epoch");
    assert.equal(dateHolds(Number.NaN), false);
  });

  it("every output format of a capture stamped 18446744073204 s", async () => {
    for (const format of ["text", "json", "ndjson", "zeek", "markdown", "junit"]) {
      const r = await run(process.execPath, [CLI, "analyze", FILE, "--format", format, "-q"]);
      assert.equal(r.code, 0, `${format}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error/, format);
      if (format === "json") JSON.parse(r.stdout);
      if (format === "ndjson") for (const line of r.stdout.trimEnd().split("\n")) JSON.parse(line);
      if (format === "junit") assert.equal(XMLValidator.validate(r.stdout), true);
      if (format === "markdown") assert.match(r.stdout, /18446744073204\.\d+ s after the epoch/);
    }
    const dir = mkdtempSync(join(tmpdir(), "teardown-absurd-"));
    try {
      const html = join(dir, "r.html");
      const r = await run(process.execPath, [CLI, "analyze", FILE, "-q", "--html", html]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(XMLValidator.validate(readFileSync(html, "utf8")), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
