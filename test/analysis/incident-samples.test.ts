/**
 * The incident samples (real captures of ../shared/INCIDENTS.md, made on loopback by the Go
 * programs in samples/gen/incidents): teardown's verdicts checked against facts tshark extracted
 * from the same captures (NAME.wire.json, by samples/gen/incidents/wire-facts.py), the
 * incidents' signatures stated as assertions. The golden outputs of every format are checked
 * in format-goldens.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FINDING_KINDS, type FindingKind, type FlowResult } from "../../src/analysis/index.js";
import { CLI, REPO_ROOT } from "../differential/capture-files.js";
import { spawnSync } from "node:child_process";

const DIR = "samples/incidents";

interface WireRst {
  sender: "client" | "server";
  sender_sent_fin_before: boolean;
  sender_unanswered_bytes: number;
}
interface WireStream {
  client: string;
  server: string;
  handshake: { completed: boolean } | null;
  payload_bytes: { client_to_server: number; server_to_client: number };
  first_to_close: { sender: "client" | "server"; by: "FIN" | "RST" } | null;
  first_fin: {
    sender: string;
    client_payload_unanswered: boolean;
    unanswered_since: { dt: number } | null;
  } | null;
  second_fin: { sender: string; gap: number } | null;
  rsts: WireRst[];
}
interface Wire {
  streams: WireStream[];
}

interface Analysis {
  brief: string;
  flows: FlowResult[];
  summary: {
    byKind: Partial<Record<FindingKind, number>>;
    closedBy: Record<string, number>;
    timeWait: Record<string, number>;
    servers: { aggregates: { kind: FindingKind; count: number; of: number }[] }[];
  };
}

/** The aggregate findings of the capture's (one) server, kind: count of. */
const aggregates = (a: Analysis): Record<string, string> =>
  Object.fromEntries(
    a.summary.servers.flatMap((s) => s.aggregates.map((x) => [x.kind, `${x.count} of ${x.of}`])),
  );

