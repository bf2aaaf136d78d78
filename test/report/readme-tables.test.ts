/** The README's catalogue tables are generated from the code: fail when they are out of date. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fillGeneratedSections, GENERATED_SECTIONS } from "../../src/report/index.js";
import { REPO_ROOT } from "../differential/capture-files.js";

describe("README tables", () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  /** Prettier pads table cells; compare without the padding. */
  const squeeze = (s: string): string => s.replace(/ *\| */g, "|").replace(/-{3,}/g, "---");

  it("has every generated section", () => {
    for (const name of Object.keys(GENERATED_SECTIONS))
      assert.ok(readme.includes(`<!-- generated:${name} -->`), name);
  });

  it("matches the catalogues (run `npm run docs` after changing one)", () => {
    assert.equal(squeeze(fillGeneratedSections(readme)), squeeze(readme));
  });
});
