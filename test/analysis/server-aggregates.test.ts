/**
 * A server's connections taken together (server-aggregates.ts), scenario by scenario: a burst of
 * new connections, TIME_WAIT on the server, CLOSE_WAIT on the server, the distribution of FIN
 * gaps (per server and per client host). (Requests per connection and Connection: close need
 * HTTP payload: the incident samples check them, see incident-samples.test.ts.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AggregateFinding, CaptureSummary } from "../../src/analysis/index.js";
import { play, script } from "./script.js";

/** The summary's aggregate findings after the script (built the way the CLI builds it). */
function aggregatesOf(
  text: string,
  thresholds: Parameters<typeof play>[1] = {},
): AggregateFinding[] {
  return play(script(text), thresholds).summary.servers.flatMap((s) => s.aggregates);
}

/** A clean connection on `port` at `t`: `first` says who closes first. */
function connection(port: number, t: number, first: "c" | "s"): string {
  const second = first === "c" ? "s" : "c";
  return [
    `c S ${t} port=${port}`,
    `s SA ${t + 0.001} port=${port}`,
    `c A ${t + 0.002} port=${port}`,
    `c PA ${t + 0.003} len=100 port=${port}`,
    `s PA ${t + 0.004} len=200 port=${port}`,
    `${first} FA ${t + 0.005} port=${port}`,
    `${second} FA ${t + 0.006} port=${port}`,
    `${first} A ${t + 0.007} port=${port}`,
  ].join("\n");
}

describe("server aggregates", () => {
  it("connection-burst: many new connections within the window", () => {
    const lines = [...Array(60).keys()].map((i) => connection(41000 + i, i * 0.01, "c"));
    const found = aggregatesOf(lines.join("\n")).find((x) => x.kind === "connection-burst");
    assert.ok(found !== undefined);
    assert.equal(found.count, 60);
    assert.match(found.detail, /^60 new connections within 0\.590 s/);
    assert.deepEqual(found.flows.slice(0, 3), [1, 2, 3]);
  });

  it("no connection-burst when the same connections are spread out", () => {
    const lines = [...Array(60).keys()].map((i) => connection(41000 + i, i * 0.1, "c"));
    assert.equal(
      aggregatesOf(lines.join("\n")).some((x) => x.kind === "connection-burst"),
      false,
    );
  });

  it("connection-burst follows --burst-connections and --burst-window", () => {
    const lines = [...Array(10).keys()].map((i) => connection(41000 + i, i * 0.05, "c"));
    const found = aggregatesOf(lines.join("\n"), { burstConnections: 5, burstWindowSec: 0.2 });
    assert.equal(found.find((x) => x.kind === "connection-burst")?.count, 5);
  });

  it("time-wait-on-server: the server closes first in most connections", () => {
    const lines = [...Array(6).keys()].map((i) => connection(41000 + i, i, i < 4 ? "s" : "c"));
    const found = aggregatesOf(lines.join("\n")).find((x) => x.kind === "time-wait-on-server");
    assert.ok(found !== undefined);
    assert.deepEqual([found.count, found.of], [4, 6]);
    assert.match(found.detail, /held TIME_WAIT in 67% of 6 connections/);
    // The capture ends 2 s after the last: every server TIME_WAIT (60 s) is still there.
    assert.match(found.detail, /4 TIME_WAIT sockets on the server when the capture ended/);
  });

  it("no time-wait-on-server when the client closes first, or below --min-server-connections", () => {
    const clientFirst = [...Array(6).keys()].map((i) => connection(41000 + i, i, "c"));
    assert.deepEqual(aggregatesOf(clientFirst.join("\n")), []);
    const few = [...Array(4).keys()].map((i) => connection(41000 + i, i, "s"));
    assert.deepEqual(aggregatesOf(few.join("\n")), []);
  });

  it("close-wait-leak: the server left in CLOSE_WAIT past --fin-gap, and one never closed", () => {
    const found = aggregatesOf(`
      c S  0     port=41000
      s SA 0.001 port=41000
      c A  0.002 port=41000
      c FA 0.5   port=41000
      s A  0.501 port=41000
      s FA 3.5   port=41000
      c A  3.501 port=41000
      c S  1     port=41001
      s SA 1.001 port=41001
      c A  1.002 port=41001
      c FA 1.5   port=41001
      s A  1.501 port=41001
      c S  9     port=41002
      s SA 9.001 port=41002
      c A  9.002 port=41002
    `).find((x) => x.kind === "close-wait-leak");
    assert.ok(found !== undefined);
    assert.equal(found.count, 2);
    assert.equal(found.of, 3);
    assert.match(found.detail, /2 connections sat in CLOSE_WAIT on the server for over 1 s/);
    assert.match(found.detail, /longest 7\.5 s\); 1 still in CLOSE_WAIT when the capture ended/);
    assert.deepEqual(found.flows, [1, 2]);
  });
});

/**
 * A connection on `port` at `t` whose `first` side sends the first FIN at t + 0.01 and the other
 * side its FIN `gap` seconds later.
 */
