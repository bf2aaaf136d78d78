/**
 * What a server endpoint's connections show taken together (INCIDENTS.md asks "how many" as
 * much as "how"): HTTP requests per connection, `Connection: close`, TLS handshakes, bursts of
 * new connections, who holds TIME_WAIT, CLOSE_WAIT on the server. Each rule that fires gives an
 * aggregate finding (`{kind, ...}`, catalogue in finding-kinds.ts, scope "server") with its
 * counts and example flow ids.
 *
 * Limitations: requests are counted only on connections whose payload teardown parsed as
 * HTTP/1.x (app-sniffer.ts); TLS hides them. Burst detection keeps each connection attempt's
 * SYN time, up to MAX_ATTEMPT_TIMES over the whole capture (8 bytes each); attempts beyond it
 * are counted but not placed in time.
 */
import type { Flow } from "../flow/index.js";
import { FinGapTally } from "./fin-gap.js";
import { SecondsTally } from "./seconds-tally.js";
import type { FindingKind } from "./finding-kinds.js";
import type { FlowFacts } from "./flow-result.js";
import type { NetstatSummary } from "./netstat.js";
import { seconds, timeOfDay } from "./seconds.js";
import type { Thresholds } from "./thresholds.js";

/** Example flow ids kept per aggregate finding. */
const EXAMPLES = 10;
/** Connection attempts placed in time for burst detection, over all servers. */
const MAX_ATTEMPT_TIMES = 1_000_000;

export interface AggregateFinding {
  readonly kind: FindingKind;
  /** Connections that show it, and out of how many. */
  readonly count: number;
  readonly of: number;
  /** One line in plain words, with the figures. */
  readonly detail: string;
  /** Example flow ids. */
  readonly flows: readonly number[];
}

/** HTTP/1.x on a server's connections. */
export interface ServerHttp {
  /** Connections parsed as HTTP, and the requests and final responses on them. */
  readonly connections: number;
  readonly requests: number;
  readonly responses: number;
  /** Connections by the number of requests they carried. */
  readonly requestsPerConnection: {
    readonly "0": number;
    readonly "1": number;
    readonly "2-9": number;
    readonly "10+": number;
  };
  /** Messages carrying Connection: close, by sender. */
  readonly connectionClose: { readonly client: number; readonly server: number };
}

/**
 * TLS handshakes on a server's connections (seconds from ClientHello to ServerHello); the
 * median is exact up to 32 handshakes, then within 7.5% (seconds-tally.ts).
 */
export interface ServerTls {
  readonly connections: number;
  readonly serverHellos: number;
  readonly handshakeSec: { readonly median: number | null; readonly max: number | null };
  /** Connections the client closed before finishing the handshake. */
  readonly abandoned: number;
}

/** Per-server tallies while flows arrive. */
export class ServerTally {
  httpConnections = 0;
  requests = 0;
  responses = 0;
  readonly perConnection = { "0": 0, "1": 0, "2-9": 0, "10+": 0 };
  readonly oneRequestFlows: number[] = [];
  closeFromClient = 0;
  closeFromServer = 0;
  tlsConnections = 0;
  /** ClientHello to ServerHello, bounded whatever the number of connections. */
  readonly handshakes = new SecondsTally();
  abandoned = 0;
  /** SYN times (relative) and flow ids of connection attempts, for burst detection. */
  attemptAt: number[] = [];
  attemptId: number[] = [];
  /** Connections where the server held TIME_WAIT, examples. */
  readonly serverTimeWaitFlows: number[] = [];
  /** CLOSE_WAIT on the server longer than the FIN-gap threshold: durations, examples, still open at the end. */
  readonly closeWaitSec = new SecondsTally();
  readonly closeWaitFlows: number[] = [];
  closeWaitAtEnd = 0;
  /** FIN gaps of all its flows, probes included (fin-gap.ts). */
  readonly finGaps = new FinGapTally();
}

