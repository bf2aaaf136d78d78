/**
 * A server's connections taken together (server-aggregates.ts), scenario by scenario: a burst of
 * new connections, TIME_WAIT on the server, CLOSE_WAIT on the server. (Requests per connection
 * and Connection: close need HTTP payload: the incident samples check them, see
 * incident-samples.test.ts.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AggregateFinding } from "../../src/analysis/index.js";
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
