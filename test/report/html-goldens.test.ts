/**
 * Golden structure of the HTML report of `teardown analyze --html` on every incident sample: a
 * normalised outline (sections, the finding kinds the brief explains, each ladder's arrows by
 * kind, state bands by side, breaks, brackets and notes, netstat charts, index rows; see
 * html-walk.ts), not the markup, so that wording and styling can change without rewriting it.
 * `TEARDOWN_UPDATE_HTML_OUTLINES=1` rewrites html-outlines.ts from the current output (review
 * the diff).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CLI, REPO_ROOT } from "../differential/capture-files.js";
import { outline } from "./html-walk.js";
import { OUTLINES } from "./html-outlines.js";

const DIR = "samples/incidents";
const UPDATE = process.env["TEARDOWN_UPDATE_HTML_OUTLINES"] === "1";

describe("HTML report outline of each incident sample", () => {
  const actual: Record<string, string> = {};
  for (const name of readdirSync(join(REPO_ROOT, DIR)).filter((n) => n.endsWith(".pcap"))) {
    it(name, () => {
      const r = spawnSync(
        process.execPath,
        [CLI, "analyze", `${DIR}/${name}`, "-q", "--html", "-"],
        {
          cwd: REPO_ROOT,
          encoding: "utf8",
        },
      );
      assert.equal(r.status, 0, r.stderr);
      actual[name] = outline(r.stdout).trimEnd();
      if (!UPDATE)
        assert.equal(
          actual[name],
          OUTLINES[name]?.join("\n"),
          `${name} (TEARDOWN_UPDATE_HTML_OUTLINES=1 to rewrite)`,
        );
    });
  }
  if (UPDATE) {
    it("rewrites html-outlines.ts", () => {
      const file = join(REPO_ROOT, "test/report/html-outlines.ts");
      const head = readFileSync(file, "utf8").split("export const OUTLINES")[0] ?? "";
      writeFileSync(
        file,
        `${head}export const OUTLINES: Readonly<Record<string, readonly string[]>> = ${JSON.stringify(
          Object.fromEntries(Object.entries(actual).map(([k, v]) => [k, v.split("\n")])),
          null,
          2,
        )};\n`,
      );
    });
  }
});
