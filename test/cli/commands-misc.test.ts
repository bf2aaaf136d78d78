/**
 * `teardown explain`, `teardown completion`, the configuration file, and `--help` of every
 * command, end to end.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FINDING_KINDS } from "../../src/analysis/index.js";
import { CLI, REPO_ROOT } from "../differential/capture-files.js";

const sample = (name: string): string => join(REPO_ROOT, "samples", "incidents", name);
const dir = mkdtempSync(join(tmpdir(), "teardown-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function teardown(args: readonly string[], cwd = REPO_ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("teardown explain", () => {
  it("lists every kind, explains one, and refuses an unknown one (exit 1)", () => {
    const list = teardown(["explain"]);
    assert.equal(list.code, 0);
    for (const kind of Object.keys(FINDING_KINDS))
      assert.match(list.stdout, new RegExp(`^  ${kind} `, "m"));
    const one = teardown(["explain", "rst-unread-data"]);
    assert.equal(one.code, 0);
    assert.match(one.stdout, /RFC 2525 2\.17/);
    assert.match(one.stdout, /^Fixes:/m);
    const bad = teardown(["explain", "rst"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^teardown: no finding kind "rst"; known: client-timeout, /);
  });
});

describe("teardown completion", () => {
  it("prints a bash script that completes commands, formats and finding kinds", () => {
    const r = teardown(["completion", "bash"]);
    assert.equal(r.code, 0);
    const script = join(dir, "completion.bash");
    writeFileSync(script, r.stdout);
    const complete = (words: string[]): string => {
      const run = spawnSync(
        "bash",
        [
          "-c",
          `source "$0"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _teardown; echo "\${COMPREPLY[*]}"`,
          script,
        ],
        { encoding: "utf8" },
      );
      assert.equal(run.status, 0, run.stderr);
      return run.stdout.trim();
    };
    assert.equal(complete(["teardown", "an"]), "analyze");
    assert.equal(complete(["teardown", "analyze", "x.pcap", "--format", "n"]), "ndjson");
    assert.equal(complete(["teardown", "explain", "rst-a"]), "rst-after-close");
    assert.match(complete(["teardown", "analyze", "--fa"]), /--fail-on/);
    assert.equal(teardown(["completion", "fish"]).code, 1);
  });

  it("prints a zsh script that loads and completes through bashcompinit", () => {
    const r = teardown(["completion", "zsh"]);
    assert.equal(r.code, 0);
    const script = join(dir, "completion.zsh");
    writeFileSync(script, r.stdout);
    // bashcompinit calls the function with bash's 0-based arrays (ksharrays); so does this.
    const run = spawnSync(
      "zsh",
      [
        "-c",
        `source "$1"; setopt ksharrays; COMP_WORDS=(teardown analyze x.pcap --format n); COMP_CWORD=4; _teardown; echo "\${COMPREPLY[*]}"`,
        "zsh",
        script,
      ],
      { encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /ndjson/);
    assert.doesNotMatch(run.stderr, /not found/);
  });
});

describe("the configuration file", () => {
  it("gives defaults that the command line overrides; bad files are one-line errors (exit 1)", () => {
    const config = join(dir, "teardown.config.json");
    writeFileSync(
      config,
      JSON.stringify({
        thresholds: { finGapSec: 10 },
        analyze: { format: "ndjson", failOn: "warning" },
      }),
    );
    const fromFile = teardown(["analyze", sample("accept-backlog.pcap")], dir);
    assert.equal(fromFile.code, 3, "failOn from the file");
    const last = JSON.parse(fromFile.stdout.trimEnd().split("\n").at(-1) ?? "") as {
      capture: { thresholds: { finGapSec: number } };
      summary: { byKind: Record<string, number> };
    };
    assert.equal(last.capture.thresholds.finGapSec, 10);
    assert.equal(last.summary.byKind["long-fin-gap"], undefined);
    const overridden = teardown(
      [
        "analyze",
        sample("accept-backlog.pcap"),
        "--format",
        "json",
        "--fin-gap",
        "1",
        "--fail-on",
        "refused",
      ],
      dir,
    );
    assert.equal(overridden.code, 0);
    const doc = JSON.parse(overridden.stdout) as { capture: { thresholds: { finGapSec: number } } };
    assert.equal(doc.capture.thresholds.finGapSec, 1);

    const cases: [unknown, RegExp][] = [
      [{ thresholds: { finGap: 2 } }, /unknown threshold "finGap"/],
      [{ thresholds: { finGapSec: -1 } }, /thresholds\.finGapSec must be a number of seconds/],
      [{ analyze: { format: "yaml" } }, /analyze\.format: format takes text, json/],
      [{ analyze: { failOn: "warnings" } }, /analyze\.failOn: --fail-on takes/],
      [{ colour: true }, /unknown key "colour"/],
      [[1, 2], /expected a JSON object/],
    ];
    for (const [content, message] of cases) {
      writeFileSync(config, JSON.stringify(content));
      const r = teardown(["analyze", sample("probes.pcap")], dir);
      assert.equal(r.code, 1, JSON.stringify(content));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
    }
    const missing = teardown([
      "flow",
      sample("probes.pcap"),
      "1",
      "--config",
      join(dir, "none.json"),
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read config .*none\.json: ENOENT/);
  });
});

describe("--help", () => {
  it("every command has a description and examples", () => {
    for (const command of ["packets", "analyze", "flow", "explain", "completion"]) {
      const r = teardown([command, "--help"]);
      assert.equal(r.code, 0, command);
      assert.match(r.stdout, /^Examples:$/m, command);
    }
    assert.match(teardown(["--version"]).stdout, /^\d+\.\d+\.\d+/);
  });
});