export class ServerAggregates {
  private attemptTimes = 0;

  constructor(private readonly th: Thresholds) {}

  /** Adds a finished flow to its server's tally; `captureEnd` is the tracker's time then. */
  add(t: ServerTally, f: Flow, facts: FlowFacts, captureEnd: number): void {
    if (f.client.synFrame !== 0 && this.attemptTimes < MAX_ATTEMPT_TIMES) {
      this.attemptTimes++;
      t.attemptAt.push(f.client.synAt);
      t.attemptId.push(f.id);
    }
    const app = f.app;
    if (app?.http !== undefined) {
      const http = app.http;
      t.httpConnections++;
      t.requests += http.requests;
      t.responses += http.responses;
      const n = http.requests;
      t.perConnection[n === 0 ? "0" : n === 1 ? "1" : n < 10 ? "2-9" : "10+"]++;
      if (n === 1 && t.oneRequestFlows.length < EXAMPLES) t.oneRequestFlows.push(f.id);
      t.closeFromClient += http.connectionClose.client;
      t.closeFromServer += http.connectionClose.server;
    }
    if (app?.tls !== undefined) {
      const tls = app.tls;
      t.tlsConnections++;
      if (tls.clientHelloFrame !== 0 && tls.serverHelloFrame !== 0)
        t.handshakes.add(tls.serverHelloAt - tls.clientHelloAt);
    }
    if (facts.findings.some((x) => x.kind === "tls-handshake-abandoned")) t.abandoned++;
    if (facts.timeWait === "server" && t.serverTimeWaitFlows.length < EXAMPLES)
      t.serverTimeWaitFlows.push(f.id);
    // CLOSE_WAIT on the server: the client's FIN acknowledged, the server's own FIN late or never.
    const entered = f.serverEnd.entered("CLOSE_WAIT");
    if (entered >= 0) {
      const fin =
        f.server.finFrame !== 0 ? f.server.finAt : f.server.rstFrame !== 0 ? f.server.rstAt : -1;
      const duration = (fin >= 0 ? fin : captureEnd) - entered;
      if (duration > this.th.finGapSec) {
        t.closeWaitSec.add(duration);
        if (t.closeWaitFlows.length < EXAMPLES) t.closeWaitFlows.push(f.id);
        if (fin < 0 && f.serverEnd.state === "CLOSE_WAIT") t.closeWaitAtEnd++;
      }
    }
  }

  http(t: ServerTally): ServerHttp | undefined {
    if (t.httpConnections === 0) return undefined;
    return {
      connections: t.httpConnections,
      requests: t.requests,
      responses: t.responses,
      requestsPerConnection: { ...t.perConnection },
      connectionClose: { client: t.closeFromClient, server: t.closeFromServer },
    };
  }

  tls(t: ServerTally): ServerTls | undefined {
    if (t.tlsConnections === 0) return undefined;
    const h = t.handshakes;
    return {
      connections: t.tlsConnections,
      serverHellos: h.count,
      handshakeSec: {
        median: h.count === 0 ? null : round(h.median()),
        max: h.count === 0 ? null : round(h.longest),
      },
      abandoned: t.abandoned,
    };
  }

