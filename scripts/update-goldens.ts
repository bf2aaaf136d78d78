/**
 * Regenerates the golden outputs of the incident samples (`npm run goldens`): for each
 * samples/incidents/NAME.pcap, the brief as NAME.golden.txt and the JSON as NAME.golden.json,
 * exactly as `teardown analyze` prints them from the repository root. Review the diff before
 * committing: the test in test/analysis/incident-samples.test.ts checks them.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const cli = join(root, "dist/src/cli/main.js");
const dir = "samples/incidents";
for (const name of readdirSync(join(root, dir)).filter((n) => n.endsWith(".pcap"))) {
  const capture = `${dir}/${name}`;
  const base = join(root, dir, name.replace(/\.pcap$/, ""));
  const brief = execFileSync(process.execPath, [cli, "analyze", capture], {
    cwd: root,
    encoding: "utf8",
  });
  const json = execFileSync(process.execPath, [cli, "analyze", capture, "--json", "-"], {
    cwd: root,
    encoding: "utf8",
  });
  writeFileSync(`${base}.golden.txt`, brief);
  writeFileSync(`${base}.golden.json`, json);
  console.log(`wrote ${base}.golden.txt and .golden.json`);
}
