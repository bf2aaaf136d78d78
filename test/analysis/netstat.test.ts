/**
 * Reconstructed netstat, readable as documents: a packet script (the steps of script.ts, with
 * `host=` and `server=` giving the last byte of the client's and server's 10.0.0.x address), then
 * how many sockets each host and server endpoint held in each state, and when.
 *
 * Besides the hand-written expectations, every result is checked against a brute-force count
 * from the flows' timelines at each sample time (`oracle`), which knows nothing of the grid.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addressText, Analyzer, defaultThresholds } from "../../src/analysis/index.js";
import {
  NETSTAT_STATES,
  NetstatBuilder,
  type NetstatCounts,
  type NetstatOptions,
  type NetstatState,
  type NetstatSummary,
} from "../../src/analysis/netstat.js";
import {
  newDecodedPacket,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
  type DecodedPacket,
} from "../../src/decode/index.js";
import { detachFlow, type Flow, type Side } from "../../src/flow/index.js";
import { script } from "./script.js";

const BASE_SEC = 1_700_000_000;
const CLIENT = "10.0.0.1";
const SERVER = "10.0.0.5";
const FLAG_BITS: Record<string, number> = { S: TCP_SYN, A: TCP_ACK, F: TCP_FIN, R: TCP_RST };

interface Replayed {
  summary: NetstatSummary;
  /** Copies of the flows, in the order they finished. */
  flows: Flow[];
  /** Capture end, relative to BASE_SEC. */
  end: number;
}

/**
 * Plays a script through an Analyzer, feeding each finished flow to a NetstatBuilder as
 * FlowAnalysis would (with the capture's latest time when it finished).
 */
function replay(text: string, options: Partial<NetstatOptions> = {}): Replayed {
  const timeWaitSec = options.timeWaitSec ?? 60;
  const builder = new NetstatBuilder({ ...options, timeWaitSec });
  const flows: Flow[] = [];
  const relative = (a: Analyzer): number => a.lastSec - BASE_SEC + a.lastNsec * 1e-9;
  const analyzer: Analyzer = new Analyzer({
    thresholds: { ...defaultThresholds(), timeWaitSec },
    onFlow: (ff) => {
      assert.equal(ff.baseSec, BASE_SEC);
      builder.add(ff.flow, relative(analyzer));
      flows.push(detachFlow(ff.flow));
    },
  });
  const seqs = new Map<string, { c: number; s: number }>();
  const p: DecodedPacket = newDecodedPacket();
  script(text).forEach((step, i) => {
    const extra = step as unknown as Record<string, number | undefined>;
    const client = 0x0a000000 + (extra.host ?? 1);
    const server = 0x0a000000 + (extra.server ?? 5);
    const port = step.port ?? 40000;
    const key = `${client}|${port}|${server}`;
    const next = seqs.get(key) ?? { c: 1000, s: 5000 };
    seqs.set(key, next);
    let flags = 0;
    for (const ch of step.flags) flags |= FLAG_BITS[ch] ?? 0;
    const fromClient = step.from === "c";
    const len = step.len ?? 0;
    const seq = fromClient ? next.c : next.s;
    const ack = (flags & TCP_ACK) !== 0 ? (fromClient ? next.s : next.c) : 0;
    const consumed = len + ((flags & TCP_SYN) !== 0 ? 1 : 0) + ((flags & TCP_FIN) !== 0 ? 1 : 0);
    if ((flags & TCP_RST) === 0) {
      if (fromClient) next.c = seq + consumed;
      else next.s = seq + consumed;
    }
    Object.assign(p, newDecodedPacket(), {
      status: "tcp",
      linkType: 1,
      ipVersion: 4,
      src0: fromClient ? client : server,
      dst0: fromClient ? server : client,
      srcPort: fromClient ? port : 80,
      dstPort: fromClient ? 80 : port,
      seq,
      ack,
      flags,
      window: 65535,
      payloadLen: len,
      tcpHeaderLen: 20,
    });
    const whole = Math.floor(step.at);
    analyzer.packet(i + 1, BASE_SEC + whole, Math.round((step.at - whole) * 1e9), p);
  });
  analyzer.finish();
  const end = relative(analyzer);
  const summary = builder.build(BASE_SEC, end);
  oracle(summary, flows, timeWaitSec, end);
  return { summary, flows, end };
}

