/**
 * `teardown analyze` output formats, destinations, flow selection and --fail-on, end to end.
 * Selections are checked against the full JSON filtered by hand.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CLI, CORPUS_DIR, REPO_ROOT } from "../differential/capture-files.js";
import { run } from "../differential/run-tools.js";

const sample = (name: string): string => join(REPO_ROOT, "samples", "incidents", name);
const analyze = (...args: string[]) => run(process.execPath, [CLI, "analyze", ...args]);

interface FlowJson {
  id: number;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  start: number;
  end: number;
  findings: { kind: string }[];
}
interface Doc {
  schema: string;
  flows: FlowJson[];
  capture: { start: number; packets: number };
  summary: { flows: number; byKind: Record<string, number> };
}

async function doc(...args: string[]): Promise<Doc> {
  const r = await analyze(...args, "--json", "-");
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Doc;
}

const dir = mkdtempSync(join(tmpdir(), "teardown-options-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("analyze --format", () => {
  it("ndjson: one flow a line, then the schema, capture and summary; the same flows as json", async () => {
    const whole = await doc(sample("connection-close.pcap"));
    const r = await analyze(sample("connection-close.pcap"), "--format", "ndjson");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, whole.flows.length + 1);
    assert.deepEqual(
      lines.slice(0, -1).map((l) => JSON.parse(l) as FlowJson),
      whole.flows,
    );
    const last = JSON.parse(lines.at(-1) ?? "") as Doc;
    assert.equal(last.schema, "teardown/1");
    assert.deepEqual(last.summary, whole.summary);
  });

  it("json to --output, with the brief still on stdout", async () => {
    const out = join(dir, "flows.json");
    const r = await analyze(sample("probes.pcap"), "--format", "json", "--output", out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /probes\.pcap: \d+ packets/);
    const j = JSON.parse(readFileSync(out, "utf8")) as Doc;
    assert.deepEqual(j, await doc(sample("probes.pcap")));
  });

  it("refuses two outputs to stdout, two to one file, and --json with a record format", async () => {
    const same = join(dir, "same.json");
    const cases: [string[], RegExp][] = [
      [
        ["--format", "json", "--json", "x.json"],
        /--json and --format json both ask for flow records/,
      ],
      [["--format", "text", "--json", "-", "--quiet"], /^$/],
      [["--json", same, "--format", "ndjson", "--output", same], /both ask for flow records/],
    ];
    for (const [args, message] of cases) {
      const r = await analyze(sample("probes.pcap"), ...args);
      if (message.source === "^$") {
        assert.equal(r.code, 0, r.stderr);
        continue;
      }
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, message);
      assert.equal(r.stdout, "");
    }
    const bad = await analyze(sample("probes.pcap"), "--format", "yaml");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /argument 'yaml' is invalid/);
  });
});

describe("analyze flow selection", () => {
  it("--server, --port, --host, --flow and --since/--until select what the full JSON holds", async () => {
    const file = sample("connection-close.pcap");
    const all = await doc(file);
    const ids = (d: Doc): number[] => d.flows.map((f) => f.id).sort((a, b) => a - b);
    const expect = (pick: (f: FlowJson) => boolean): number[] =>
      all.flows
        .filter(pick)
        .map((f) => f.id)
        .sort((a, b) => a - b);
    const server = all.flows[0]?.server;
    assert.ok(server !== undefined);
    const cases: [string[], (f: FlowJson) => boolean][] = [
      [["--server", `${server.ip}:${server.port}`], (f) => f.server.port === server.port],
      [["--server", `:${server.port + 1}`], () => false],
      [["--port", String(all.flows[2]?.client.port)], (f) => f.id === all.flows[2]?.id],
      [["--host", "127.0.0.1"], () => true],
      [["--host", "::1"], () => false],
      [["--flow", "3", "--flow", "5"], (f) => f.id === 3 || f.id === 5],
      [
        ["--since", "+2s", "--until", "+4s"],
        (f) => f.end >= all.capture.start + 2 && f.start <= all.capture.start + 4,
      ],
      [["--since", String(all.capture.start + 3)], (f) => f.end >= all.capture.start + 3],
    ];
    for (const [args, pick] of cases) {
      const picked = await doc(file, ...args);
      assert.deepEqual(ids(picked), expect(pick), args.join(" "));
      assert.equal(
        picked.summary.flows,
        picked.flows.length,
        "the summary counts what was selected",
      );
      assert.equal(picked.capture.packets, all.capture.packets, "the capture counts stay whole");
      const threaded = await doc(file, ...args, "--threads", "2");
      assert.deepEqual(threaded, picked, `${args.join(" ")} on two threads`);
    }
  });

  it("rejects bad values with a one-line error naming the option", async () => {
    const cases: [string[], RegExp][] = [
      [["--host", "10.0.0"], /--host takes an IPv4 or IPv6 address, not "10.0.0"/],
      [["--port", "70000"], /--port takes a port number \(0-65535\), not "70000"/],
      [["--server", "web:80"], /--server takes ADDRESS, ADDRESS:PORT/],
      [["--since", "yesterday"], /--since takes \+SECONDS/],
      [["--flow", "0"], /--flow takes a flow id/],
    ];
    for (const [args, message] of cases) {
      const r = await analyze(sample("probes.pcap"), ...args);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, message);
    }
  });
});

describe("analyze --fail-on", () => {
  it("exits 3 when a selected finding is present, 0 when not, 2 when the input is damaged", async () => {
    const timeout = sample("client-timeout.pcap");
    const cases: [string[], number][] = [
      [[timeout, "--fail-on", "warning"], 3],
      [[timeout, "--fail-on", "client-timeout"], 3],
      [[timeout, "--fail-on", "refused,probe"], 0],
      [[sample("refused.pcap"), "--fail-on", "info"], 3],
      [[sample("refused.pcap"), "--fail-on", "warning"], 0],
      [[sample("keepalive-reuse.pcap"), "--fail-on", "warning"], 0],
      [[timeout], 0],
      // Damaged input (record 7 of this fuzzed file) wins over findings.
      [
        [
          join(CORPUS_DIR, "suricata__bug-1450-04__tls_DER-incomplete-header.pcap"),
          "--fail-on",
          "info",
        ],
        2,
      ],
    ];
    for (const [args, code] of cases) {
      const r = await analyze(...args);
      assert.equal(r.code, code, args.join(" "));
      if (code === 3) assert.match(r.stderr, /^teardown: failing \(--fail-on\): /m);
    }
    const bad = await analyze(timeout, "--fail-on", "warnings");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--fail-on takes warning, info or finding kinds/);
  });
});
