/**
 * Every output format of `teardown analyze` on every incident sample, against its golden file
 * (`npm run goldens` rewrites them; review the diff). The brief and the JSON are also checked,
 * with the incidents' signatures, in incident-samples.test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GOLDEN_FORMATS } from "../../scripts/golden-formats.js";
import { CLI, REPO_ROOT } from "../differential/capture-files.js";

const DIR = "samples/incidents";

describe("every output format matches its golden file", () => {
  for (const name of readdirSync(join(REPO_ROOT, DIR)).filter((n) => n.endsWith(".pcap"))) {
    it(name, () => {
      for (const { suffix, args } of GOLDEN_FORMATS) {
        const r = spawnSync(process.execPath, [CLI, "analyze", `${DIR}/${name}`, ...args], {
          cwd: REPO_ROOT,
          encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        const golden = readFileSync(
          join(REPO_ROOT, DIR, name.replace(/\.pcap$/, `.${suffix}`)),
          "utf8",
        );
        assert.ok(
          r.stdout === golden,
          `${name}: ${suffix} differs from the golden file (npm run goldens)`,
        );
      }
    });
  }
});