/** A connection's script: handshake at `at`, a request and response, closed by `closer`. */
function connection(
  at: number,
  closer: "client" | "server" | "none",
  extra = "",
  holdSec = 0.01,
): string {
  const t = (d: number): string => (at + d).toFixed(3);
  const lines = [
    `c S  ${t(0)} ${extra}`,
    `s SA ${t(0.001)} ${extra}`,
    `c A  ${t(0.002)} ${extra}`,
    `c PA ${t(0.003)} len=100 ${extra}`,
    `s PA ${t(0.004)} len=500 ${extra}`,
    `c A  ${t(0.005)} ${extra}`,
  ];
  const [first, second] = closer === "client" ? ["c", "s"] : ["s", "c"];
  if (closer !== "none")
    lines.push(
      `${first} FA ${t(holdSec)} ${extra}`,
      `${second} A  ${t(holdSec + 0.001)} ${extra}`,
      `${second} FA ${t(holdSec + 0.002)} ${extra}`,
      `${first} A  ${t(holdSec + 0.003)} ${extra}`,
    );
  return lines.join("\n");
}

function host(s: NetstatSummary, ip: string): NetstatCounts {
  const h = s.hosts.find((x) => x.ip === ip);
  assert.ok(h, `host ${ip} listed`);
  return h;
}

function server(s: NetstatSummary, ip: string, port: number): NetstatCounts {
  const h = s.servers.find((x) => x.ip === ip && x.port === port);
  assert.ok(h, `server ${ip}:${port} listed`);
  return h;
}

/** Relative time of sample k. */
function sampleAt(s: NetstatSummary, k: number): number {
  return s.grid.start - BASE_SEC + k * s.grid.intervalSec;
}

/** First and last sample times (relative) with a non-zero count, or null. */
function held(s: NetstatSummary, c: NetstatCounts, state: NetstatState): [number, number] | null {
  const series = c.series[state] ?? [];
  const first = series.findIndex((x) => x > 0);
  if (first < 0) return null;
  const last = series.length - 1 - [...series].reverse().findIndex((x) => x > 0);
  return [sampleAt(s, first), sampleAt(s, last)];
}

/** Asserts that `state` was held from `from` to `to` (relative), to within one sample interval. */
function assertHeld(
  s: NetstatSummary,
  c: NetstatCounts,
  state: NetstatState,
  from: number,
  to: number,
): void {
  const span = held(s, c, state);
  assert.ok(span, `${state} held`);
  const d = s.grid.intervalSec;
  assert.ok(span[0] >= from && span[0] < from + d, `${state} from ${span[0]}, expected ${from}`);
  assert.ok(span[1] < to && span[1] >= to - d, `${state} until ${span[1]}, expected ${to}`);
}

/**
 * Recounts every listed entry from the flows' timelines: at each sample time, and at the end,
 * the endpoints whose state interval [a, b) holds it (b: the next change, TIME_WAIT's expiry if
 * earlier, or never for a last state).
 */
