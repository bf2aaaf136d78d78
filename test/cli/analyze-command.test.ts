/** `teardown analyze` and `teardown flow` end to end: outputs, options and exit statuses. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCapture } from "../../bench/synth-capture.js";
import { CLI, CORPUS_DIR, REPO_ROOT } from "../differential/capture-files.js";
import { run } from "../differential/run-tools.js";
import { SAMPLE as HOSTILE_SAMPLE } from "../hostile/hostile-sample.js";

const sample = (name: string): string => join(REPO_ROOT, "samples", "incidents", name);

describe("teardown analyze", () => {
  it("writes the teardown/1 JSON to stdout with --json -, and no brief", async () => {
    const r = await run(process.execPath, [
      CLI,
      "analyze",
      sample("unread-body.pcap"),
      "--json",
      "-",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      schema: string;
      flows: unknown[];
      summary: { byKind: Record<string, number> };
      capture: { thresholds: Record<string, number> };
    };
    assert.equal(j.schema, "teardown/1");
    assert.equal(j.flows.length, 8);
    assert.equal(j.summary.byKind["rst-unread-data"], 8);
    assert.equal(j.capture.thresholds["finGapSec"], 1);
  });

  it("takes thresholds as options", async () => {
    const r = await run(process.execPath, [
      CLI,
      "analyze",
      sample("accept-backlog.pcap"),
      "--fin-gap",
      "10",
      "--json",
      "-",
    ]);
    const j = JSON.parse(r.stdout) as {
      summary: { byKind: Record<string, number> };
      capture: { thresholds: Record<string, number> };
    };
    assert.equal(j.summary.byKind["long-fin-gap"], undefined, "no FIN gap is longer than 10 s");
    assert.equal(j.capture.thresholds["finGapSec"], 10);
  });

  it("refuses a --json path it cannot write before reading anything (exit 1)", async () => {
    const r = await run(process.execPath, [
      CLI,
      "analyze",
      sample("probes.pcap"),
      "--json",
      "/nonexistent/dir/out.json",
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      "teardown: cannot write --json /nonexistent/dir/out.json: no such directory (ENOENT)",
    );
    assert.equal(r.stdout, "");
  });

  it("rejects a bad threshold with a one-line usage error (exit 1)", async () => {
    const r = await run(process.execPath, [
      CLI,
      "analyze",
      sample("probes.pcap"),
      "--fin-gap",
      "soon",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--fin-gap takes a number of seconds, not "soon"/);
  });
});

describe("teardown analyze --threads 2 and 3 give what one thread gives", () => {
  const runBoth = async (args: readonly string[]): Promise<void> => {
    const one = await run(process.execPath, [CLI, "analyze", ...args, "--threads", "1"]);
    for (const n of ["2", "3"]) {
      const more = await run(process.execPath, [CLI, "analyze", ...args, "--threads", n]);
      assert.equal(more.code, one.code, `exit status, ${n} threads`);
      assert.equal(more.stderr, one.stderr, `warnings, ${n} threads`);
      assert.ok(
        more.stdout === one.stdout,
        `stdout (brief or JSON) differs between 1 and ${n} threads`,
      );
    }
  };

  it("on every incident sample, brief and JSON", async () => {
    for (const name of readdirSync(join(REPO_ROOT, "samples", "incidents"))) {
      if (!name.endsWith(".pcap")) continue;
      await runBoth([sample(name)]);
      await runBoth([sample(name), "--json", "-"]);
    }
  });

  it("on damaged and IPv6 corpus captures, and several files read as one", async () => {
    const corpus = (name: string): string => join(CORPUS_DIR, name);
    await runBoth([corpus("suricata__bug-1450-04__tls_DER-incomplete-header.pcap"), "--json", "-"]);
    await runBoth([corpus("zeek__ftp__ipv6.pcap"), "--json", "-"]);
    await runBoth([sample("probes.pcap"), sample("refused.pcap"), "--json", "-"]);
  });

  it("on the hostile sample, whose HTTP carries markup and control bytes (parsed on the second thread)", async () => {
    await runBoth([HOSTILE_SAMPLE, "--json", "-"]);
    await runBoth([HOSTILE_SAMPLE, "--format", "markdown"]);
  });

  it("on a set with an unsupported link type, a non-capture, pcapng and gzip", async () => {
    // With three threads, files are decoded on the third: its warnings must come out in the
    // same order, and the per-file table and counts must match.
    await runBoth([
      join(CORPUS_DIR, "arkime__nflog.pcap"),
      sample("unread-body.pcap"),
      join(CORPUS_DIR, "npm-pcap-parser__malformed.pcap"),
      join(CORPUS_DIR, "pcapplusplus__many_interfaces-1.pcapng"),
      join(CORPUS_DIR, "scapy__http_head.pcapng.gz"),
      join(CORPUS_DIR, "suricata__bug-1450-04__tls_DER-incomplete-header.pcap"),
      "--json",
      "-",
    ]);
  });

  it("across many batches of flows (2,061 connections, 512 a batch)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "teardown-threads-"));
    try {
      const path = join(dir, "synth.pcap");
      generateCapture({ path, shape: "mixed", targetBytes: 40 * 1024 * 1024, seed: 3 });
      await runBoth([path, "--json", "-"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a bad --threads value (exit 1)", async () => {
    const r = await run(process.execPath, [
      CLI,
      "analyze",
      sample("probes.pcap"),
      "--threads",
      "4",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--threads takes 1, 2, 3 or auto, not "4"/);
  });
});

describe("teardown analyze: the files of a set in the brief", () => {
  it("notes a damaged file with no packets, and no link type for it", async () => {
    const r = await run(process.execPath, [
      CLI,
      "analyze",
      sample("unread-body.pcap"),
      join(CORPUS_DIR, "npm-pcap-parser__malformed.pcap"),
      join(CORPUS_DIR, "scapy__http_head.pcapng.gz"),
    ]);
    assert.equal(r.code, 2);
    const files = r.stdout.slice(r.stdout.indexOf("Files (in the order of their first packet):"));
    assert.match(
      files,
      /npm-pcap-parser__malformed\.pcap {2}0 packets {2}no packets {2}\(damaged: read up to the error\)\n/,
    );
    // Every file with packets is Ethernet: none differs from the first.
    assert.doesNotMatch(files, /link type/);
  });
});

describe("teardown analyze on a damaged capture", () => {
  it("warns when timestamps go backwards and counts them in the JSON", async () => {
    // Suricata's fuzzed TLS capture: frame 2 is stamped decades before frame 1, and record 7 is damaged.
    const file = join(CORPUS_DIR, "suricata__bug-1450-04__tls_DER-incomplete-header.pcap");
    const r = await run(process.execPath, [CLI, "analyze", file, "--json", "-"]);
    assert.equal(r.code, 2, "the damaged record makes the exit status 2");
    assert.match(
      r.stderr,
      /1 TCP packets are timestamped earlier than a packet before them \(first: frame 2\)/,
    );
    const j = JSON.parse(r.stdout) as { capture: { timestampsBackwards: number } };
    assert.equal(j.capture.timestampsBackwards, 1);
  });
});

describe("teardown flow", () => {
  it("draws the flow with its states and findings", async () => {
    const r = await run(process.execPath, [CLI, "flow", sample("client-timeout.pcap"), "1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^flow 1: 127\.0\.0\.1:\d+ \(client\) <-> 127\.0\.0\.1:18501 \(server\)/,
    );
    for (const state of ["SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT"])
      assert.match(r.stdout, new RegExp(state));
    assert.match(r.stdout, /~~~ \d\.\d{3} s with no packet ~~~/);
    assert.match(r.stdout, /! client-timeout \(client, frames 4, 6\)/);
    assert.match(r.stdout, /! rst-after-close/);
  });

  it("says so when the flow does not exist or no id is given (exit 1)", async () => {
    const r = await run(process.execPath, [CLI, "flow", sample("refused.pcap"), "40"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no flow 40 in this capture \(flows are numbered 1 to 3\)/);
    const bad = await run(process.execPath, [CLI, "flow", sample("refused.pcap"), "x"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /give the capture\(s\), then a flow id/);
    assert.equal((await run(process.execPath, [CLI, "flow", "7"])).code, 1);
  });
});