function finGapConnection(port: number, t: number, first: "c" | "s", gap: number): string {
  const second = first === "c" ? "s" : "c";
  return [
    `c S ${t} port=${port}`,
    `s SA ${t + 0.001} port=${port}`,
    `c A ${t + 0.002} port=${port}`,
    `c PA ${t + 0.003} len=100 port=${port}`,
    `s PA ${t + 0.004} len=200 port=${port}`,
    `${first} FA ${t + 0.01} port=${port}`,
    `${second} A ${t + 0.011} port=${port}`,
    `${second} FA ${t + 0.01 + gap} port=${port}`,
    `${first} A ${t + 0.011 + gap} port=${port}`,
  ].join("\n");
}

/** The one server's and the one client's FIN gaps after the script. */
function finGapsOf(text: string): {
  server: CaptureSummary["servers"][number]["finGap"];
  client: CaptureSummary["clients"][number]["finGap"];
} {
  const summary = play(script(text)).summary;
  assert.equal(summary.servers.length, 1);
  assert.equal(summary.clients.length, 1);
  return { server: summary.servers[0]!.finGap, client: summary.clients[0]!.finGap };
}

describe("FIN-gap distribution", () => {
  it("count, nearest-rank p50 and p90, longest and open, exactly, whoever closed first", () => {
    const { server, client } = finGapsOf(
      [
        // Gaps 0.25, 2 and 3 s with the client closing first, 0.5 and 4 s with the server.
        finGapConnection(41000, 0, "c", 0.25),
        finGapConnection(41001, 1, "s", 4),
        finGapConnection(41002, 2, "c", 3),
        finGapConnection(41003, 3, "s", 0.5),
        finGapConnection(41004, 4, "c", 2),
        // The first FIN answered by RST from either side: neither a gap nor open.
        `c S 5 port=41005`,
        `s SA 5.001 port=41005`,
        `c A 5.002 port=41005`,
        `c FA 5.01 port=41005`,
        `s R 5.02 port=41005`,
        `c S 6 port=41006`,
        `s SA 6.001 port=41006`,
        `c A 6.002 port=41006`,
        `c FA 6.01 port=41006`,
        `s PA 6.02 len=10 port=41006`,
        `c R 6.021 port=41006`,
        // Closed first by RST: no FIN gap at all.
        `c S 7 port=41007`,
        `s SA 7.001 port=41007`,
        `c A 7.002 port=41007`,
        `c R 7.01 port=41007`,
        // The client's FIN taken, the server's never came: open at the end.
        `c S 8 port=41008`,
        `s SA 8.001 port=41008`,
        `c A 8.002 port=41008`,
        `c FA 8.01 port=41008`,
        `s A 8.011 port=41008`,
        `c S 12 port=41009`,
        `s SA 12.001 port=41009`,
      ].join("\n"),
    );
    // Sorted gaps 0.25, 0.5, 2, 3, 4: p50 is the 3rd (ceil(0.5 * 5)), p90 the 5th (ceil(4.5)).
    assert.deepEqual(server, {
      count: 5,
      p50Sec: 2,
      p90Sec: 4,
      maxSec: 4,
      exact: true,
      open: 1,
    });
    assert.deepEqual(client, server);
  });

  it("a server none of whose connections closed by FIN: empty", () => {
    const { server, client } = finGapsOf(`
      c S  0     port=41000
      s SA 0.001 port=41000
      c A  0.002 port=41000
      c R  0.5   port=41000
      c S  1     port=41001
      s RA 1.001 port=41001
      c S  2     port=41002
      s SA 2.001 port=41002
      c A  2.002 port=41002
    `);
    const empty = { count: 0, p50Sec: null, p90Sec: null, maxSec: null, exact: true, open: 0 };
    assert.deepEqual(server, empty);
    assert.deepEqual(client, empty);
  });

  it("a server whose connections only ever got the first FIN: no gap, all open", () => {
    const { server } = finGapsOf(`
      c S  0     port=41000
      s SA 0.001 port=41000
      c A  0.002 port=41000
      c FA 0.5   port=41000
      s A  0.501 port=41000
      c S  1     port=41001
      s SA 1.001 port=41001
      c A  1.002 port=41001
      s FA 1.5   port=41001
      c A  1.501 port=41001
      c S  9     port=41002
      s SA 9.001 port=41002
      c A  9.002 port=41002
    `);
    assert.deepEqual(server, {
      count: 0,
      p50Sec: null,
      p90Sec: null,
      maxSec: null,
      exact: true,
      open: 2,
    });
  });

  it("the gap the long-fin-gap finding reports is the one the distribution counts", () => {
    const played = play(script(finGapConnection(41000, 0, "c", 3.25)));
    const finding = played.flows[0]?.findings.find((x) => x.kind === "long-fin-gap");
    assert.match(finding?.detail ?? "", /CLOSE_WAIT 3\.250 s after the client's FIN/);
    assert.equal(played.summary.servers[0]?.finGap.maxSec, 3.25);
  });
});