  /**
   * The server's aggregate findings. `connections`: its connections (probes, refused and
   * unanswered attempts excluded), `probes` its probes, `serverTimeWait` the connections where
   * it held TIME_WAIT.
   */
  findings(
    t: ServerTally,
    server: { readonly ip: string; readonly port: number },
    connections: number,
    probes: number,
    serverTimeWait: number,
    baseSec: number,
    netstat: NetstatSummary | undefined,
  ): AggregateFinding[] {
    const out: AggregateFinding[] = [];
    const th = this.th;
    const one = t.perConnection["1"];
    if (t.httpConnections >= th.minServerConnections && one * 2 > t.httpConnections) {
      out.push({
        kind: "no-reuse",
        count: one,
        of: t.httpConnections,
        detail:
          `${t.httpConnections} connections for ${t.requests} requests: ` +
          `one request per connection in ${pct(one, t.httpConnections)} (${one} of ${t.httpConnections})`,
        flows: t.oneRequestFlows,
      });
    }
    const burst = largestBurst(t.attemptAt, t.attemptId, th.burstWindowSec);
    if (burst !== undefined && burst.count >= th.burstConnections) {
      const span = burst.lastAt - burst.firstAt;
      out.push({
        kind: "connection-burst",
        count: burst.count,
        of: t.attemptAt.length,
        detail:
          `${burst.count} new connections within ${span.toFixed(3)} s ` +
          `(from ${timeOfDay(seconds(baseSec, burst.firstAt))} UTC` +
          (span > 0 ? `, ${Math.round(burst.count / span)} per second` : "") +
          `)`,
        flows: burst.flows,
      });
    }
    if (connections >= th.minServerConnections && serverTimeWait * 2 > connections) {
      const atEnd = netstat?.servers.find((s) => s.ip === server.ip && s.port === server.port)
        ?.atEnd.TIME_WAIT;
      const close =
        t.responses > 0
          ? `; responses carrying Connection: close: ${t.closeFromServer} of ${t.responses}` +
            (t.closeFromServer >= t.responses ? " (every response)" : "")
          : "";
      out.push({
        kind: "time-wait-on-server",
        count: serverTimeWait,
        of: connections,
        detail:
          `the server closed first and held TIME_WAIT in ${pct(serverTimeWait, connections)} of ${connections} connections${close}` +
          (atEnd !== undefined
            ? `; ${atEnd} TIME_WAIT socket${atEnd === 1 ? "" : "s"} on the server when the capture ended (each lasts ${th.timeWaitSec} s)`
            : ""),
        flows: t.serverTimeWaitFlows,
      });
    }
    const closeWait = t.closeWaitSec;
    if (closeWait.count > 0) {
      const n = closeWait.count;
      out.push({
        kind: "close-wait-leak",
        count: n,
        // Probes count here: a health check left in CLOSE_WAIT is incident 5's signature.
        of: connections + probes,
        detail:
          `${n} connection${n === 1 ? "" : "s"} sat in CLOSE_WAIT on the server for over ${th.finGapSec} s ` +
          `(median ${closeWait.median().toFixed(1)} s, longest ${closeWait.longest.toFixed(1)} s)` +
          (t.closeWaitAtEnd > 0
            ? `; ${t.closeWaitAtEnd} still in CLOSE_WAIT when the capture ended`
            : ""),
        flows: t.closeWaitFlows,
      });
    }
    return out;
  }
}

/** The window of `windowSec` holding the most attempts (times relative, any order). */
function largestBurst(
  at: readonly number[],
  ids: readonly number[],
  windowSec: number,
): { count: number; firstAt: number; lastAt: number; flows: number[] } | undefined {
  if (at.length === 0) return undefined;
  const order = [...at.keys()].sort((a, b) => at[a]! - at[b]!);
  let best = 0;
  let bestStart = 0;
  let bestEnd = 0;
  let lo = 0;
  for (let hi = 0; hi < order.length; hi++) {
    while (at[order[hi]!]! - at[order[lo]!]! > windowSec) lo++;
    if (hi - lo + 1 > best) {
      best = hi - lo + 1;
      bestStart = lo;
      bestEnd = hi;
    }
  }
  return {
    count: best,
    firstAt: at[order[bestStart]!]!,
    lastAt: at[order[bestEnd]!]!,
    flows: order.slice(bestStart, Math.min(bestEnd + 1, bestStart + EXAMPLES)).map((i) => ids[i]!),
  };
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

function pct(n: number, of: number): string {
  return of === 0 ? "0%" : `${Math.round((100 * n) / of)}%`;
}
