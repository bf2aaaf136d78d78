/**
 * Every sample and every corpus capture (145 public files, damaged ones included) either reads
 * completely or stops with one documented error; none throws or hangs. In-process, each file is
 * also read in chunks of 1 (small files), 7 and 65536 bytes, which must all agree.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { CAPTURE_DIAGNOSTICS } from "../../src/capture/index.js";
import { corpusCaptures, sampleCaptures, CLI } from "../differential/capture-files.js";
import { run } from "../differential/run-tools.js";
import { readBytes } from "./read-helper.js";

const files = [...sampleCaptures(), ...corpusCaptures()];
const ONE_BYTE_LIMIT = 256 * 1024;

function contents(file: string): Uint8Array {
  const raw = readFileSync(file);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

describe("every capture reads completely or stops with one documented error", () => {
  const outcome = { complete: 0, warned: 0, stopped: 0 };

  for (const file of files) {
    it(basename(file), async () => {
      const bytes = contents(file);
      const whole = readBytes(bytes);
      const sizes = bytes.length <= ONE_BYTE_LIMIT ? [1, 7, 65536] : [7, 65536];
      for (const size of sizes)
        assert.deepEqual(readBytes(bytes, size), whole, `chunks of ${size}`);

      const errors = whole.diagnostics.filter((d) => d.severity === "error");
      assert.ok(errors.length <= 1, "at most one error, which ends the file");
      if (errors.length === 1)
        assert.equal(whole.diagnostics.at(-1), errors[0], "the error is the last word");
      for (const d of whole.diagnostics) {
        assert.ok(d.code in CAPTURE_DIAGNOSTICS, `catalogued code ${d.code}`);
        assert.equal(d.severity, CAPTURE_DIAGNOSTICS[d.code].severity);
        assert.doesNotMatch(d.message, /[\n\r]/, "one line");
      }
      if (errors.length > 0) outcome.stopped++;
      else if (whole.diagnostics.length > 0) outcome.warned++;
      else outcome.complete++;

      // The CLI: exit 0 (read) or 2 (damaged), one line per problem, never a stack trace.
      const r = await run(process.execPath, [CLI, "packets", "--quiet", file], 60_000);
      assert.ok(r.code === 0 || r.code === 2, `exit status ${r.code}: ${r.stderr}`);
      assert.equal(r.code === 2, errors.length > 0, "exit 2 exactly when the file was damaged");
      for (const line of r.stderr.split("\n").filter((l) => l !== "")) {
        assert.match(
          line,
          /^\S.*: (error|warning)( at byte \d+(, record \d+)?)?: .+/,
          "a one-line diagnostic",
        );
        assert.doesNotMatch(line, /internal error|^\s+at /);
      }
    });
  }

  it("summary", () => {
    console.log(
      `${files.length} captures: ${outcome.complete} read cleanly, ${outcome.warned} with warnings, ` +
        `${outcome.stopped} stopped by a documented error`,
    );
  });
});