function oracle(s: NetstatSummary, flows: readonly Flow[], tw: number, end: number): void {
  interface Interval {
    host: string;
    server: string | null;
    state: string;
    a: number;
    b: number;
  }
  const intervals: Interval[] = [];
  for (const f of flows) {
    for (const side of ["client", "server"] as Side[]) {
      const e = side === "client" ? f.clientEnd : f.serverEnd;
      const tl = e.timeline;
      tl.forEach((x, i) => {
        let b = tl[i + 1]?.at ?? Infinity;
        if (x.state === "TIME_WAIT") b = Math.min(b, x.at + tw);
        intervals.push({
          host: addressText(f, side),
          server: side === "server" ? `${addressText(f, "server")}:${f.sPort}` : null,
          state: x.state,
          a: x.at,
          b,
        });
      });
    }
  }
  const check = (
    entries: readonly (NetstatCounts & { ip: string; port?: number })[],
    keyOf: (x: Interval) => string | null,
    entryKey: (x: { ip: string; port?: number }) => string,
  ): number => {
    const listed = new Set(entries.filter((x) => x.ip !== "(others)").map(entryKey));
    let sockets = 0;
    for (const entry of entries) {
      const mine = (x: Interval): boolean => {
        const k = keyOf(x);
        if (k === null) return false;
        return entry.ip === "(others)" ? !listed.has(k) : k === entryKey(entry);
      };
      for (const state of NETSTAT_STATES) {
        const ofState = intervals.filter((x) => x.state === state && mine(x));
        const expected = Array.from({ length: s.grid.samples }, (_, k) => {
          const t = sampleAt(s, k);
          return ofState.filter((x) => x.a <= t && t < x.b).length;
        });
        const atEnd = ofState.filter((x) => x.a <= end && end < x.b).length;
        const label = `${entryKey(entry)} ${state}`;
        if (expected.every((x) => x === 0) && atEnd === 0) {
          assert.equal(entry.series[state], undefined, `${label}: all zero, left out`);
          continue;
        }
        assert.deepEqual(entry.series[state], expected, `${label} series`);
        assert.equal(entry.atEnd[state], atEnd, `${label} atEnd`);
        const peak = Math.max(atEnd, ...expected);
        assert.equal(entry.peak[state]?.count, peak, `${label} peak`);
      }
      sockets += entry.sockets;
    }
    return sockets;
  };
  // Every socket is counted once: two per flow among hosts, one among server endpoints.
  assert.equal(
    check(
      s.hosts,
      (x) => x.host,
      (x) => x.ip,
    ),
    2 * flows.length,
  );
  assert.equal(
    check(
      s.servers,
      (x) => x.server,
      (x) => `${x.ip}:${x.port ?? 0}`,
    ),
    flows.length,
  );
}

describe("who holds TIME_WAIT", () => {
  it("client closes first: one TIME_WAIT on the client host, for timeWaitSec", () => {
    // A second client (10.0.0.9) connects 90 s later, so the capture outlasts the TIME_WAIT.
    const { summary, flows } = replay(`
      ${connection(0, "client")}
      ${connection(90, "client", "host=9")}
    `);
    const entered = flows[0]!.clientEnd.entered("TIME_WAIT");
    assert.ok(entered > 0);
    const client = host(summary, CLIENT);
    assert.equal(client.peak.TIME_WAIT?.count, 1);
    assertHeld(summary, client, "TIME_WAIT", entered, entered + 60);
    // Ran out 30 s before the capture's end: not in `ss` when the capture stopped.
    assert.equal(client.atEnd.TIME_WAIT, 0);
    // The server's socket went through LAST_ACK to CLOSED: no TIME_WAIT there.
    assert.equal(host(summary, SERVER).series.TIME_WAIT, undefined);
    assert.equal(server(summary, SERVER, 80).series.TIME_WAIT, undefined);
    // The later client's TIME_WAIT began 0.01 s before the end: still there when it stopped.
    assert.equal(host(summary, "10.0.0.9").atEnd.TIME_WAIT, 1);
  });

  it("server closes first (Connection: close): TIME_WAIT on the server host and endpoint", () => {
    const { summary } = replay(connection(0, "server"));
    for (const counts of [host(summary, SERVER), server(summary, SERVER, 80)]) {
      assert.equal(counts.peak.TIME_WAIT?.count, 1);
      // Entered a moment before the capture stopped: the kernel still holds it.
      assert.equal(counts.atEnd.TIME_WAIT, 1);
    }
    assert.equal(host(summary, CLIENT).series.TIME_WAIT, undefined);
    // Nothing left on the client when the capture stopped.
    assert.deepEqual(
      Object.values(host(summary, CLIENT).atEnd).filter((n) => n > 0),
      [],
    );
  });

  it("a thousand connections closed by the server pile up as TIME_WAIT on it", () => {
    // One connection every 0.1 s for 100 s, all closed by the server (incident 3): after the
    // first 60 s, 600 TIME_WAIT sockets at any time.
    const text = Array.from({ length: 1000 }, (_, i) =>
      connection(i * 0.1, "server", `port=${20000 + i}`),
    ).join("\n");
    const { summary } = replay(text);
    const s = server(summary, SERVER, 80);
    assert.equal(s.sockets, 1000);
    assert.ok(Math.abs((s.peak.TIME_WAIT?.count ?? 0) - 600) <= 1);
    assert.ok(Math.abs((s.atEnd.TIME_WAIT ?? 0) - 600) <= 1);
    assert.equal(host(summary, CLIENT).series.TIME_WAIT, undefined);
  });
});