function analyze(name: string): Analysis {
  const capture = `${DIR}/${name}.pcap`;
  const brief = spawnSync(process.execPath, [CLI, "analyze", capture], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  const json = spawnSync(process.execPath, [CLI, "analyze", capture, "--json", "-"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  assert.equal(brief.status, 0, brief.stderr);
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { flows: FlowResult[]; summary: Analysis["summary"] };
  return { brief: brief.stdout, flows: parsed.flows, summary: parsed.summary };
}

const endpoint = (e: { ip: string; port: number }): string =>
  e.ip.includes(":") ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
const count = (flows: FlowResult[], kind: FindingKind): number =>
  flows.reduce((n, f) => n + f.findings.filter((x) => x.kind === kind).length, 0);

/** What each incident must show, in the terms of INCIDENTS.md. */
const SIGNATURES: Record<string, (a: Analysis, wire: Wire) => void> = {
  "client-timeout": (a) => {
    // 1: client FIN right after an unanswered request; late response answered by RST; FIN gap.
    assert.equal(a.summary.byKind["client-timeout"], 6);
    assert.equal(a.summary.byKind["rst-after-close"], 4);
    assert.equal(a.summary.byKind["long-fin-gap"], 2);
    assert.match(a.brief, /client-timeout \(6\)/);
    // The request the client gave up on, and how long it waited.
    assert.match(a.brief, /client gave up on GET \/slow\?try=1 \(frame 4\) after 1\.001 s/);
    // Each timeout cost a connection; the server sat in CLOSE_WAIT while its handler blocked.
    assert.deepEqual(aggregates(a), { "no-reuse": "6 of 6", "close-wait-leak": "6 of 6" });
  },
  "http2-storm": (a) => {
    // 2: connections closed by the client (timeout) before the response; late ServerHello reset.
    assert.equal(a.summary.byKind["client-timeout"], 70);
    assert.equal(a.summary.byKind["rst-after-close"], 70);
    // A burst of new connections, slow TLS handshakes, connections closed before any request.
    assert.equal(aggregates(a)["connection-burst"], "71 of 71");
    assert.equal(a.summary.byKind["slow-tls-handshake"], 70);
    assert.equal(a.summary.byKind["tls-handshake-abandoned"], 70);
    assert.match(a.brief, /connection-burst: 71 new connections within 0\.\d+ s/);
    assert.match(a.brief, /after the client had closed: the server did the handshake for nothing/);
  },
  "connection-close": (a, wire) => {
    // 3: the server closes first and holds TIME_WAIT (on loopback the client wins the race sometimes).
    const serverFirst = wire.streams.filter((s) => s.first_to_close?.sender === "server").length;
    assert.equal(a.summary.closedBy["server"], serverFirst);
    assert.equal(a.summary.timeWait["server"], serverFirst);
    assert.match(
      a.brief,
      new RegExp(`by the server in ${Math.round((100 * serverFirst) / wire.streams.length)}%`),
    );
    // Connection: close on every response, one request per connection, TIME_WAIT on the server.
    assert.deepEqual(aggregates(a), {
      "no-reuse": "20 of 20",
      "time-wait-on-server": `${serverFirst} of 20`,
    });
    assert.match(a.brief, /responses carrying Connection: close: 20 of 20 \(every response\)/);
    assert.match(a.brief, /20 connections for 20 requests/);
  },
  "unread-body": (a) => {
    // 4: RST from the client with the response unread, on every connection.
    assert.equal(a.summary.byKind["rst-unread-data"], 8);
    assert.ok(a.flows.every((f) => f.closedBy === "client" && f.close === "rst"));
    // The amount of data, the response it was, and no reuse.
    assert.match(a.brief, /the response to GET \/blob\/1 \(frame 4\): 200, 16384-byte body/);
    assert.deepEqual(aggregates(a), { "no-reuse": "8 of 8" });
  },
  "accept-backlog": (a) => {
    // 5: handshake done, the server silent, long CLOSE_WAIT, late FIN answered by RST.
    assert.equal(a.summary.byKind["server-silent"], 5);
    assert.equal(a.summary.byKind["long-fin-gap"], 5);
    assert.equal(a.summary.byKind["rst-after-close"], 6);
    assert.equal(a.summary.byKind["probe"], 5);
    // Probes and real clients alike left the server in CLOSE_WAIT.
    assert.deepEqual(aggregates(a), { "close-wait-leak": "7 of 9" });
    assert.match(a.brief, /4 connections \+ 5 probes/);
  },
  "keepalive-reuse": (a) => assertNoWarnings(a),
  probes: (a) => assertNoWarnings(a),
  refused: (a) => {
    assertNoWarnings(a);
    assert.equal(a.summary.byKind["refused"], 3);
  },
};

function assertNoWarnings(a: Analysis): void {
  assert.deepEqual(aggregates(a), {}, "a clean control raises no aggregate finding");
  const warnings = a.flows
    .flatMap((f) => f.findings)
    .filter((x) => FINDING_KINDS[x.kind].severity === "warning");
  assert.deepEqual(warnings, [], "a clean control raises no warning-level finding");
}

const names = existsSync(join(REPO_ROOT, DIR))
  ? readdirSync(join(REPO_ROOT, DIR))
      .filter((n) => n.endsWith(".pcap"))
      .map((n) => n.slice(0, -".pcap".length))
  : [];

describe("incident samples", () => {
  it("has every incident and control", () => {
    assert.deepEqual([...names].sort(), Object.keys(SIGNATURES).sort());
  });

  for (const name of names) {
    describe(name, () => {
      const a = analyze(name);
      const wire = JSON.parse(
        readFileSync(join(REPO_ROOT, DIR, `${name}.wire.json`), "utf8"),
      ) as Wire;

      it("shows the incident's signature", () => {
        const check = SIGNATURES[name];
        assert.ok(check !== undefined, `no signature for ${name}`);
        check(a, wire);
      });

      it("agrees with tshark's facts for every connection", () => {
        assert.equal(a.flows.length, wire.streams.length, "one flow per TCP stream");
        for (const s of wire.streams) {
          const f = a.flows.find(
            (x) => endpoint(x.client) === s.client && endpoint(x.server) === s.server,
          );
          assert.ok(f !== undefined, `flow for ${s.client} > ${s.server}`);
          const where = `${s.client} > ${s.server}`;
          assert.equal(
            f.handshake === "complete",
            s.handshake?.completed === true,
            `${where}: handshake`,
          );
          assert.deepEqual(
            [f.bytes.client, f.bytes.server],
            [s.payload_bytes.client_to_server, s.payload_bytes.server_to_client],
            `${where}: bytes`,
          );
          assert.equal(f.closedBy, s.first_to_close?.sender ?? "none", `${where}: closed first by`);
          assert.equal(
            f.close,
            (s.first_to_close?.by ?? "none").toLowerCase(),
            `${where}: close kind`,
          );
          const lateRsts = s.rsts.filter((r) => r.sender_sent_fin_before).length;
          assert.equal(
            count([f], "rst-after-close") > 0,
            lateRsts > 0,
            `${where}: RST after close`,
          );
          const unreadRsts = s.rsts.filter(
            (r) => !r.sender_sent_fin_before && r.sender_unanswered_bytes > 0,
          ).length;
          assert.equal(
            count([f], "rst-unread-data") > 0,
            unreadRsts > 0,
            `${where}: RST with unread data`,
          );
          const gap = s.second_fin?.gap ?? 0;
          assert.equal(
            count([f], "long-fin-gap") > 0,
            gap > 1,
            `${where}: long FIN gap (${gap} s)`,
          );
          const waited =
            s.first_fin?.sender === "client" && s.first_fin.client_payload_unanswered
              ? (s.first_fin.unanswered_since?.dt ?? 0)
              : 0;
          assert.equal(
            count([f], "client-timeout") > 0,
            waited >= 0.5,
            `${where}: client timeout (waited ${waited} s)`,
          );
        }
      });
    });
  }
});
