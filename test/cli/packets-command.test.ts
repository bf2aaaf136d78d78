/** `teardown packets` end to end: inputs (file, gzip, stdin), diagnostics and exit statuses. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CLI, SAMPLES_DIR } from "../differential/capture-files.js";
import { run, type ToolRun } from "../differential/run-tools.js";

const sample = (name: string): string => join(SAMPLES_DIR, "reader", name);

function runWithStdin(args: string[], input: Buffer): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
    // Dribble the input in small pieces, as a pipe from tcpdump would.
    let i = 0;
    const step = (): void => {
      if (i >= input.length) return void child.stdin.end();
      child.stdin.write(input.subarray(i, i + 1000), step);
      i += 1000;
    };
    step();
  });
}

describe("teardown packets", () => {
  it("prints one line per TCP packet and a summary on stderr", async () => {
    const r = await run(process.execPath, [CLI, "packets", sample("lo-ethernet.pcap")]);
    assert.equal(r.code, 0);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 66);
    assert.match(
      lines[0] ?? "",
      /^1 \d+\.\d{6}000 127\.0\.0\.1:\d+ > 127\.0\.0\.1:18080 \[S\] seq \d+ ack 0 win \d+ len 0$/,
    );
    assert.match(r.stderr, /lo-ethernet\.pcap: 66 packets, 66 TCP/);
  });

  it("reads gzip by its magic bytes, and stdin, with the same result", async () => {
    const plain = await run(process.execPath, [
      CLI,
      "packets",
      "--quiet",
      sample("lo-ethernet.pcap"),
    ]);
    const gz = await run(process.execPath, [
      CLI,
      "packets",
      "--quiet",
      sample("lo-ethernet.pcap.gz"),
    ]);
    const stdin = await runWithStdin(
      ["packets", "--quiet", "-"],
      readFileSync(sample("lo-ethernet.pcap")),
    );
    const stdinGz = await runWithStdin(
      ["packets", "--quiet", "-"],
      readFileSync(sample("lo-ethernet.pcap.gz")),
    );
    for (const r of [gz, stdin, stdinGz]) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, plain.stdout);
    }
  });

  it("warns about a last record cut short and still prints the others (exit 0)", async () => {
    const r = await run(process.execPath, [CLI, "packets", sample("cut-mid-record.pcap")]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim().split("\n").length, 65);
    assert.match(
      r.stderr,
      /cut-mid-record\.pcap: warning at byte 72095, record 66: the file ends .* \[truncated-record\]/,
    );
  });

  it("names the file and what it looks like when it is not a capture (exit 2)", async () => {
    const r = await run(process.execPath, [
      CLI,
      "packets",
      "--quiet",
      join(SAMPLES_DIR, "README.md"),
    ]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr.trim(),
      /^\S+README\.md: error at byte 0: not a pcap or pcapng file: text starting "# Sample" \[not-a-capture\]$/,
    );
    const missing = await run(process.execPath, [CLI, "packets", "--quiet", "/nonexistent.pcap"]);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /^\/nonexistent\.pcap: error at byte 0: cannot read: no such file \[unreadable\]$/m,
    );
  });

  it("keeps going after a bad file and reports exit 2", async () => {
    const r = await run(process.execPath, [
      CLI,
      "packets",
      "--quiet",
      "/nonexistent.pcap",
      sample("lo-ethernet.pcap"),
    ]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stdout
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("#")).length,
      66,
    );
  });

  it("exits 1 on bad usage, 0 on --version", async () => {
    assert.equal((await run(process.execPath, [CLI, "packets"])).code, 1);
    assert.equal((await run(process.execPath, [CLI, "packets", "--bogus", "x"])).code, 1);
    const v = await run(process.execPath, [CLI, "--version"]);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+/);
  });

  it("stops quietly when the reader goes away during help or a brief", async () => {
    for (const args of [
      ["flow", "--help"],
      ["analyze", join(SAMPLES_DIR, "incidents", "http2-storm.pcap")],
    ]) {
      const r = await new Promise<ToolRun>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], {
          stdio: ["ignore", "pipe", "pipe"],
        });
        const err: Buffer[] = [];
        child.stderr.on("data", (b: Buffer) => err.push(b));
        child.stdout.destroy();
        child.on("close", (code) =>
          resolve({ code, stdout: "", stderr: Buffer.concat(err).toString() }),
        );
      });
      assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|^\s+at /m, args.join(" "));
    }
  });

  it("stops quietly when the reader of its output goes away", async () => {
    const r = await new Promise<ToolRun>((resolve) => {
      const child = spawn(
        process.execPath,
        [CLI, "packets", sample("merged-two-linktypes.pcapng")],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      const err: Buffer[] = [];
      child.stderr.on("data", (b: Buffer) => err.push(b));
      child.stdout.once("data", () => child.stdout.destroy());
      child.on("close", (code) =>
        resolve({ code, stdout: "", stderr: Buffer.concat(err).toString() }),
      );
    });
    assert.doesNotMatch(r.stderr, /internal error|EPIPE|^\s+at /m);
  });
});