describe("half-closed connections", () => {
  it("a long FIN gap: CLOSE_WAIT on the passive side, FIN_WAIT_2 on the active side", () => {
    // The client gives up at 1 s (incident 1); the server's app closes 10 s later.
    const { summary, flows } = replay(`
      c S  0.000
      s SA 0.001
      c A  0.002
      c PA 0.003 len=100
      s A  0.004
      c FA 1.000
      s A  1.001
      s FA 11.000
      c A  11.001
    `);
    const f = flows[0]!;
    const client = host(summary, CLIENT);
    assertHeld(
      summary,
      client,
      "FIN_WAIT_2",
      f.clientEnd.entered("FIN_WAIT_2"),
      f.clientEnd.entered("TIME_WAIT"),
    );
    assert.equal(client.series.CLOSE_WAIT, undefined);
    for (const counts of [host(summary, SERVER), server(summary, SERVER, 80)]) {
      assertHeld(
        summary,
        counts,
        "CLOSE_WAIT",
        f.serverEnd.entered("CLOSE_WAIT"),
        f.serverEnd.entered("LAST_ACK"),
      );
      assert.equal(counts.series.FIN_WAIT_2, undefined);
    }
  });

  it("a CLOSE_WAIT never closed holds to the capture's end (incident 5)", () => {
    const { summary } = replay(`
      c S  0.000
      s SA 0.001
      c A  0.002
      c FA 0.100
      s A  0.101
      c S  30.000 port=40001
      s SA 30.001 port=40001
      c A  30.002 port=40001
    `);
    const s = server(summary, SERVER, 80);
    assert.equal(s.atEnd.CLOSE_WAIT, 1);
    assert.equal(s.atEnd.ESTABLISHED, 1);
    assert.equal(host(summary, CLIENT).atEnd.FIN_WAIT_2, 1);
  });
});

describe("the capture's end", () => {
  it("a flow alive at the end counts as ESTABLISHED at the end", () => {
    const { summary } = replay(`
      c S  0.000
      s SA 0.001
      c A  0.002
      c PA 5.000 len=100
      s PA 5.010 len=100
    `);
    for (const counts of [
      host(summary, CLIENT),
      host(summary, SERVER),
      server(summary, SERVER, 80),
    ]) {
      assert.equal(counts.atEnd.ESTABLISHED, 1);
      assert.equal(counts.peak.ESTABLISHED?.count, 1);
    }
    assert.equal(summary.end, BASE_SEC + 5.01);
    assert.ok(
      summary.grid.start + (summary.grid.samples - 1) * summary.grid.intervalSec <= summary.end,
    );
  });

  it("an empty capture gives an empty grid", () => {
    const summary = new NetstatBuilder({ timeWaitSec: 60 }).build(BASE_SEC, 2);
    assert.deepEqual(summary.hosts, []);
    assert.equal(summary.grid.samples, 0);
    assert.equal(summary.end, BASE_SEC + 2);
  });
});

