/**
 * Regenerates the golden outputs of the incident samples (`npm run goldens`): for each
 * samples/incidents/NAME.pcap, every format of GOLDEN_FORMATS (the brief as NAME.golden.txt, the
 * JSON as NAME.golden.json, NDJSON, Markdown, JUnit...), exactly as `teardown analyze` prints
 * them from the repository root. Review the diff before committing: the tests check them.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GOLDEN_FORMATS } from "./golden-formats.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const cli = join(root, "dist/src/cli/main.js");
const dir = "samples/incidents";
for (const name of readdirSync(join(root, dir)).filter((n) => n.endsWith(".pcap"))) {
  const capture = `${dir}/${name}`;
  const base = join(root, dir, name.replace(/\.pcap$/, ""));
  for (const { suffix, args } of GOLDEN_FORMATS) {
    const out = execFileSync(process.execPath, [cli, "analyze", capture, ...args], {
      cwd: root,
      encoding: "utf8",
    });
    writeFileSync(`${base}.${suffix}`, out);
  }
  console.log(`wrote ${base}.{${GOLDEN_FORMATS.map((f) => f.suffix).join(",")}}`);
}