describe("the grid", () => {
  it("flows finishing out of start order: a long flow started first is counted from its start", () => {
    // The long connection (port 41000) starts first and finishes last, when the capture ends;
    // short ones finish (5 s after closing) while it is alive. The grid starts at the first
    // flow to finish and must reach back for it.
    const { summary, flows } = replay(`
      c S  0.000 port=41000
      s SA 0.001 port=41000
      c A  0.002 port=41000
      ${connection(20, "client", "port=40001")}
      ${connection(40, "client", "port=40002")}
      c PA 100.000 len=10 port=41000
      s A  100.001 port=41000
    `);
    const arrival = flows.map((f) => f.clientEnd.entered("SYN_SENT"));
    assert.deepEqual(arrival, [20, 40, 0]);
    const client = host(summary, CLIENT);
    assert.ok(sampleAt(summary, 0) <= 0.002 + summary.grid.intervalSec);
    // Counted from the long flow's handshake on: at the first sample at or after it.
    const established = client.series.ESTABLISHED ?? [];
    const from = established.findIndex((x) => x > 0);
    assert.ok(sampleAt(summary, from) >= 0.002);
    assert.ok(sampleAt(summary, from) < 0.002 + summary.grid.intervalSec);
    assert.equal(client.atEnd.ESTABLISHED, 1);
  });

  it("many flows: the interval doubles as the span grows and counts stay right", () => {
    // 300 connections over 10 minutes, half closed by each side, some left open: the grid
    // starts at about 1 ms and folds about 10 times. The oracle in replay() checks every sample.
    const text = Array.from({ length: 300 }, (_, i) =>
      connection(
        i * 2,
        i % 7 === 0 ? "none" : i % 2 === 0 ? "client" : "server",
        `port=${20000 + i} host=${1 + (i % 3)}`,
        0.5 + (i % 5),
      ),
    ).join("\n");
    const { summary } = replay(text);
    assert.ok(summary.grid.samples <= 512 && summary.grid.samples > 256);
    assert.equal(summary.grid.intervalSec, 2);
    assert.equal(host(summary, SERVER).sockets, 300);
  });

  it("a smaller grid and a short TIME_WAIT fold the same way", () => {
    const text = Array.from({ length: 50 }, (_, i) =>
      connection(i * 0.7, i % 2 === 0 ? "client" : "server", `port=${20000 + i}`, 0.3),
    ).join("\n");
    const { summary } = replay(text, { maxSamples: 16, timeWaitSec: 2 });
    assert.ok(summary.grid.samples <= 16);
  });
});

describe("bounded: hosts beyond the cap", () => {
  it("the busiest hosts are listed, the rest summed under (others)", () => {
    // Host 10.0.0.(10+h) opens h+1 connections, all alive at the end; 3 hosts tracked, 2 listed.
    const lines: string[] = [];
    for (let h = 0; h < 6; h++)
      for (let i = 0; i <= h; i++)
        lines.push(connection(h + i * 0.01, "none", `host=${10 + h} port=${20000 + i}`));
    const { summary } = replay(lines.join("\n"), { maxTracked: 3, top: 2 });
    // The first three hosts seen are tracked: 10.0.0.10, then the server, then 10.0.0.11. The
    // busier hosts seen later are not (first come, first tracked), so (others) sums 10.0.0.10
    // (tracked, not listed) and the untracked 10.0.0.12-15.
    assert.deepEqual(
      summary.hosts.map((x) => [x.ip, x.sockets]),
      [
        [SERVER, 21],
        ["10.0.0.11", 2],
        ["(others)", 1 + 3 + 4 + 5 + 6],
      ],
    );
    assert.equal(summary.hosts[2]?.atEnd.ESTABLISHED, 19);
  });

  it("server endpoints beyond the cap go under (others) too", () => {
    const text = [1, 2, 3, 4]
      .map((sv) => connection(sv * 0.1, "none", `host=9 server=${20 + sv} port=${20000 + sv}`))
      .join("\n");
    const { summary } = replay(text, { maxTracked: 2, top: 5 });
    assert.deepEqual(
      summary.servers.map((x) => [x.ip, x.port, x.sockets]),
      [
        ["10.0.0.21", 80, 1],
        ["10.0.0.22", 80, 1],
        ["(others)", 0, 2],
      ],
    );
  });
});
